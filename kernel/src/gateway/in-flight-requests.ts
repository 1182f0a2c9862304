import { BusError, ErrorCode, type CancellationSource } from '@cyberstudio/sdk';

/**
 * The cancellation sources of HTTP requests whose calls are running (`/rpc`, plugin routes), so
 * a closing gateway can end their calls with ShuttingDown and answer them before it cuts their
 * connections, instead of leaving their clients with a closed socket and no answer.
 */
export class InFlightRequests {
  readonly #sources = new Set<CancellationSource>();
  #closing = false;

  /** True once shutDown() was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Tracks `source` until `untrack(source)`; a source tracked after shutDown() is aborted at once. */
  track(source: CancellationSource): void {
    if (this.#closing) source.abort(shuttingDownError());
    else this.#sources.add(source);
  }

  /** Stops tracking `source` (its request was answered or its client went away). */
  untrack(source: CancellationSource): void {
    this.#sources.delete(source);
  }

  /** Aborts every tracked source, and every one tracked later, with ShuttingDown. Idempotent. */
  shutDown(): void {
    this.#closing = true;
    const error = shuttingDownError();
    for (const source of this.#sources) source.abort(error);
    this.#sources.clear();
  }
}

/** The error calls cut short by the gateway's shutdown end with (ShuttingDown, HTTP 503). */
export function shuttingDownError(): BusError {
  return new BusError(ErrorCode.ShuttingDown, 'The kernel is shutting down: the call was stopped before it finished; retry once the kernel is back', { reason: 'gateway closing' });
}
