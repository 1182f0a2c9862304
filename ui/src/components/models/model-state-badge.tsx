import type { ModelState } from '../../models-types.ts';

/** Each model state in the plugin states' visual language: in memory is "good", on its way is "busy". */
const TONE: Record<ModelState, 'good' | 'busy' | 'idle' | 'bad' | 'remote'> = {
  loaded: 'good',
  loading: 'busy',
  downloading: 'busy',
  unloaded: 'idle',
  failed: 'bad',
  remote: 'remote',
};

/** A model's state as a coloured badge with the state's name (the dashboard's `.state-badge`). */
export function ModelStateBadge(props: { state: ModelState }) {
  return (
    <span class="state-badge" data-tone={TONE[props.state] ?? 'idle'} data-state={props.state}>
      {props.state}
    </span>
  );
}
