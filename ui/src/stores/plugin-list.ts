import { createSignal, onCleanup, type Accessor } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { KernelClient } from '../kernel-client.ts';
import type { PluginSummary, StateChange } from '../kernel-types.ts';
import { createReloadSoon } from './reload-soon.ts';

/** The dashboard's live plugin list. `updatedAt` is when the list last matched the kernel (epoch ms). */
export interface PluginList {
  plugins: Accessor<PluginSummary[] | undefined>;
  error: Accessor<unknown>;
  /** Why live updates are off (the `kernel.plugin.state` subscription was refused), if they are. */
  liveError: Accessor<unknown>;
  updatedAt: Accessor<number | undefined>;
  /** Reloads the list from the kernel now. */
  refresh(): Promise<void>;
  /** Puts a start/stop/restart answer into the list at once. */
  apply(summary: PluginSummary): void;
}

/**
 * Loads `kernel.plugins.list` and keeps it true: each `kernel.plugin.state` event sets the
 * plugin's state at once and schedules a reload for the rest (pid, uptime, restarts, last
 * error); a reconnect reloads too, since events may have been missed meanwhile. Entries are
 * reconciled by name, so rows (and what they hold, such as an open confirmation) survive reloads.
 * Lives as long as the calling component.
 */
export function createPluginList(client: KernelClient): PluginList {
  const [store, setStore] = createStore<{ plugins?: PluginSummary[] }>({});
  const [error, setError] = createSignal<unknown>();
  const [liveError, setLiveError] = createSignal<unknown>();
  const [updatedAt, setUpdatedAt] = createSignal<number>();
  let generation = 0;

  const refresh = async () => {
    const mine = ++generation;
    try {
      const list = await client.call<PluginSummary[]>('kernel.plugins.list');
      if (mine !== generation) return;
      setStore('plugins', reconcile(list, { key: 'name' }));
      setError(undefined);
      setUpdatedAt(Date.now());
    } catch (failure) {
      if (mine === generation) setError(failure);
    }
  };
  const reloadSoon = createReloadSoon(refresh);
  const apply = (summary: PluginSummary) => {
    generation++; // a list already on its way predates this answer: drop it
    setStore('plugins', (plugin) => plugin.name === summary.name, reconcile(summary));
    reloadSoon();
  };

  const subscription = client.subscribe(
    { topic: 'kernel.plugin.state' },
    (event) => {
      const change = event.data as StateChange;
      generation++;
      setStore('plugins', (plugin) => plugin.name === change.plugin, 'state', change.to);
      reloadSoon();
    },
    (failure) => setLiveError(failure),
  );
  const stopListening = client.onReconnect(() => void refresh());
  void refresh();

  onCleanup(() => {
    subscription.dispose();
    stopListening();
  });
  return { plugins: () => store.plugins, error, liveError, updatedAt, refresh, apply };
}
