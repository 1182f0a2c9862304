import type { PluginState } from '../kernel-types.ts';

/** How each state is told at a glance: a tone the themes colour, and the word. */
const TONE: Record<PluginState, 'good' | 'busy' | 'idle' | 'bad'> = {
  running: 'good',
  starting: 'busy',
  stopping: 'busy',
  backoff: 'bad',
  unhealthy: 'bad',
  stopped: 'idle',
  crashed: 'bad',
  quarantined: 'bad',
};

/** A plugin's state as a coloured badge with the state's name. */
export function StateBadge(props: { state: PluginState }) {
  return (
    <span class="state-badge" data-tone={TONE[props.state] ?? 'idle'} data-state={props.state}>
      {props.state}
    </span>
  );
}
