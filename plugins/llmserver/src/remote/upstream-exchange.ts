import { RemoteAttemptError } from './remote-errors.ts';

/** The two waits of one exchange, in ms. */
export interface ExchangeTimeouts {
  /** From sending the request until the response headers, connecting included. */
  headersMs: number;
  /** Longest silence between two chunks of the response body. */
  idleMs: number;
}

/**
 * One HTTP request to an upstream over Node's fetch: the caller's signal aborts it, a timer aborts
 * it when the headers or the next body chunk are late, and every failure comes out as the caller's
 * abort reason or a RemoteAttemptError naming the host. `close()` aborts an unfinished body so the
 * socket is released (and the upstream sees the request end).
 */
export class UpstreamExchange {
  readonly #host: string;
  readonly #callerSignal: AbortSignal;
  readonly #timeouts: ExchangeTimeouts;
  readonly #controller = new AbortController();
  readonly #onCallerAbort = (): void => this.#controller.abort(this.#callerSignal.reason);
  #timer: NodeJS.Timeout | undefined;
  #timedOut: 'headers' | 'idle' | undefined;
  #response: Response | undefined;

  constructor(host: string, signal: AbortSignal, timeouts: ExchangeTimeouts) {
    this.#host = host;
    this.#callerSignal = signal;
    this.#timeouts = timeouts;
    signal.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** Sends the request and waits for the response headers. */
  async send(url: string, init: RequestInit): Promise<Response> {
    this.#callerSignal.throwIfAborted();
    this.#arm('headers', this.#timeouts.headersMs);
    try {
      this.#response = await fetch(url, { ...init, signal: this.#controller.signal });
      return this.#response;
    } catch (error) {
      throw this.#failure(error, 'connect');
    } finally {
      this.#disarm();
    }
  }

  /** The response body chunk by chunk, each one awaited under the idle timeout. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    const reader = this.#response?.body?.getReader();
    if (reader === undefined) return;
    try {
      for (;;) {
        this.#arm('idle', this.#timeouts.idleMs);
        const { done, value } = await reader.read();
        this.#disarm();
        if (done) return;
        yield value;
      }
    } catch (error) {
      throw this.#failure(error, 'body');
    } finally {
      this.#disarm();
      reader.releaseLock();
    }
  }

  /** The body as text; reading stops once `maxChars` are in (an error message needs no more). */
  async text(maxChars = Number.POSITIVE_INFINITY): Promise<string> {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of this.chunks()) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length >= maxChars) break;
    }
    return text + decoder.decode();
  }

  /** Ends the exchange; an unread body is aborted. Safe to call twice. */
  close(): void {
    this.#disarm();
    this.#callerSignal.removeEventListener('abort', this.#onCallerAbort);
    this.#controller.abort(new Error('exchange closed'));
  }

  #arm(kind: 'headers' | 'idle', ms: number): void {
    this.#disarm();
    this.#timer = setTimeout(() => {
      this.#timedOut = kind;
      this.#controller.abort(new Error(`upstream ${kind} timeout`));
    }, ms);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** What a failed fetch or body read means: the caller's abort, one of our timeouts, or the network. */
  #failure(error: unknown, phase: 'connect' | 'body'): unknown {
    if (this.#callerSignal.aborted) return this.#callerSignal.reason;
    if (error instanceof RemoteAttemptError) return error;
    if (this.#timedOut !== undefined) return this.#timeoutError(this.#timedOut);
    const code = networkCode(error);
    // Node's fetch has its own 300 s limits, which the config's maximum keeps out of reach; they mean the same.
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return this.#timeoutError('headers');
    if (code === 'UND_ERR_BODY_TIMEOUT') return this.#timeoutError('idle');
    if (phase === 'body') return new RemoteAttemptError('stream-cut', `the connection to ${this.#host} broke in the middle of the response (${code})`);
    const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `cannot resolve ${this.#host}` : `cannot connect to ${this.#host}`;
    return new RemoteAttemptError('offline', `${what} (${code})`);
  }

  #timeoutError(kind: 'headers' | 'idle'): RemoteAttemptError {
    const seconds = (ms: number) => `${Math.round(ms) / 1000} s`;
    return kind === 'headers'
      ? new RemoteAttemptError('timeout', `${this.#host} sent no response within ${seconds(this.#timeouts.headersMs)} (timeoutSeconds)`)
      : new RemoteAttemptError('timeout', `${this.#host} sent nothing for ${seconds(this.#timeouts.idleMs)} in the middle of its response (idleTimeoutSeconds)`);
  }
}

/** The system or undici code of a fetch failure (fetch wraps it in `cause`), else the error's message. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  for (const candidate of [cause, error]) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string') return code;
  }
  const source = cause instanceof Error ? cause : error;
  return source instanceof Error ? source.message : String(source);
}
