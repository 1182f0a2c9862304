import type { ModelState } from '../../models-types.ts';
import { StateBadge, type StateTone } from '../state-badge.tsx';

/** Each model state in the plugin states' visual language: in memory is "good", on its way is "busy". */
const TONE: Record<ModelState, StateTone> = {
  loaded: 'good',
  loading: 'busy',
  downloading: 'busy',
  unloaded: 'idle',
  failed: 'bad',
  remote: 'remote',
};

/** A model's state as a coloured badge with the state's name. */
export function ModelStateBadge(props: { state: ModelState }) {
  return <StateBadge state={props.state} tone={TONE[props.state] ?? 'idle'} />;
}
