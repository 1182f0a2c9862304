import { createSignal, onCleanup } from 'solid-js';

/** A signal of `Date.now()` that ticks every `intervalMs` while the calling component lives (uptimes, countdowns). */
export function createClock(intervalMs = 1000): () => number {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), intervalMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
