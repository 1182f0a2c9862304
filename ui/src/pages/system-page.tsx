import { Show } from 'solid-js';
import { createClock } from '../clock.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { ConnectionsPanel } from '../components/system/connections-panel.tsx';
import { createPoll } from '../components/system/create-poll.ts';
import { HealthPanel } from '../components/system/health-panel.tsx';
import { KernelPanel } from '../components/system/kernel-panel.tsx';
import { SessionsPanel } from '../components/system/sessions-panel.tsx';
import type { KernelClient } from '../kernel-client.ts';
import type { SessionUser } from '../session.ts';
import type { GatewayConnection, SignInSession, SystemStatus } from '../system-types.ts';
import '../styles/system.css';

/** How often the kernel's status is asked again while the page is shown; its CPU figure covers this interval. */
const STATUS_POLL_MS = 3000;
/** How often the connections and sessions are listed again. */
const LISTS_POLL_MS = 5000;

/**
 * The admin's view of the kernel process (`kernel.status`), who is connected (`kernel.connections`,
 * `auth.sessions.list`) and its health (`/health`), refreshed every few seconds while shown.
 */
export function SystemPage(props: { user: SessionUser; client: KernelClient }) {
  const now = createClock(1000);
  const status = createPoll((signal) => props.client.call<SystemStatus>('kernel.status', {}, { signal }), STATUS_POLL_MS);
  const connections = createPoll((signal) => props.client.call<GatewayConnection[]>('kernel.connections', {}, { signal }), LISTS_POLL_MS);
  const sessions = createPoll((signal) => props.client.call<SignInSession[]>('auth.sessions.list', {}, { signal }), LISTS_POLL_MS);

  return (
    <section class="page system-page" aria-labelledby="system-title">
      <header class="page-header">
        <div>
          <h1 id="system-title">System</h1>
          <p class="muted">The kernel process, who is connected, and its health; refreshed every few seconds while this page is open.</p>
        </div>
        <Show when={status.loadedAt()}>{(at) => <p class="muted" aria-live="off">Updated {new Date(at()).toLocaleTimeString()}</p>}</Show>
      </header>

      <ErrorMessage error={status.error()} prefix="Could not read the kernel's status:" />
      <div class="system-grid">
        <Show when={status.value()} fallback={<p class="muted">Asking the kernel…</p>}>
          {(current) => <KernelPanel status={current()} fetchedAt={status.loadedAt() ?? now()} now={now()} />}
        </Show>
        <HealthPanel />
      </div>
      <ConnectionsPanel status={status.value()} connections={connections.value()} error={connections.error()} />
      <SessionsPanel
        sessions={sessions.value()}
        error={sessions.error()}
        client={props.client}
        onEnded={() => {
          void sessions.refresh();
          void connections.refresh();
        }}
      />
    </section>
  );
}
