import { createResource, For, Match, Show, Switch } from 'solid-js';
import { createClock } from '../clock.ts';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { PluginRow } from '../components/plugin-row.tsx';
import { FAILING_STATES } from '../components/plugin-stats.tsx';
import { StaleNotice } from '../components/stale-notice.tsx';
import { SPARKLINE_SECONDS } from '../components/telemetry/plugin-sparklines.tsx';
import { formatDuration, formatMegabytes } from '../format.ts';
import type { KernelClient } from '../kernel-client.ts';
import type { KernelStatus, PluginSummary } from '../kernel-types.ts';
import { loaded } from '../loaded.ts';
import { isAdmin } from '../roles.ts';
import type { SessionUser } from '../session.ts';
import { createPluginList } from '../stores/plugin-list.ts';
import { createTelemetryHistory } from '../stores/telemetry-history.ts';

/** Every plugin with its live state; admins start, stop and restart them here. */
export function DashboardPage(props: { user: SessionUser; client: KernelClient }) {
  const list = createPluginList(props.client);
  const now = createClock(1000);
  const admin = () => isAdmin(props.user.role);
  // One kernel.telemetry subscription for every row's sparklines (a sample a second); only admins may subscribe to it.
  const telemetry = isAdmin(props.user.role)
    ? createTelemetryHistory(props.client, { limit: SPARKLINE_SECONDS, plugins: () => list.plugins()?.map((plugin) => plugin.name) ?? [] })
    : undefined;
  const [status] = createResource(
    () => list.updatedAt(),
    async () => ({ status: await props.client.call<KernelStatus>('kernel.status'), fetchedAt: Date.now() }),
  );
  const count = (test: (plugin: PluginSummary) => boolean) => list.plugins()?.filter(test).length ?? 0;

  return (
    <section class="page" aria-labelledby="dashboard-title">
      <header class="page-header">
        <div>
          <h1 id="dashboard-title">Plugins</h1>
          <Show when={list.plugins()}>
            <p class="summary" data-testid="plugin-summary">
              <span>{count((plugin) => plugin.state === 'running')} running</span>
              <span>{count((plugin) => plugin.state === 'stopped')} stopped</span>
              <span classList={{ alert: count((plugin) => FAILING_STATES.has(plugin.state)) > 0 }}>
                {count((plugin) => FAILING_STATES.has(plugin.state))} failing
              </span>
            </p>
          </Show>
        </div>
        <Show when={loaded(status)}>
          {(current) => (
            <dl class="facts kernel-status" aria-label="Kernel">
              <div>
                <dt>Kernel</dt>
                <dd>{current().status.version}</dd>
              </div>
              <div>
                <dt>Uptime</dt>
                <dd>{formatDuration(current().status.uptimeMs + now() - current().fetchedAt)}</dd>
              </div>
              <div>
                <dt>Memory</dt>
                <dd>{formatMegabytes(current().status.rssBytes)}</dd>
              </div>
            </dl>
          )}
        </Show>
      </header>

      <StaleNotice client={props.client} updatedAt={list.updatedAt()} what="these states are" />
      <Show when={!admin()}>
        <p class="notice">Read-only: only admins can start, stop and restart plugins.</p>
      </Show>
      <ErrorMessage error={list.error()} prefix="Could not load the plugins:" />
      <ErrorMessage error={list.liveError()} prefix="Live updates are off; reload the page to see changes:" />

      <Switch>
        <Match when={list.plugins() === undefined && list.error() === undefined}>
          <p class="muted">Loading plugins…</p>
        </Match>
        <Match when={list.plugins()?.length === 0}>
          <EmptyState title="No plugins are registered.">
            <p>Add plugins to plugins.json; the kernel picks them up at its next start.</p>
          </EmptyState>
        </Match>
        <Match when={list.plugins()}>
          {(plugins) => (
            <ul class="plugin-list">
              <For each={plugins()}>
                {(plugin) => <PluginRow plugin={plugin} now={now()} admin={admin()} client={props.client} onChanged={list.apply} samples={telemetry?.samples(plugin.name)} />}
              </For>
            </ul>
          )}
        </Match>
      </Switch>
    </section>
  );
}
