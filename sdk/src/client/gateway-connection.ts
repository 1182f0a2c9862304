import { JSONRPCClient, createJSONRPCNotification, createJSONRPCRequest, type JSONRPCResponse } from 'json-rpc-2.0';
import { BusError, isWireError } from '../protocol/bus-error.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ClientDefaults } from './client-defaults.ts';
import type { GatewayEvent } from './gateway-event.ts';
import { SOCKET_OPEN, type SocketCloseEvent, type WebSocketLike } from './web-socket-like.ts';

/** Options of one request: abort it, bound it, and receive its `$/progress` chunks. */
export interface GatewayRequestOptions {
  /** Aborting sends `$/cancelRequest` and rejects the request with Cancelled. */
  signal?: AbortSignal;
  /** Milliseconds until the request is cancelled the same way and rejects with Timeout. */
  timeout?: number;
  /** Receives each `$/progress` chunk of this request, in order. */
  onProgress?: (chunk: unknown) => void;
}

interface PendingRequest {
  onProgress?: (chunk: unknown) => void;
  fail(error: BusError): void;
}

/**
 * One JSON-RPC 2.0 session on the gateway's `/ws`, for the CLI and the studio alike: requests
 * with `$/progress` chunks, cancellation by `$/cancelRequest`, and `$/event` notifications.
 * When the socket closes, every pending request rejects with ConnectionClosed.
 */
export class GatewayConnection {
  readonly #socket: WebSocketLike;
  readonly #rpc: JSONRPCClient;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #eventListeners = new Set<(event: GatewayEvent) => void>();
  readonly #closeListeners = new Set<(event: SocketCloseEvent) => void>();
  readonly #closed: Promise<void>;
  #markClosed!: () => void;
  #nextId = 1;
  #closeReason: BusError | undefined;

  /** Drives `socket`, which must be open already (see `GatewayConnection.open`). */
  constructor(socket: WebSocketLike) {
    this.#socket = socket;
    this.#rpc = new JSONRPCClient((payload) => socket.send(JSON.stringify(payload)));
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.#receive(event.data);
    };
    socket.onclose = (event) => this.#ended(event, `The connection to the kernel closed: ${event.reason || `connection closed (${event.code})`}`);
    // A close event follows every error and fails what is pending; the error itself tells no one more.
    socket.onerror = () => undefined;
  }

  /** Waits for `socket` to open and drives it; rejects with ConnectionClosed when it closes first, or with the signal's reason. */
  static open(socket: WebSocketLike, options: { signal?: AbortSignal } = {}): Promise<GatewayConnection> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      const finish = (error?: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        socket.onopen = socket.onclose = socket.onerror = null;
        if (error === undefined) resolve(new GatewayConnection(socket));
        else reject(error);
      };
      const onAbort = () => {
        finish(signal!.reason);
        dropSocket(socket);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.onopen = () => finish();
      socket.onerror = () => undefined;
      socket.onclose = (event) => finish(new BusError(ErrorCode.ConnectionClosed, `Could not connect to the kernel: ${event.reason || `connection closed (${event.code})`}`, { reason: event.reason, code: event.code }));
    });
  }

  /** True while the socket is open and requests can be sent. */
  get isOpen(): boolean {
    return this.#closeReason === undefined && this.#socket.readyState === SOCKET_OPEN;
  }

  /** Resolves once the connection has ended, for whatever reason. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Why the connection ended (a ConnectionClosed BusError), once it has. */
  get closeReason(): BusError | undefined {
    return this.#closeReason;
  }

  /** Sends a request; resolves with its result, rejects with the kernel's BusError, or Cancelled, Timeout or ConnectionClosed. */
  request<T = unknown>(method: string, params: Record<string, unknown> = {}, options: GatewayRequestOptions = {}): Promise<T> {
    if (this.#closeReason) return Promise.reject(this.#closeReason);
    if (options.signal?.aborted) return Promise.reject(new BusError(ErrorCode.Cancelled, `${method}: cancelled`, { reason: 'aborted before it was sent' }));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = options.timeout === undefined
        ? undefined
        : setTimeout(() => cancel(new BusError(ErrorCode.Timeout, `${method}: no answer within ${options.timeout} ms`, { timeoutMs: options.timeout })), options.timeout);
      const onAbort = () => cancel(new BusError(ErrorCode.Cancelled, `${method}: cancelled`, { reason: 'aborted by the caller' }));
      const settle = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        return this.#pending.delete(id);
      };
      const fail = (error: BusError) => {
        if (settle()) reject(error);
      };
      // The kernel still answers a cancelled request; the library drops that answer when it comes.
      const cancel = (error: BusError) => {
        if (!settle()) return;
        this.notify('$/cancelRequest', { id });
        reject(error);
      };
      this.#pending.set(id, { onProgress: options.onProgress, fail });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#rpc.requestAdvanced(createJSONRPCRequest(id, method, params)).then(
        (response: JSONRPCResponse) => {
          if (!settle()) return;
          if (isWireError(response.error)) reject(BusError.fromWire(response.error));
          else resolve(response.result as T);
        },
        (error: unknown) => fail(this.#closeReason ?? new BusError(ErrorCode.ConnectionClosed, `${method}: the request could not be sent: ${String((error as Error)?.message ?? error)}`)),
      );
    });
  }

  /** Sends a notification; dropped silently once the connection has ended. */
  notify(method: string, params: Record<string, unknown>): void {
    if (this.isOpen) this.#socket.send(JSON.stringify(createJSONRPCNotification(method, params)));
  }

  /** Calls `listener` for every `$/event`; returns the function that stops it. */
  onEvent(listener: (event: GatewayEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Calls `listener` once when the server or the network closes the socket (not when close() does). */
  onClose(listener: (event: SocketCloseEvent) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Closes the socket (normal closure), rejects pending requests with ConnectionClosed, and waits for the close; safe to call twice. */
  async close(reason = 'closed by the client'): Promise<void> {
    if (this.#closeReason === undefined) {
      this.#fail(new BusError(ErrorCode.ConnectionClosed, `The connection to the kernel was closed: ${reason}`, { reason }));
      if (this.#socket.readyState === SOCKET_OPEN) this.#socket.close(1000, reason);
      let grace: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => (grace = setTimeout(resolve, ClientDefaults.closeGraceMs)));
      await Promise.race([this.#closed, graceOver]);
      clearTimeout(grace);
      // A server that never answers the close would otherwise hold the connection (and a Node process) open.
      this.#socket.terminate?.();
      this.#markClosed();
    }
    await this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #ended(event: SocketCloseEvent, message: string): void {
    const byServer = this.#closeReason === undefined;
    this.#fail(new BusError(ErrorCode.ConnectionClosed, message, { reason: event.reason, code: event.code }));
    this.#markClosed();
    if (byServer) for (const listener of this.#closeListeners) listener(event);
  }

  #fail(reason: BusError): void {
    this.#closeReason ??= reason;
    const pending = [...this.#pending.values()];
    for (const request of pending) request.fail(this.#closeReason);
    this.#rpc.rejectAllPendingRequests(this.#closeReason.message);
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    for (const item of Array.isArray(message) ? message : [message]) {
      if (typeof item === 'object' && item !== null) this.#dispatch(item as Record<string, unknown>);
    }
  }

  #dispatch(message: Record<string, unknown>): void {
    const params = message.params as Record<string, unknown> | undefined;
    if (message.method === '$/progress' && params) {
      this.#pending.get(params.id as number)?.onProgress?.(params.chunk);
    } else if (message.method === '$/event' && params) {
      for (const listener of this.#eventListeners) listener(params as unknown as GatewayEvent);
    } else if ('id' in message && message.method === undefined) {
      this.#rpc.receive(message as unknown as JSONRPCResponse);
    }
  }
}

/** Ends a socket that is still connecting, by whichever means it has. */
function dropSocket(socket: WebSocketLike): void {
  socket.onopen = socket.onclose = null;
  socket.onerror = () => undefined;
  if (socket.terminate) socket.terminate();
  else socket.close();
}
