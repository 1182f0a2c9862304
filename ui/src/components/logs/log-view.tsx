import { createEffect, createSignal, For, on, Show } from 'solid-js';
import type { LogEntry } from '../../stores/log-tail.ts';
import { LogLine } from './log-line.tsx';

/** How close (px) to the bottom still counts as "at the newest line", so rounding does not stop following. */
const BOTTOM_SLACK_PX = 8;

/** The seq of the newest record among `entries`, or -1. */
function newestSeq(entries: readonly LogEntry[]): number {
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (entry.kind === 'record') return entry.record.seq;
  }
  return -1;
}

/**
 * The scrolling list of log lines. It follows the newest line while the reader is at the bottom;
 * once they scroll up it stays put and offers "N new lines — jump to latest" instead.
 */
export function LogView(props: { entries: readonly LogEntry[]; label: string }) {
  let box!: HTMLDivElement;
  const [following, setFollowing] = createSignal(true);
  // The newest line the reader had seen when they scrolled away from the bottom.
  const [seenSeq, setSeenSeq] = createSignal(-1);
  const unseen = () => {
    if (following()) return 0;
    const seen = seenSeq();
    return props.entries.filter((entry) => entry.kind === 'record' && entry.record.seq > seen).length;
  };

  const toBottom = () => {
    box.scrollTop = box.scrollHeight;
  };
  const onScroll = () => {
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK_PX;
    if (atBottom === following()) return;
    if (!atBottom) setSeenSeq(newestSeq(props.entries));
    setFollowing(atBottom);
  };
  const jumpToLatest = () => {
    setFollowing(true);
    toBottom();
    box.focus();
  };
  // Runs after the list has rendered the new entries, so scrollHeight already counts them.
  createEffect(
    on(
      () => props.entries,
      () => {
        if (following()) toBottom();
      },
    ),
  );

  return (
    <div class="log-view">
      <div ref={box} class="log-scroll" role="log" aria-label={props.label} tabIndex={0} onScroll={onScroll}>
        <ol class="log-list">
          <For each={props.entries}>{(entry) => <LogLine entry={entry} />}</For>
        </ol>
      </div>
      <Show when={unseen() > 0}>
        <button type="button" class="button primary log-jump" onClick={jumpToLatest}>
          {unseen()} new {unseen() === 1 ? 'line' : 'lines'} — jump to latest
        </button>
      </Show>
    </div>
  );
}
