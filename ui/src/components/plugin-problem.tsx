import { createResource, For, Show } from 'solid-js';
import { describeError } from '../api.ts';
import type { KernelClient } from '../kernel-client.ts';
import type { PluginDetail, PluginSummary } from '../kernel-types.ts';

const EXPLANATION: Partial<Record<PluginSummary['state'], string>> = {
  quarantined: 'Quarantined: it crashed too often and waits for an explicit start. Starting it releases the quarantine.',
  crashed: 'Crashed: it exited with a failure and the restart policy does not restart it.',
  backoff: 'Waiting before the next automatic restart.',
  unhealthy: 'Running, but its health checks are failing.',
};

/** How many of the plugin's newest log lines explain a failure. */
const LOG_LINES = 8;

/** Why a plugin is failing: the state explained, its last error and (for admins) its last log lines. */
export function PluginProblem(props: { plugin: PluginSummary; client: KernelClient; showLogs: boolean }) {
  // Keyed on the restart count too, so a new crash loads the new lines.
  const [detail] = createResource(
    () => (props.showLogs ? `${props.plugin.name}:${props.plugin.state}:${props.plugin.restarts}` : false),
    () => props.client.call<PluginDetail>('kernel.plugins.get', { plugin: props.plugin.name }),
  );
  const lines = () => detail()?.recentLogs.slice(-LOG_LINES) ?? [];
  return (
    <div class="plugin-problem">
      <Show when={EXPLANATION[props.plugin.state]}>{(text) => <p>{text()}</p>}</Show>
      <Show when={props.plugin.lastError}>
        {(lastError) => (
          <p class="last-error">
            <strong>Last error: </strong>
            <span>{lastError()}</span>
          </p>
        )}
      </Show>
      <Show when={props.showLogs}>
        <Show when={!detail.error} fallback={<p class="muted">Log lines unavailable: {describeError(detail.error)}</p>}>
          <Show when={lines().length > 0}>
            <pre class="log-lines" aria-label={`Last log lines of ${props.plugin.name}`}>
              <For each={lines()}>
                {(record) => (
                  <span class="log-line" data-level={record.level}>
                    {new Date(record.time).toLocaleTimeString()} {record.level.padEnd(5)} {record.msg}
                    {'\n'}
                  </span>
                )}
              </For>
            </pre>
          </Show>
        </Show>
      </Show>
    </div>
  );
}
