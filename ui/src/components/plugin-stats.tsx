import { Show } from 'solid-js';
import { formatDuration } from '../format.ts';
import type { PluginState, PluginSummary } from '../kernel-types.ts';

/** States in which a plugin's process may be failing; the dashboard and the plugin page explain them. */
export const FAILING_STATES: ReadonlySet<PluginState> = new Set(['crashed', 'quarantined', 'backoff', 'unhealthy']);

/** A plugin's uptime (`now` minus its start) while a process serves it, else a dash. */
function uptime(plugin: PluginSummary, now: number): string {
  const { startedAt, state } = plugin;
  return startedAt !== null && (state === 'running' || state === 'unhealthy') ? formatDuration(now - startedAt) : '—';
}

/** Uptime, restarts, capability count and PID of a plugin; `showLoad` adds the calls running and queued now. */
export function PluginStats(props: { plugin: PluginSummary; now: number; showLoad?: boolean; class?: string }) {
  return (
    <dl class={`facts plugin-stats ${props.class ?? ''}`}>
      <div>
        <dt>Uptime</dt>
        <dd data-stat="uptime">{uptime(props.plugin, props.now)}</dd>
      </div>
      <div>
        <dt>Restarts</dt>
        <dd data-stat="restarts">{props.plugin.restarts}</dd>
      </div>
      <div>
        <dt>Capabilities</dt>
        <dd data-stat="capabilities">{props.plugin.capabilities.length}</dd>
      </div>
      <div>
        <dt>PID</dt>
        <dd data-stat="pid">{props.plugin.pid ?? '—'}</dd>
      </div>
      <Show when={props.showLoad}>
        <div>
          <dt>Calls now</dt>
          <dd data-stat="load">
            {props.plugin.load.active} running, {props.plugin.load.queued} queued
          </dd>
        </div>
      </Show>
    </dl>
  );
}
