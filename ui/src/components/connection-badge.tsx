import { Match, Switch } from 'solid-js';
import { createClock } from '../clock.ts';
import type { KernelClient } from '../kernel-client.ts';

/** The socket's state in words, always in the header: connected, reconnecting in N s, offline. */
export function ConnectionBadge(props: { client: KernelClient }) {
  const now = createClock(250);
  const state = () => props.client.state();
  const secondsLeft = () => {
    const current = state();
    return current.status === 'reconnecting' ? Math.max(0, Math.ceil((current.retryAt - now()) / 1000)) : 0;
  };
  return (
    <div class="connection" data-status={state().status} role="status">
      <span class="connection-dot" aria-hidden="true" />
      <Switch>
        <Match when={state().status === 'connected'}>Connected</Match>
        <Match when={state().status === 'connecting'}>Connecting…</Match>
        <Match when={state().status === 'offline'}>Offline: no network</Match>
        <Match when={state().status === 'closed'}>Disconnected</Match>
        <Match when={state().status === 'reconnecting'}>
          <span>{secondsLeft() > 0 ? `Reconnecting in ${secondsLeft()} s` : 'Reconnecting…'}</span>
          <button type="button" class="link-button" onClick={() => props.client.reconnectNow()}>
            Retry now
          </button>
        </Match>
      </Switch>
    </div>
  );
}
