import type { PluginState } from '../kernel-types.ts';

/** The tones the themes colour a state in: working, on its way, at rest, failing, elsewhere. */
export type StateTone = 'good' | 'busy' | 'idle' | 'bad' | 'remote';

/** How each plugin state is told at a glance. */
const PLUGIN_TONE: Record<PluginState, StateTone> = {
  running: 'good',
  starting: 'busy',
  stopping: 'busy',
  backoff: 'bad',
  unhealthy: 'bad',
  stopped: 'idle',
  crashed: 'bad',
  quarantined: 'bad',
};

/** A state as a coloured badge with the state's name: a plugin's by default, or anything with its `tone`. */
export function StateBadge(props: { state: PluginState } | { state: string; tone: StateTone }) {
  const tone = () => ('tone' in props ? props.tone : (PLUGIN_TONE[props.state] ?? 'idle'));
  return (
    <span class="state-badge" data-tone={tone()} data-state={props.state}>
      {props.state}
    </span>
  );
}
