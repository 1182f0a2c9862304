import { batch, createEffect, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { KernelClient } from '../kernel-client.ts';
import type { TelemetrySample } from '../telemetry-types.ts';

/** Recent telemetry of one or more plugins, loaded and then live. */
export interface TelemetryHistory {
  /** `plugin`'s samples, oldest first, at most `limit` of them; empty before the first. Reactive. */
  samples(plugin: string): readonly TelemetrySample[];
  /** Why the last history load failed, if it did. */
  error: Accessor<unknown>;
  /** Why live samples are off (the `kernel.telemetry` subscription was refused), if they are. */
  liveError: Accessor<unknown>;
}

/** What to keep and load. */
export interface TelemetryHistoryOptions {
  /** Subscribe to this plugin's samples only; without it, every plugin's (one subscription for all). */
  plugin?: string;
  /** Samples kept per plugin (the kernel keeps 300, one a second). */
  limit: number;
  /** The plugins whose history to load from kernel.plugins.telemetry; names that appear later are loaded then. */
  plugins: Accessor<readonly string[]>;
}

const NONE: readonly TelemetrySample[] = [];

/** `existing` and `incoming` in time order, one sample per time, the newest `limit`. */
function merged(existing: readonly TelemetrySample[], incoming: readonly TelemetrySample[], limit: number): TelemetrySample[] {
  const last = existing.at(-1);
  // The common case, one new sample a second: append without sorting.
  if (incoming.length === 1 && (last === undefined || incoming[0]!.time > last.time)) return [...existing.slice(-(limit - 1)), incoming[0]!];
  const byTime = new Map<number, TelemetrySample>();
  for (const sample of [...existing, ...incoming]) byTime.set(sample.time, sample);
  return [...byTime.values()].sort((a, b) => a.time - b.time).slice(-limit);
}

/**
 * One `kernel.telemetry` subscription plus each plugin's history: each time the kernel confirms
 * the subscription (at first and after every reconnect, when samples were missed) the history of
 * every plugin in `plugins` is loaded again and merged by sample time with what arrived live.
 * Lives as long as the calling component.
 */
export function createTelemetryHistory(client: KernelClient, options: TelemetryHistoryOptions): TelemetryHistory {
  const [store, setStore] = createStore<Record<string, TelemetrySample[]>>({});
  const [error, setError] = createSignal<unknown>();
  const [liveError, setLiveError] = createSignal<unknown>();
  const loaded = new Set<string>();
  const controller = new AbortController();
  let active = false;

  const add = (plugin: string, samples: readonly TelemetrySample[]) => setStore(plugin, (existing) => merged(existing ?? NONE, samples, options.limit));
  const load = async (plugin: string) => {
    loaded.add(plugin);
    try {
      const samples = await client.call<TelemetrySample[]>('kernel.plugins.telemetry', { plugin, limit: options.limit }, { signal: controller.signal });
      add(plugin, samples);
      setError(undefined);
    } catch (failure) {
      if (!controller.signal.aborted) setError(failure);
    }
  };
  const loadAll = () => {
    active = true;
    loaded.clear();
    for (const plugin of options.plugins()) void load(plugin);
  };

  const subscription = client.subscribe(
    { topic: 'kernel.telemetry', ...(options.plugin === undefined ? {} : { plugin: options.plugin }) },
    (event) => {
      const samples = Array.isArray(event.data) ? (event.data as TelemetrySample[]) : [];
      batch(() => {
        for (const sample of samples) add(sample.plugin, [sample]);
      });
    },
    (failure) => {
      setLiveError(failure);
      loadAll(); // no live samples, but the history still shows
    },
    () => {
      setLiveError(undefined);
      loadAll();
    },
  );
  createEffect(
    on(options.plugins, (plugins) => {
      if (!active) return;
      for (const plugin of plugins) if (!loaded.has(plugin)) void load(plugin);
    }),
  );

  onCleanup(() => {
    subscription.dispose();
    controller.abort();
  });
  return { samples: (plugin) => store[plugin] ?? NONE, error, liveError };
}
