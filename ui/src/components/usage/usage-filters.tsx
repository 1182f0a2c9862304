import { For, Show } from 'solid-js';
import { USAGE_RANGES, type UsageGrouping, type UsageRange } from '../../usage-types.ts';

/** What the usage page shows: its range, how bars are stacked, and the user and model it is narrowed to ('' for all). */
export interface UsageView {
  range: UsageRange;
  grouping: UsageGrouping;
  user: string;
  model: string;
}

/**
 * The usage page's controls: range (7/30/90 days), stacking by user or model, and filters by
 * user and model among those the data holds. The user filter is left out when only one user's
 * usage can be seen (a non-admin sees their own), the model filter when there is no usage.
 */
export function UsageFilters(props: { view: UsageView; users: string[]; models: string[]; showUsers: boolean; onChange: (view: UsageView) => void }) {
  const set = (change: Partial<UsageView>) => props.onChange({ ...props.view, ...change });

  return (
    <div class="usage-filters">
      <fieldset class="segmented">
        <legend>Range</legend>
        <For each={USAGE_RANGES}>
          {(days) => (
            <label>
              <input type="radio" name="usage-range" value={days} checked={props.view.range === days} onChange={() => set({ range: days })} />
              <span>{days} days</span>
            </label>
          )}
        </For>
      </fieldset>
      <fieldset class="segmented">
        <legend>Stack by</legend>
        <label>
          <input type="radio" name="usage-grouping" value="user" checked={props.view.grouping === 'user'} onChange={() => set({ grouping: 'user' })} />
          <span>By user</span>
        </label>
        <label>
          <input type="radio" name="usage-grouping" value="model" checked={props.view.grouping === 'model'} onChange={() => set({ grouping: 'model' })} />
          <span>By model</span>
        </label>
      </fieldset>
      <Show when={props.showUsers}>
        <label>
          <span>User</span>
          <select aria-label="User" onChange={(event) => set({ user: event.currentTarget.value })}>
            <option value="" selected={props.view.user === ''}>All users</option>
            <For each={props.users}>{(user) => <option value={user} selected={props.view.user === user}>{user}</option>}</For>
          </select>
        </label>
      </Show>
      <Show when={props.models.length > 0}>
        <label>
          <span>Model</span>
          <select aria-label="Model" onChange={(event) => set({ model: event.currentTarget.value })}>
            <option value="" selected={props.view.model === ''}>All models</option>
            <For each={props.models}>{(model) => <option value={model} selected={props.view.model === model}>{model}</option>}</For>
          </select>
        </label>
      </Show>
    </div>
  );
}
