/** Samples kept per capability: enough for a stable p99, small enough to sort on demand. */
export const LATENCY_WINDOW_SIZE = 1024;

/** Latency of one capability: totals since the first call, percentiles over the recent window. */
export interface LatencySnapshot {
  /** Calls recorded, including failed ones. */
  count: number;
  /** Calls recorded as failed. */
  errors: number;
  /** Milliseconds, nearest-rank percentiles over the last LATENCY_WINDOW_SIZE calls. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Call latency per capability. Recording writes one slot of a preallocated Float64Array ring,
 * so the bus can call it on every request; sorting happens only when a snapshot is taken.
 */
export class LatencyStats {
  readonly #windowSize: number;
  readonly #windows = new Map<string, LatencyWindow>();

  constructor(options: { windowSize?: number } = {}) {
    const windowSize = options.windowSize ?? LATENCY_WINDOW_SIZE;
    if (!Number.isInteger(windowSize) || windowSize < 1) {
      throw new RangeError(`windowSize must be a positive integer, got ${windowSize}`);
    }
    this.#windowSize = windowSize;
  }

  /** Records a successful call to `capability` that took `durationMs`. */
  record(capability: string, durationMs: number): void {
    this.#window(capability).add(durationMs);
  }

  /** Records a failed call; its duration counts toward the percentiles, as the caller waited for it. */
  recordError(capability: string, durationMs: number): void {
    const window = this.#window(capability);
    window.add(durationMs);
    window.errors++;
  }

  /** The latency of `capability`, or undefined when it was never recorded. */
  snapshot(capability: string): LatencySnapshot | undefined {
    return this.#windows.get(capability)?.snapshot();
  }

  /** The latency of every recorded capability, by name. */
  snapshotAll(): Map<string, LatencySnapshot> {
    const all = new Map<string, LatencySnapshot>();
    for (const [capability, window] of this.#windows) all.set(capability, window.snapshot());
    return all;
  }

  /** Forgets `capability`, or every capability when none is named. */
  reset(capability?: string): void {
    if (capability === undefined) this.#windows.clear();
    else this.#windows.delete(capability);
  }

  #window(capability: string): LatencyWindow {
    let window = this.#windows.get(capability);
    if (window === undefined) {
      window = new LatencyWindow(this.#windowSize);
      this.#windows.set(capability, window);
    }
    return window;
  }
}

class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  count = 0;
  errors = 0;

  constructor(size: number) {
    this.#samples = new Float64Array(size);
  }

  add(durationMs: number): void {
    this.#samples[this.#next] = durationMs;
    this.#next = this.#next + 1 === this.#samples.length ? 0 : this.#next + 1;
    this.count++;
  }

  snapshot(): LatencySnapshot {
    const filled = Math.min(this.count, this.#samples.length);
    const sorted = this.#samples.slice(0, filled).sort();
    return {
      count: this.count,
      errors: this.errors,
      p50: nearestRank(sorted, 0.5),
      p95: nearestRank(sorted, 0.95),
      p99: nearestRank(sorted, 0.99),
      max: sorted[filled - 1] ?? 0,
    };
  }
}

function nearestRank(sorted: Float64Array, quantile: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(Math.ceil(quantile * sorted.length) - 1, 0)]!;
}
