import { createSignal, Show } from 'solid-js';
import type { KernelClient } from '../kernel-client.ts';
import type { PluginState, PluginSummary } from '../kernel-types.ts';
import { ErrorMessage } from './error-message.tsx';

/** States in which the plugin runs or is on its way back, so the switch reads "on" and offers a stop. */
const ON_STATES: readonly PluginState[] = ['running', 'starting', 'unhealthy', 'backoff'];

type Action = 'start' | 'stop' | 'restart';

/** The admin's start/stop switch and restart button for one plugin; `onDone` gets the kernel's new summary. */
export function PluginControls(props: { plugin: PluginSummary; client: KernelClient; onDone: (summary: PluginSummary) => void }) {
  const [busy, setBusy] = createSignal<Action>();
  const [error, setError] = createSignal<unknown>();
  const [confirming, setConfirming] = createSignal(false);
  const on = () => ON_STATES.includes(props.plugin.state);
  const moving = () => busy() !== undefined || props.plugin.state === 'starting' || props.plugin.state === 'stopping';
  // Offline, a click could only wait and fail; and the state shown may be stale.
  const disabled = () => moving() || props.client.state().status !== 'connected';

  const run = async (action: Action) => {
    setConfirming(false);
    setBusy(action);
    setError(undefined);
    try {
      props.onDone(await props.client.call<PluginSummary>(`kernel.plugins.${action}`, { plugin: props.plugin.name }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };
  const toggle = () => {
    if (!on()) return void run('start');
    // Stopping a required plugin (auth, the studio itself) can lock everyone out: ask first.
    if (props.plugin.required && !confirming()) setConfirming(true);
    else void run('stop');
  };
  const switchLabel = () => {
    if (busy() === 'stop') return 'Stopping…';
    if (busy() === 'start') return 'Starting…';
    if (busy() === 'restart') return 'Restarting…';
    return on() ? 'On' : 'Off';
  };

  return (
    <div class="plugin-controls">
      <div class="plugin-buttons">
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={on()}
          aria-label={`${on() ? 'Stop' : 'Start'} ${props.plugin.name}`}
          title={`${on() ? 'Stop' : 'Start'} ${props.plugin.name}`}
          disabled={disabled()}
          onClick={toggle}
        >
          <span class="switch-track" aria-hidden="true">
            <span class="switch-thumb" />
          </span>
          <span class="switch-label">{switchLabel()}</span>
        </button>
        <button type="button" class="button" disabled={disabled() || !on()} onClick={() => void run('restart')} aria-label={`Restart ${props.plugin.name}`}>
          Restart
        </button>
      </div>
      <Show when={confirming()}>
        <div class="confirm" role="alertdialog" aria-label={`Stop ${props.plugin.name}?`}>
          <p>
            <strong>{props.plugin.name}</strong> is required: the kernel and the studio rely on it (stopping auth signs everyone out). Stop it anyway?
          </p>
          <button type="button" class="button danger" onClick={() => void run('stop')}>
            Stop {props.plugin.name}
          </button>
          <button type="button" class="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      </Show>
      <ErrorMessage error={error()} prefix={`Could not ${busy() ?? 'change'} ${props.plugin.name}:`} />
    </div>
  );
}
