import { Show } from 'solid-js';
import { formatDuration } from '../format.ts';
import type { KernelClient } from '../kernel-client.ts';
import type { PluginSummary } from '../kernel-types.ts';
import { PluginControls } from './plugin-controls.tsx';
import { PluginProblem } from './plugin-problem.tsx';
import { StateBadge } from './state-badge.tsx';

const FAILING = new Set(['crashed', 'quarantined', 'backoff', 'unhealthy']);

/** One plugin on the dashboard: state, uptime, restarts, capability count and, for admins, its controls. */
export function PluginRow(props: { plugin: PluginSummary; now: number; admin: boolean; client: KernelClient; onChanged: (summary: PluginSummary) => void }) {
  const uptime = () => {
    const { startedAt, state } = props.plugin;
    return startedAt !== null && (state === 'running' || state === 'unhealthy') ? formatDuration(props.now - startedAt) : '—';
  };
  return (
    <li class="plugin-row" data-plugin={props.plugin.name} data-state={props.plugin.state}>
      <div class="plugin-state">
        <StateBadge state={props.plugin.state} />
      </div>
      <div class="plugin-identity">
        <h3 class="plugin-name">{props.plugin.name}</h3>
        <p class="plugin-description">{props.plugin.description || 'No description.'}</p>
        <p class="plugin-tags">
          <span class="tag">{props.plugin.activation}</span>
          <Show when={props.plugin.required}>
            <span class="tag">required</span>
          </Show>
          <Show when={!props.plugin.enabled}>
            <span class="tag">disabled</span>
          </Show>
          <Show when={props.plugin.activation === 'lazy' && props.plugin.state === 'stopped'}>
            <span class="muted">starts on its first call</span>
          </Show>
        </p>
      </div>
      <dl class="plugin-stats">
        <div>
          <dt>Uptime</dt>
          <dd data-stat="uptime">{uptime()}</dd>
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
      </dl>
      <Show when={props.admin}>
        <PluginControls plugin={props.plugin} client={props.client} onDone={props.onChanged} />
      </Show>
      <Show when={FAILING.has(props.plugin.state)}>
        <PluginProblem plugin={props.plugin} client={props.client} showLogs={props.admin} />
      </Show>
    </li>
  );
}
