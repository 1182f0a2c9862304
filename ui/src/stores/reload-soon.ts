import { onCleanup } from 'solid-js';

/** How long after a change event a store reloads; one reload covers a burst of events. */
export const RELOAD_DELAY_MS = 150;

/**
 * `refresh`, coalesced: each call (re)starts a short wait, after which refresh runs once. The
 * wait is cancelled with the calling component.
 */
export function createReloadSoon(refresh: () => Promise<void>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), RELOAD_DELAY_MS);
  };
}
