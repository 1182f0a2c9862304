import type { RestartSettings } from '../registry/index.ts';

/** What to do after a crash: wait `delayMs` and restart, or quarantine. */
export type CrashVerdict = { action: 'restart'; delayMs: number; attempt: number } | { action: 'quarantine'; crashes: number };

/**
 * Counts crashes in a sliding window and computes jittered exponential restart delays.
 * More than `maxRestarts` crashes within `windowSeconds` means quarantine.
 */
export class RestartBackoff {
  readonly #settings: RestartSettings;
  readonly #random: () => number;
  #crashTimes: number[] = [];
  #attempt = 0;

  constructor(settings: RestartSettings, random: () => number = Math.random) {
    this.#settings = settings;
    this.#random = random;
  }

  /** Records a crash at `now` (epoch ms) and says whether to restart, and after how long. */
  recordCrash(now: number): CrashVerdict {
    const windowStart = now - this.#settings.windowSeconds * 1000;
    this.#crashTimes = this.#crashTimes.filter((time) => time > windowStart);
    this.#crashTimes.push(now);
    if (this.#crashTimes.length > this.#settings.maxRestarts) return { action: 'quarantine', crashes: this.#crashTimes.length };
    const { initialMs, maxMs, jitter } = this.#settings.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** this.#attempt);
    const spread = 1 + jitter * (this.#random() * 2 - 1);
    this.#attempt += 1;
    return { action: 'restart', delayMs: Math.max(0, Math.round(base * spread)), attempt: this.#attempt };
  }

  /** The plugin ran long enough to count as stable: the next crash starts from the initial delay. */
  markStable(): void {
    this.#attempt = 0;
  }

  /** Forgets all crashes (an operator's explicit start after quarantine). */
  reset(): void {
    this.#attempt = 0;
    this.#crashTimes = [];
  }

  /** Crashes inside the current window. */
  get recentCrashes(): number {
    return this.#crashTimes.length;
  }
}
