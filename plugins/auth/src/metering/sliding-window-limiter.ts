/** Limits checked against one key's window; an absent limit is not checked. */
export interface WindowLimits {
  /** Most events (requests) in any window. */
  maxEvents?: number;
  /** Most summed amount (tokens) in any window. */
  maxAmount?: number;
}

/** Why an event does not fit: which limit, and when it will. */
export interface WindowRefusal {
  metric: 'events' | 'amount';
  limit: number;
  /** Ms until enough of the window has expired for the event to fit; Infinity when it never can (amount above the limit). */
  retryAfterMs: number;
  /** Ms until every event now in the window has expired. */
  resetMs: number;
}

/** The events of one key still inside the window, oldest first, as parallel arrays with a moving head. */
class WindowLog {
  readonly times: number[] = [];
  readonly amounts: number[] = [];
  head = 0;
  total = 0;

  get count(): number {
    return this.times.length - this.head;
  }

  /** Drops the events at or before `cutoff`: an event counts while `now < time + window`. */
  dropThrough(cutoff: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.total -= this.amounts[this.head]!;
      this.head++;
    }
    // Compacting only once half the array is dead keeps dropping O(1) amortized.
    if (this.head > 32 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.amounts.splice(0, this.head);
      this.head = 0;
    }
  }
}

/**
 * Exact sliding-window limits per key (an API key, a user): a log of every event of the last
 * window, not fixed buckets, so a limit trips exactly at the limit and the wait it reports is
 * exactly when the oldest events that are in the way expire. Memory stays bounded: events
 * older than the window are dropped, and keys with nothing left in the window are forgotten.
 */
export class SlidingWindowLimiter {
  readonly windowMs: number;
  readonly #logs = new Map<string, WindowLog>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** Keys currently remembered (those with events inside the window, give or take one sweep). */
  get size(): number {
    return this.#logs.size;
  }

  /** Why one more event of `amount` at `now` would break `limits` for `key`, or undefined when it fits. */
  check(key: string, now: number, limits: WindowLimits, amount: number): WindowRefusal | undefined {
    this.#sweepIfDue(now);
    const log = this.#logs.get(key);
    if (log) log.dropThrough(now - this.windowMs);
    const count = log?.count ?? 0;
    const total = log?.total ?? 0;
    if (limits.maxEvents !== undefined && count + 1 > limits.maxEvents) {
      return this.#refusal(log, now, 'events', limits.maxEvents, (index) => index - log!.head + 1 >= count + 1 - limits.maxEvents!);
    }
    if (limits.maxAmount !== undefined && total + amount > limits.maxAmount) {
      if (amount > limits.maxAmount) return { metric: 'amount', limit: limits.maxAmount, retryAfterMs: Number.POSITIVE_INFINITY, resetMs: this.#resetMs(log, now) };
      const excess = total + amount - limits.maxAmount;
      let freed = 0;
      return this.#refusal(log, now, 'amount', limits.maxAmount, (index) => (freed += log!.amounts[index]!) >= excess);
    }
    return undefined;
  }

  /** Counts one event of `amount` at `now` for `key`. */
  record(key: string, now: number, amount: number): void {
    this.#sweepIfDue(now);
    let log = this.#logs.get(key);
    if (!log) this.#logs.set(key, (log = new WindowLog()));
    // A clock that steps back (tests, NTP) must not break the log's order.
    const last = log.times.length > log.head ? log.times[log.times.length - 1]! : now;
    log.times.push(Math.max(now, last));
    log.amounts.push(amount);
    log.total += amount;
  }

  /**
   * Changes the amount of the newest event of `key` recorded at `time` (or just after, when the
   * clock stepped back) with amount `from` to `to`; false when it already left the window.
   */
  adjust(key: string, time: number, from: number, to: number): boolean {
    const log = this.#logs.get(key);
    if (!log) return false;
    for (let index = log.times.length - 1; index >= log.head && log.times[index]! >= time; index--) {
      if (log.amounts[index] !== from) continue;
      log.amounts[index] = to;
      log.total += to - from;
      return true;
    }
    return false;
  }

  /** Drops expired events of every key and forgets keys left empty. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    const cutoff = now - this.windowMs;
    for (const [key, log] of this.#logs) {
      log.dropThrough(cutoff);
      if (log.count === 0) this.#logs.delete(key);
    }
  }

  /** Sweeps at most once per window, so idle keys go without a timer of their own. */
  #sweepIfDue(now: number): void {
    if (now - this.#lastSweep >= this.windowMs) this.#sweep(now);
  }

  /** The refusal whose wait ends when the oldest event satisfying `enough` (walking oldest first) expires. */
  #refusal(log: WindowLog | undefined, now: number, metric: WindowRefusal['metric'], limit: number, enough: (index: number) => boolean): WindowRefusal {
    let retryAfterMs = Number.POSITIVE_INFINITY;
    if (log) {
      for (let index = log.head; index < log.times.length; index++) {
        if (enough(index)) {
          retryAfterMs = log.times[index]! + this.windowMs - now;
          break;
        }
      }
    }
    return { metric, limit, retryAfterMs, resetMs: this.#resetMs(log, now) };
  }

  #resetMs(log: WindowLog | undefined, now: number): number {
    if (!log || log.count === 0) return 0;
    return log.times[log.times.length - 1]! + this.windowMs - now;
  }
}
