import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** A value loaded now and again every few seconds: the latest answer, the latest failure, when it came, and a way to ask at once. */
export interface Poll<T> {
  value: Accessor<T | undefined>;
  /** The last load's failure; cleared by the next success. */
  error: Accessor<unknown>;
  /** Epoch ms of the last successful load. */
  loadedAt: Accessor<number | undefined>;
  /** Loads now (a load already under way is awaited instead). */
  refresh(): Promise<void>;
}

/**
 * Calls `load` at once and then every `intervalMs` while the calling component lives, one load
 * at a time. Loads are skipped while the browser tab is hidden (nobody reads them) and resume at
 * once when it shows again. Leaving the component stops the timer and aborts a load under way.
 */
export function createPoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number): Poll<T> {
  const [value, setValue] = createSignal<T>();
  const [error, setError] = createSignal<unknown>();
  const [loadedAt, setLoadedAt] = createSignal<number>();
  const controller = new AbortController();
  let running: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    running ??= (async () => {
      try {
        const answer = await load(controller.signal);
        if (controller.signal.aborted) return;
        setValue(() => answer);
        setError(undefined);
        setLoadedAt(Date.now());
      } catch (failure) {
        if (!controller.signal.aborted) setError(() => failure);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const tick = () => {
    if (document.visibilityState !== 'hidden') void refresh();
  };
  const timer = setInterval(tick, intervalMs);
  const onVisibility = () => tick();
  document.addEventListener('visibilitychange', onVisibility);
  onCleanup(() => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisibility);
    controller.abort();
  });
  void refresh();
  return { value, error, loadedAt, refresh };
}
