/** Options of GenerationSlots. */
export interface GenerationSlotsOptions {
  /** Work items running at once. */
  readonly limit: number;
  /** Work items waiting beyond `limit`; one more is refused with `onFull()`. */
  readonly queueLimit: number;
  /** The error a refused acquire rejects with. */
  readonly onFull: () => Error;
  /** Called whenever the last running item finishes with nothing waiting. */
  readonly onIdle?: () => void;
}

interface Waiter {
  readonly resolve: (release: () => void) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * A counting semaphore with a bounded FIFO queue: the per-model limit of generations at once
 * (one per context sequence) and of generations waiting for one.
 */
export class GenerationSlots {
  readonly #options: GenerationSlotsOptions;
  #active = 0;
  #waiting: Waiter[] = [];
  #closedWith: unknown;

  constructor(options: GenerationSlotsOptions) {
    this.#options = options;
  }

  /** Items running now. */
  get active(): number {
    return this.#active;
  }

  /** Items waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** True when nothing runs or waits. */
  get idle(): boolean {
    return this.#active === 0 && this.#waiting.length === 0;
  }

  /**
   * Resolves with a release function (call it once the work is done; later calls do nothing) when
   * a slot is free. Rejects with `onFull()` when the queue is full, with `signal.reason` when the
   * signal aborts first, and with the close error after `close`.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.#options.limit) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= this.#options.queueLimit) return Promise.reject(this.#options.onFull());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiting = this.#waiting.filter((entry) => entry !== waiter);
          reject(signal!.reason);
          this.#notifyIfIdle();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Rejects every waiting item and every later acquire with `error`; running items keep their slots. Idempotent. */
  close(error: unknown): void {
    if (this.#closedWith !== undefined) return;
    this.#closedWith = error;
    for (const waiter of this.#waiting.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(error);
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) {
        next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(this.#releaser());
        return;
      }
      this.#active--;
      this.#notifyIfIdle();
    };
  }

  #notifyIfIdle(): void {
    if (this.idle && this.#closedWith === undefined) this.#options.onIdle?.();
  }
}
