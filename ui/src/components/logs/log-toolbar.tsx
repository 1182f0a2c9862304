import { createSignal, For, onCleanup, type JSX } from 'solid-js';
import type { LogLevel } from '@cyberstudio/sdk';

/** Every level, least severe first, as the level filter offers them. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** How long typing must pause before the search reloads the lines. */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * The log tab's controls: the minimum level, a search box (reported after typing pauses), the
 * pause toggle, and `status` (what the tail is doing) in a live region.
 */
export function LogToolbar(props: {
  level: LogLevel;
  onLevel(level: LogLevel): void;
  onSearch(q: string): void;
  paused: boolean;
  onPause(paused: boolean): void;
  status: JSX.Element;
}) {
  const [text, setText] = createSignal('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const search = (value: string, at: 'typing' | 'now') => {
    setText(value);
    clearTimeout(timer);
    if (at === 'now') props.onSearch(value);
    else timer = setTimeout(() => props.onSearch(value), SEARCH_DEBOUNCE_MS);
  };
  onCleanup(() => clearTimeout(timer));

  return (
    <div class="log-toolbar">
      <label>
        Minimum level
        <select value={props.level} onChange={(event) => props.onLevel(event.currentTarget.value as LogLevel)}>
          <For each={LOG_LEVELS}>{(level) => <option value={level}>{level}</option>}</For>
        </select>
      </label>
      <label class="log-search">
        Search
        <input
          type="search"
          placeholder="Text in the message or fields"
          value={text()}
          onInput={(event) => search(event.currentTarget.value, 'typing')}
          onKeyDown={(event) => event.key === 'Enter' && search(event.currentTarget.value, 'now')}
        />
      </label>
      <button type="button" class="button log-pause" onClick={() => props.onPause(!props.paused)}>
        {props.paused ? 'Resume' : 'Pause'}
      </button>
      <p class="log-status muted" role="status">
        {props.status}
      </p>
    </div>
  );
}
