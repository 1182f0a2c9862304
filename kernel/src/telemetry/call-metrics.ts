import type { BusError } from '@cyberstudio/sdk';
import { LatencyStats, type LatencySnapshot } from './latency-stats.ts';

/** Counters of one plugin's calls. */
export interface PluginCallCounters {
  calls: number;
  errors: number;
}

/** One settled call, as `onRecord` listeners see it. */
export interface SettledCall {
  plugin: string;
  capability: string;
  durationMs: number;
  error: BusError | undefined;
}

/** Counts calls, errors and latency per plugin and capability, as the bus settles them. */
export class CallMetrics {
  readonly #counters = new Map<string, PluginCallCounters>();
  readonly #latency = new Map<string, LatencyStats>();
  readonly #listeners = new Set<(call: SettledCall) => void>();

  /** Records one settled call and tells every listener. */
  record(plugin: string, capability: string, durationMs: number, error: BusError | undefined): void {
    let counters = this.#counters.get(plugin);
    if (!counters) this.#counters.set(plugin, (counters = { calls: 0, errors: 0 }));
    counters.calls += 1;
    let latency = this.#latency.get(plugin);
    if (!latency) this.#latency.set(plugin, (latency = new LatencyStats()));
    if (error) {
      counters.errors += 1;
      latency.recordError(capability, durationMs);
    } else {
      latency.record(capability, durationMs);
    }
    for (const listener of this.#listeners) {
      try {
        listener({ plugin, capability, durationMs, error });
      } catch {
        // The bus settles calls through here: an observer's bug must not fail a call that succeeded.
      }
    }
  }

  /** Calls `listener` for every call settled from now on; returns the function that stops it. */
  onRecord(listener: (call: SettledCall) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Calls and errors of `plugin` since the kernel started. */
  counters(plugin: string): PluginCallCounters {
    return { ...(this.#counters.get(plugin) ?? { calls: 0, errors: 0 }) };
  }

  /** Latency percentiles per capability of `plugin`. */
  latency(plugin: string): Record<string, LatencySnapshot> {
    return Object.fromEntries(this.#latency.get(plugin)?.snapshotAll() ?? []);
  }
}
