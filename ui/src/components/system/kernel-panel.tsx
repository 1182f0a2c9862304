import { For, Show } from 'solid-js';
import { formatCount, formatDuration, formatMegabytes } from '../../format.ts';
import type { PluginState } from '../../kernel-types.ts';
import type { SystemStatus } from '../../system-types.ts';
import { StateBadge } from '../state-badge.tsx';

/** `3.5 %`: the kernel's CPU in percent of one core. */
export function formatPercent(value: number): string {
  return `${value.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
}

/**
 * The kernel process from `kernel.status`: version, PID, uptime (ticking with `now` between
 * polls), CPU, memory, plugins per state, dropped log records and where its files are.
 */
export function KernelPanel(props: { status: SystemStatus; fetchedAt: number; now: number }) {
  const states = () => Object.entries(props.status.plugins).filter(([, count]) => (count ?? 0) > 0) as Array<[PluginState, number]>;
  return (
    <section class="card system-card" aria-labelledby="system-kernel-title">
      <h2 id="system-kernel-title">Kernel</h2>
      <dl class="facts system-facts">
        <div>
          <dt>Version</dt>
          <dd data-fact="version" title={props.status.name}>
            {props.status.version}
          </dd>
        </div>
        <div>
          <dt>PID</dt>
          <dd data-fact="pid">{props.status.pid}</dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd data-fact="uptime">{formatDuration(props.status.uptimeMs + Math.max(0, props.now - props.fetchedAt))}</dd>
        </div>
        <div>
          <dt>CPU</dt>
          <dd data-fact="cpu" title="Percent of one core since the previous reading; 100 % = one full core">
            {formatPercent(props.status.cpuPercent)}
          </dd>
        </div>
        <div>
          <dt>Memory (RSS)</dt>
          <dd data-fact="memory">{formatMegabytes(props.status.rssBytes)}</dd>
        </div>
        <div>
          <dt>Logs dropped</dt>
          <dd data-fact="logs-dropped" classList={{ alert: props.status.logsDropped > 0 }}>
            {formatCount(props.status.logsDropped)}
          </dd>
        </div>
      </dl>
      <h3>Plugins</h3>
      <Show when={states().length > 0} fallback={<p class="muted">No plugins are registered.</p>}>
        <ul class="system-states" aria-label="Plugins per state">
          <For each={states()}>
            {([state, count]) => (
              <li data-state={state}>
                <StateBadge state={state} /> <span class="system-count">{count}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <p class="muted system-paths">
        Registry <code>{props.status.registry}</code> · data <code>{props.status.dataDir}</code>
      </p>
    </section>
  );
}
