import { BusError, ErrorCode, cancelledError } from '@cyberstudio/sdk';

interface Waiter {
  resolve(): void;
  reject(error: BusError): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Limits the calls in flight to one plugin; callers beyond the limit wait in a bounded FIFO
 * queue, and beyond the queue get Overloaded at once.
 */
export class ConcurrencyGate {
  readonly #plugin: string;
  #maxActive: number;
  #queueLimit: number;
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(plugin: string, maxActive: number, queueLimit: number) {
    this.#plugin = plugin;
    this.#maxActive = maxActive;
    this.#queueLimit = queueLimit;
  }

  /** Calls holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Changes the limits (a config reload); waiting calls are admitted if room appeared. */
  resize(maxActive: number, queueLimit: number): void {
    this.#maxActive = maxActive;
    this.#queueLimit = queueLimit;
    this.#admit();
  }

  /** Takes a slot if one is free; the caller must `release()` it. */
  tryAcquire(): boolean {
    if (this.#active >= this.#maxActive || this.#queue.length > 0) return false;
    this.#active += 1;
    return true;
  }

  /** Waits for a slot; rejects with Overloaded when the queue is full, Cancelled when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (this.#queue.length >= this.#queueLimit) {
      return Promise.reject(
        new BusError(ErrorCode.Overloaded, `Plugin '${this.#plugin}' is overloaded: ${this.#active} calls running and ${this.#queue.length} queued`, {
          plugin: this.#plugin,
          maxConcurrentCalls: this.#maxActive,
          queueLimit: this.#queueLimit,
        }),
      );
    }
    if (signal?.aborted) return Promise.reject(cancelledError(signal.reason, 'queued call'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(cancelledError(signal.reason, 'queued call'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
    });
  }

  /** Returns a slot and admits the next waiter. */
  release(): void {
    this.#active -= 1;
    this.#admit();
  }

  /** Rejects every waiting call with `error` (the plugin went away). */
  rejectQueued(error: BusError): void {
    for (const waiter of this.#queue.splice(0)) {
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      waiter.reject(error);
    }
  }

  #admit(): void {
    while (this.#active < this.#maxActive && this.#queue.length > 0) {
      const waiter = this.#queue.shift()!;
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      this.#active += 1;
      waiter.resolve();
    }
  }
}
