import { BusError, isWireError } from '../protocol/bus-error.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { Method } from '../protocol/protocol-constants.ts';
import type { CancelParams, ProgressParams } from '../protocol/messages.ts';
import { isRequestId, type RequestId, type RequestMessage, type ResponseMessage } from './json-rpc-message.ts';
import type { Transport, TransportDiagnostic } from './transport.ts';
import { CancellationSource } from './cancellation-source.ts';

/**
 * The part of AbortSignal the engine needs to follow a cancellation. A real AbortSignal is one;
 * an incoming request offers one without allocating an AbortController per call.
 */
export interface CancellationSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What a request handler receives besides method and params. */
export interface IncomingRequestContext {
  readonly id: RequestId;
  /** Aborted when the peer cancels, the connection closes, or the owner aborts it. Built on first use. */
  readonly signal: AbortSignal;
  /** The same cancellation as `signal`, without building an AbortSignal: for forwarding it to another request. */
  readonly cancellation: CancellationSignal;
  /** Sends one `$/progress` chunk for this request, before its result. */
  progress(chunk: unknown): void;
}

/** Something the connection saw that was not a valid exchange; never fatal. */
export type ConnectionDiagnostic =
  | TransportDiagnostic
  | { kind: 'invalid-message'; message: unknown }
  | { kind: 'unknown-response'; id: unknown };

/** The owner's side of a connection. */
export interface RpcConnectionHandlers {
  /** Answers a request; return a value, a promise, or throw a BusError. */
  onRequest(method: string, params: unknown, context: IncomingRequestContext): unknown;
  onNotification?(method: string, params: unknown): void;
  onDiagnostic?(diagnostic: ConnectionDiagnostic): void;
  /** Called once when the connection is closed, by either side. */
  onClose?(error: BusError): void;
}

/** Options of one outgoing request. */
export interface RequestOptions {
  signal?: CancellationSignal;
  /** Idle timeout in ms: fails with Timeout when neither result nor progress arrives for this long. */
  timeout?: number;
  /** Total timeout in ms, whatever progress arrives. */
  totalTimeout?: number;
  /** Receives each `$/progress` chunk of this request. */
  onProgress?(chunk: unknown): void;
}

/** Wire error raised by the connection itself. */
function closedError(reason: string): BusError {
  return new BusError(ErrorCode.ConnectionClosed, `Connection closed: ${reason}`, { reason });
}

type Timer = ReturnType<typeof setTimeout>;

/** Arms a timer that does not keep a Node process alive; elsewhere timers are plain numbers without `unref`. */
function startTimer(callback: () => void, ms: number): Timer {
  const timer = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

class PendingRequest {
  idleTimer: Timer | undefined;
  totalTimer: Timer | undefined;
  abortListener: (() => void) | undefined;
  #idle: { ms: number; onIdle: () => void } | undefined;

  constructor(
    readonly method: string,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: BusError) => void,
    readonly options: RequestOptions | undefined,
  ) {}

  armIdle(ms: number, onIdle: () => void): void {
    this.#idle = { ms, onIdle };
    this.restartIdle();
  }

  /** Starts the idle timeout over; clear and re-arm, because `refresh()` exists only on Node timers. */
  restartIdle(): void {
    if (!this.#idle) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = startTimer(this.#idle.onIdle, this.#idle.ms);
  }

  clear(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.totalTimer) clearTimeout(this.totalTimer);
    if (this.abortListener) this.options!.signal!.removeEventListener('abort', this.abortListener);
  }
}

class IncomingRequest extends CancellationSource implements IncomingRequestContext {
  /** Set once a response (result, error or cancellation) went out; later results are dropped. */
  answered = false;
  #controller: AbortController | undefined;

  constructor(
    readonly id: RequestId,
    readonly connection: RpcConnection,
  ) {
    super();
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  get cancellation(): CancellationSignal {
    return this;
  }

  /** Aborts the handler's signal and every forwarded cancellation, once. */
  override abort(reason: unknown): void {
    if (this.aborted) return;
    super.abort(reason);
    this.#controller?.abort(reason);
  }

  progress(chunk: unknown): void {
    if (!this.answered) this.connection.notify(Method.Progress, { id: this.id, chunk } satisfies ProgressParams);
  }
}

/**
 * One JSON-RPC 2.0 peer over a Transport: sends requests and matches responses, dispatches
 * incoming requests to the owner, and implements the protocol's own methods (`$/ping`,
 * `$/cancelRequest`, `$/progress`). Closing rejects every pending request and aborts every
 * running handler.
 */
export class RpcConnection {
  readonly #transport: Transport;
  readonly #handlers: RpcConnectionHandlers;
  readonly #pending = new Map<RequestId, PendingRequest>();
  readonly #incoming = new Map<RequestId, IncomingRequest>();
  #nextId = 1;
  #closed: BusError | undefined;

  constructor(transport: Transport, handlers: RpcConnectionHandlers) {
    this.#transport = transport;
    this.#handlers = handlers;
  }

  /** Starts reading from the transport. */
  start(): void {
    this.#transport.start({
      onMessage: (message) => this.#receive(message),
      onClose: (reason, error) => this.dispose(error ?? closedError(reason)),
      onDiagnostic: (diagnostic) => this.#handlers.onDiagnostic?.(diagnostic),
    });
  }

  /** Outgoing requests still waiting for a response. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Incoming requests whose handlers have not answered yet. */
  get activeCount(): number {
    return this.#incoming.size;
  }

  /** True once disposed or the transport closed. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Sends a request; resolves with its result or rejects with a BusError. */
  request(method: string, params: unknown, options?: RequestOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelledError(signal.reason, method));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const pending = new PendingRequest(method, resolve, reject, options);
      this.#pending.set(id, pending);
      if (options) this.#arm(id, pending, options);
      try {
        this.#transport.send({ jsonrpc: '2.0', id, method, params } as RequestMessage);
      } catch (error) {
        // Params JSON cannot carry (a BigInt, a cycle): nothing was sent, so nothing stays pending.
        this.#pending.delete(id);
        pending.clear();
        reject(BusError.from(error));
      }
    });
  }

  /** Sends a notification. Dropped silently once closed. */
  notify(method: string, params: unknown): void {
    if (!this.#closed) this.#transport.send({ jsonrpc: '2.0', method, params } as RequestMessage);
  }

  /** Closes the connection: pending requests reject with `error`, running handlers abort. Idempotent. */
  dispose(error: BusError = closedError('disposed')): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const pending of this.#pending.values()) {
      pending.clear();
      pending.reject(error);
    }
    this.#pending.clear();
    for (const incoming of this.#incoming.values()) {
      incoming.answered = true;
      incoming.abort(error);
    }
    this.#incoming.clear();
    this.#transport.close();
    this.#handlers.onClose?.(error);
  }

  /** Same as dispose(); for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
  }

  /**
   * Answers every incoming request still running, except `keep`, with `error` and aborts its
   * handler (a late result is dropped). The connection stays open: for a receiver that stops.
   */
  abortIncoming(error: BusError, { keep }: { keep?: RequestId } = {}): void {
    for (const incoming of [...this.#incoming.values()]) {
      if (incoming.id === keep) continue;
      this.#finish(incoming);
      this.#sendError(incoming.id, error);
      incoming.abort(error);
    }
  }

  #arm(id: RequestId, pending: PendingRequest, options: RequestOptions): void {
    const { timeout, totalTimeout, signal } = options;
    if (timeout !== undefined && timeout > 0) {
      pending.armIdle(timeout, () => this.#abandon(id, timeoutError(pending.method, timeout, 'idle')));
    }
    if (totalTimeout !== undefined && totalTimeout > 0) {
      pending.totalTimer = startTimer(() => this.#abandon(id, timeoutError(pending.method, totalTimeout, 'total')), totalTimeout);
    }
    if (signal) {
      pending.abortListener = () => this.#abandon(id, cancelledError(signal.reason, pending.method));
      signal.addEventListener('abort', pending.abortListener, { once: true });
    }
  }

  /** Gives up on an outgoing request locally and tells the peer to stop working on it. */
  #abandon(id: RequestId, error: BusError): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.clear();
    pending.reject(error);
    this.notify(Method.CancelRequest, { id } satisfies CancelParams);
  }

  #receive(message: unknown): void {
    // A transport may still hand over the rest of a chunk, or a final line at EOF, after close.
    if (this.#closed) return;
    if (typeof message !== 'object' || message === null || (message as RequestMessage).jsonrpc !== '2.0') {
      this.#rejectInvalid(message);
      return;
    }
    const msg = message as RequestMessage & ResponseMessage;
    if (typeof msg.method === 'string') {
      if (msg.id === undefined) this.#receiveNotification(msg.method, msg.params);
      else if (isRequestId(msg.id)) this.#receiveRequest(msg.id, msg.method, msg.params);
      else this.#rejectInvalid(message);
    } else if ('result' in msg || isWireError(msg.error)) {
      this.#receiveResponse(msg);
    } else {
      this.#rejectInvalid(message);
    }
  }

  #rejectInvalid(message: unknown): void {
    this.#handlers.onDiagnostic?.({ kind: 'invalid-message', message });
    const id = (message as { id?: unknown } | null)?.id;
    if (isRequestId(id)) {
      this.#sendError(id, new BusError(ErrorCode.InvalidRequest, 'Invalid JSON-RPC 2.0 request'));
    }
  }

  #receiveResponse(msg: ResponseMessage): void {
    const pending = msg.id === null ? undefined : this.#pending.get(msg.id);
    if (!pending) {
      this.#handlers.onDiagnostic?.({ kind: 'unknown-response', id: msg.id });
      return;
    }
    this.#pending.delete(msg.id!);
    pending.clear();
    if (msg.error) pending.reject(BusError.fromWire(msg.error));
    else pending.resolve(msg.result);
  }

  #receiveNotification(method: string, params: unknown): void {
    if (method === Method.Progress) {
      const { id, chunk } = (params ?? {}) as Partial<ProgressParams>;
      const pending = isRequestId(id) ? this.#pending.get(id) : undefined;
      if (!pending) return;
      pending.restartIdle();
      pending.options?.onProgress?.(chunk);
      return;
    }
    if (method === Method.CancelRequest) {
      const id = (params as Partial<CancelParams> | undefined)?.id;
      const incoming = isRequestId(id) ? this.#incoming.get(id) : undefined;
      if (!incoming) return;
      const error = new BusError(ErrorCode.Cancelled, 'Request cancelled by the caller', { reason: 'cancelled by caller' });
      this.#finish(incoming);
      this.#sendError(incoming.id, error);
      incoming.abort(error);
      return;
    }
    this.#handlers.onNotification?.(method, params);
  }

  #receiveRequest(id: RequestId, method: string, params: unknown): void {
    if (method === Method.Ping) {
      this.#transport.send({ jsonrpc: '2.0', id, result: {} });
      return;
    }
    const incoming = new IncomingRequest(id, this);
    this.#incoming.set(id, incoming);
    let outcome: unknown;
    try {
      outcome = this.#handlers.onRequest(method, params, incoming);
    } catch (error) {
      this.#answerError(incoming, error);
      return;
    }
    if (outcome !== null && typeof (outcome as Promise<unknown>)?.then === 'function') {
      (outcome as Promise<unknown>).then(
        (result) => this.#answer(incoming, result),
        (error: unknown) => this.#answerError(incoming, error),
      );
    } else {
      this.#answer(incoming, outcome);
    }
  }

  #answer(incoming: IncomingRequest, result: unknown): void {
    if (incoming.answered) return;
    this.#finish(incoming);
    try {
      this.#transport.send({ jsonrpc: '2.0', id: incoming.id, result: result === undefined ? null : result });
    } catch (error) {
      // The caller must still get its one response, or it would wait for a timeout.
      this.#sendError(incoming.id, BusError.from(error));
    }
  }

  #answerError(incoming: IncomingRequest, error: unknown): void {
    if (incoming.answered) return;
    this.#finish(incoming);
    this.#sendError(incoming.id, BusError.from(error));
  }

  #finish(incoming: IncomingRequest): void {
    incoming.answered = true;
    this.#incoming.delete(incoming.id);
  }

  #sendError(id: RequestId, error: BusError): void {
    if (this.#closed) return;
    try {
      this.#transport.send({ jsonrpc: '2.0', id, error: error.toJSON() });
    } catch {
      // Error data JSON cannot carry: the code and message still answer the request.
      this.#transport.send({ jsonrpc: '2.0', id, error: { code: error.code, message: error.message } });
    }
  }
}

/** A Timeout error for `method` after `timeoutMs`. */
export function timeoutError(method: string, timeoutMs: number, kind: 'idle' | 'total'): BusError {
  const what = kind === 'idle' ? 'no result or progress' : 'no result';
  return new BusError(ErrorCode.Timeout, `${method}: ${what} within ${timeoutMs} ms`, { capability: method, timeoutMs, kind });
}

/** A Cancelled error carrying the abort reason, or the reason itself when it already is a BusError. */
export function cancelledError(reason: unknown, method: string): BusError {
  if (reason instanceof BusError) return reason;
  const text = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new BusError(ErrorCode.Cancelled, `${method}: cancelled (${text})`, { reason: text });
}
