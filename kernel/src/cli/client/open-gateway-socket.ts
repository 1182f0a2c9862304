import type { IncomingMessage } from 'node:http';
import { BusError, ErrorCode, isWireError } from '@cyberstudio/sdk';
import WebSocket from 'ws';
import { ExitCode } from '../exit-codes.ts';
import { ClientError, authHint, displayUrl, isConnectFailure, kernelUnreachable } from './client-errors.ts';

/** How long opening the WebSocket (TCP connect and upgrade) may take. */
export const SOCKET_OPEN_TIMEOUT_MS = 10_000;
/** How long close() waits for the server's close frame before cutting the connection. */
const SOCKET_CLOSE_GRACE_MS = 1000;

/** The params of a `$/event` notification on `/ws`. */
export interface GatewayEvent {
  subscription: string | number;
  topic: string;
  source: string;
  data: unknown;
  /** Events the gateway dropped for this subscription since the previous one (a slow reader). */
  dropped?: number;
}

/** Options of one request on the socket. */
export interface SocketRequestOptions {
  /** Receives each `$/progress` chunk of this request, in order. */
  onProgress?: (chunk: unknown) => void;
  /** Aborting sends `$/cancelRequest`; the promise still settles with the kernel's answer. */
  signal?: AbortSignal;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  onProgress?: (chunk: unknown) => void;
}

/**
 * A JSON-RPC 2.0 session on the gateway's `/ws`: requests with streamed progress,
 * `$/cancelRequest`, and `$/event` notifications. When the connection ends, every pending
 * request rejects with a ClientError.
 */
export class GatewaySocket {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #eventListeners = new Set<(event: GatewayEvent) => void>();
  readonly #closed: Promise<void>;
  #nextId = 1;
  #closeReason: ClientError | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.once('close', (code, reason) => {
      this.#closeReason ??= new ClientError(ExitCode.Failure, `the kernel closed the connection (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`);
      for (const pending of this.#pending.values()) pending.reject(this.#closeReason);
      this.#pending.clear();
      resolve();
    }));
    socket.on('message', (data) => this.#onMessage(data.toString()));
    socket.on('error', () => {
      // 'close' follows and fails whatever is pending; an error here has no one else to tell.
    });
  }

  /** Connects to `url` (a ws: or wss: URL of `/ws`); rejects with a ClientError that says why it could not. */
  static open(url: URL, options: { headers?: Record<string, string>; signal?: AbortSignal; baseUrl: URL }): Promise<GatewaySocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: options.headers, handshakeTimeout: SOCKET_OPEN_TIMEOUT_MS, perMessageDeflate: false });
      const fail = (error: unknown) => {
        options.signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        reject(error);
      };
      const onAbort = () => fail(options.signal!.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('open', () => {
        options.signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners();
        resolve(new GatewaySocket(socket));
      });
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        void readText(response).then((text) => fail(upgradeRefused(url, response.statusCode ?? 0, text)));
      });
      socket.once('error', (error) => {
        fail(isConnectFailure(error) ? kernelUnreachable(options.baseUrl, error) : new ClientError(ExitCode.Failure, `cannot open ${displayUrl(url)}: ${error.message}`, { cause: error }));
      });
    });
  }

  /** Sends a request and resolves with its result, or rejects with the kernel's BusError. */
  request(method: string, params: Record<string, unknown>, options: SocketRequestOptions = {}): Promise<unknown> {
    if (this.#closeReason) return Promise.reject(this.#closeReason);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.notify('$/cancelRequest', { id });
      const settle = <T>(finish: (value: T) => void) => (value: T) => {
        options.signal?.removeEventListener('abort', onAbort);
        finish(value);
      };
      this.#pending.set(id, { resolve: settle(resolve), reject: settle(reject), onProgress: options.onProgress });
      this.#send({ jsonrpc: '2.0', id, method, params });
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends a notification; silently dropped when the connection has ended. */
  notify(method: string, params: Record<string, unknown>): void {
    if (!this.#closeReason) this.#send({ jsonrpc: '2.0', method, params });
  }

  /** Calls `listener` for every `$/event`; returns the function that stops it. */
  onEvent(listener: (event: GatewayEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Resolves when the connection has ended, for whatever reason. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Why the connection ended, once it has. */
  get closeReason(): ClientError | undefined {
    return this.#closeReason;
  }

  /** Closes the connection (normal closure) and waits for it to end. Idempotent. */
  async close(): Promise<void> {
    this.#closeReason ??= new ClientError(ExitCode.Failure, 'the connection was closed');
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(1000);
    const grace = setTimeout(() => this.#socket.terminate(), SOCKET_CLOSE_GRACE_MS);
    await this.#closed;
    clearTimeout(grace);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #send(message: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(message));
  }

  #onMessage(text: string): void {
    let message: { id?: unknown; method?: unknown; params?: Record<string, unknown>; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (message.method === '$/progress' && message.params) {
      this.#pending.get(message.params.id as number)?.onProgress?.(message.params.chunk);
    } else if (message.method === '$/event' && message.params) {
      for (const listener of this.#eventListeners) listener(message.params as unknown as GatewayEvent);
    } else if (typeof message.id === 'number' && this.#pending.has(message.id)) {
      const pending = this.#pending.get(message.id)!;
      this.#pending.delete(message.id);
      if (isWireError(message.error)) pending.reject(BusError.fromWire(message.error));
      else pending.resolve(message.result);
    }
  }
}

/** The failure for an upgrade answered with a plain HTTP status instead of 101. */
function upgradeRefused(url: URL, status: number, text: string): ClientError {
  const said = text.trim() === '' ? '' : `: ${text.trim().slice(0, 300)}`;
  if (status === 401) return new ClientError(ExitCode.Failure, `the gateway refused the WebSocket: HTTP 401${said}`, { hint: authHint(ErrorCode.Unauthenticated) });
  if (status === 403) return new ClientError(ExitCode.Failure, `the gateway refused the WebSocket: HTTP 403${said}`, { hint: authHint(ErrorCode.Forbidden) });
  if (status === 501 || status === 404) {
    return new ClientError(ExitCode.Failure, `the gateway does not serve WebSocket calls at ${displayUrl(url)} (HTTP ${status})`, {
      hint: "hint: 'cyberstudio call --no-stream' calls over POST /rpc, which needs no WebSocket",
    });
  }
  return new ClientError(ExitCode.Failure, `the gateway refused the WebSocket at ${displayUrl(url)}: HTTP ${status}${said}`);
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (text.length < 4096) text += chunk;
    });
    response.once('end', () => resolve(text));
    response.once('error', () => resolve(text));
    response.once('close', () => resolve(text));
  });
}
