import { Show } from 'solid-js';
import type { KernelClient } from '../kernel-client.ts';
import type { PluginSummary } from '../kernel-types.ts';
import { pluginPath } from '../routes.tsx';
import type { TelemetrySample } from '../telemetry-types.ts';
import { Link } from './link.tsx';
import { PluginControls } from './plugin-controls.tsx';
import { PluginProblem } from './plugin-problem.tsx';
import { FAILING_STATES, PluginStats } from './plugin-stats.tsx';
import { StateBadge } from './state-badge.tsx';
import { PluginSparklines } from './telemetry/plugin-sparklines.tsx';

/**
 * One plugin on the dashboard: state, uptime, restarts, capability count and, for admins, its
 * controls; with `samples` (its recent telemetry) also CPU and memory sparklines.
 */
export function PluginRow(props: {
  plugin: PluginSummary;
  now: number;
  admin: boolean;
  client: KernelClient;
  onChanged: (summary: PluginSummary) => void;
  samples?: readonly TelemetrySample[];
}) {
  return (
    <li class="plugin-row" data-plugin={props.plugin.name} data-state={props.plugin.state}>
      <div class="plugin-state">
        <StateBadge state={props.plugin.state} />
        <Show when={props.samples}>{(samples) => <PluginSparklines plugin={props.plugin.name} samples={samples()} />}</Show>
      </div>
      <div class="plugin-identity">
        <h3 class="plugin-name">
          <Link href={pluginPath(props.plugin.name)}>{props.plugin.name}</Link>
        </h3>
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
      <PluginStats plugin={props.plugin} now={props.now} />
      <Show when={props.admin}>
        <PluginControls plugin={props.plugin} client={props.client} onDone={props.onChanged} />
      </Show>
      <Show when={FAILING_STATES.has(props.plugin.state)}>
        <PluginProblem plugin={props.plugin} client={props.client} showLogs={props.admin} />
      </Show>
    </li>
  );
}
