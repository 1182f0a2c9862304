import { createSignal, type Accessor } from 'solid-js';
import { BusError, ErrorCode, type RequestId, type ResponseMessage } from '@cyberstudio/sdk';

/** Where the socket to the kernel stands. `retryAt` (epoch ms) is when the next attempt starts. */
export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'connected' }
  | { status: 'reconnecting'; attempt: number; retryAt: number }
  | { status: 'offline' }
  | { status: 'closed' };

/** Reconnect backoff and waits of the client; one place for every default. */
export const KernelClientDefaults = {
  firstRetryMs: 500,
  maxRetryMs: 30_000,
  /** How long a call made while disconnected waits for the socket before it fails. */
  connectWaitMs: 5_000,
} as const;

/** Options of one call: abort it, bound it, and receive its `$/progress` chunks. */
export interface CallOptions {
  signal?: AbortSignal;
  timeout?: number;
  onProgress?: (chunk: unknown) => void;
}

/** `$/subscribe` params (docs/API.md, Subscriptions). */
export interface TopicFilter {
  topic: string;
  plugin?: string;
  level?: string;
}

/** One `$/event`; `dropped` counts this subscription's events the gateway dropped just before it. */
export interface TopicEvent {
  topic: string;
  source: string;
  data: unknown;
  dropped?: number;
}

/** A subscription that outlives reconnects; `dispose()` ends it. */
export interface Subscription {
  dispose(): void;
}

interface PendingCall {
  resolve(result: unknown): void;
  reject(error: BusError): void;
  onProgress?: (chunk: unknown) => void;
}

interface LiveSubscription {
  filter: TopicFilter;
  onEvent(event: TopicEvent): void;
  onError?: (error: BusError) => void;
  onActive?: () => void;
  serverId?: string;
}

/** The close the gateway sends when the socket's credential was revoked or expired (docs/API.md, Close codes). */
const POLICY_VIOLATION = 1008;

/**
 * JSON-RPC 2.0 over the gateway's `/ws`: calls with ids, `$/progress`, cancellation and
 * subscriptions. It reconnects with exponential backoff, subscribes again after each reconnect,
 * and tells listeners so they can reload what they may have missed.
 */
export class KernelClient {
  /** The connection state, for the always-visible badge. */
  readonly state: Accessor<ConnectionState>;
  readonly #setState: (state: ConnectionState) => void;
  readonly #url: string;
  #socket: WebSocket | undefined;
  #nextId = 1;
  #attempt = 0;
  #everConnected = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #pending = new Map<RequestId, PendingCall>();
  readonly #subscriptions = new Set<LiveSubscription>();
  readonly #openWaiters = new Set<() => void>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #disconnectListeners = new Set<() => void>();
  readonly #authLostListeners = new Set<(reason: string) => void>();
  readonly #onOnline = () => this.reconnectNow();
  readonly #onOffline = () => this.#socket?.close();

  /** Opens `url` (ws:// or wss://) at once. */
  constructor(url: string) {
    this.#url = url;
    const [state, setState] = createSignal<ConnectionState>({ status: 'connecting' });
    this.state = state;
    this.#setState = setState;
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
    this.#connect();
  }

  /** Calls `method`; resolves with its result, rejects with a BusError (ConnectionClosed when the socket is lost). */
  async call<T>(method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<T> {
    await this.#whenOpen(options.signal);
    const socket = this.#socket!;
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = options.timeout === undefined ? undefined : setTimeout(() => abort(new BusError(ErrorCode.Timeout, `${method}: no answer within ${options.timeout} ms`)), options.timeout);
      const onAbort = () => abort(new BusError(ErrorCode.Cancelled, `${method}: cancelled`));
      const settle = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
      };
      const abort = (error: BusError) => {
        settle();
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }));
        reject(error);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (result) => { settle(); resolve(result as T); },
        reject: (error) => { settle(); reject(error); },
        onProgress: options.onProgress,
      });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /**
   * Subscribes to a topic now and after every reconnect; `onError` hears a refused `$/subscribe`,
   * `onActive` each confirmed one (load what came before it then, and nothing falls in between).
   */
  subscribe(filter: TopicFilter, onEvent: (event: TopicEvent) => void, onError?: (error: BusError) => void, onActive?: () => void): Subscription {
    const subscription: LiveSubscription = { filter, onEvent, onError, onActive };
    this.#subscriptions.add(subscription);
    if (this.#socket?.readyState === WebSocket.OPEN) this.#sendSubscribe(subscription);
    return {
      dispose: () => {
        if (!this.#subscriptions.delete(subscription)) return;
        const serverId = subscription.serverId;
        subscription.serverId = undefined;
        if (serverId !== undefined && this.#socket?.readyState === WebSocket.OPEN) {
          this.call('$/unsubscribe', { subscription: serverId }).catch(() => undefined);
        }
      },
    };
  }

  /** Runs `listener` after each reconnect (not the first connect); returns the unsubscribe function. */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /** Runs `listener` each time an open socket drops or an attempt to open one fails. */
  onDisconnect(listener: () => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  /** Runs `listener` when the kernel no longer accepts the credential: a call answered Unauthenticated, or the socket closed for it. */
  onAuthLost(listener: (reason: string) => void): () => void {
    this.#authLostListeners.add(listener);
    return () => this.#authLostListeners.delete(listener);
  }

  /** Skips the rest of the backoff wait and connects now. */
  reconnectNow(): void {
    if (this.#closed || this.#socket !== undefined) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  /** Closes the socket for good; pending calls fail with ConnectionClosed. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    this.#socket?.close(1000, 'closed by the studio');
    this.#dropSocket('the studio closed the connection');
    this.#setState({ status: 'closed' });
    for (const wake of this.#openWaiters) wake();
  }

  #connect(): void {
    if (!navigator.onLine) {
      this.#setState({ status: 'offline' });
      return;
    }
    this.#setState(this.#everConnected ? { status: 'reconnecting', attempt: this.#attempt, retryAt: Date.now() } : { status: 'connecting' });
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.onopen = () => this.#opened();
    socket.onmessage = (message) => {
      if (typeof message.data === 'string') this.#receive(message.data);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      const authLost = event.code === POLICY_VIOLATION && event.reason === 'credential no longer valid';
      this.#dropSocket(event.reason || `connection closed (${event.code})`);
      if (authLost) this.#authLost(event.reason);
      else for (const listener of this.#disconnectListeners) listener();
      if (!this.#closed && !authLost) this.#scheduleRetry();
    };
  }

  #opened(): void {
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#attempt = 0;
    this.#setState({ status: 'connected' });
    for (const subscription of this.#subscriptions) this.#sendSubscribe(subscription);
    for (const wake of this.#openWaiters) wake();
    if (reconnected) for (const listener of this.#reconnectListeners) listener();
  }

  #authLost(reason: string): void {
    for (const listener of this.#authLostListeners) listener(reason);
  }

  #scheduleRetry(): void {
    if (!navigator.onLine) {
      this.#setState({ status: 'offline' });
      return;
    }
    // Exponential with jitter, so many studios do not all come back in the same instant.
    const base = Math.min(KernelClientDefaults.maxRetryMs, KernelClientDefaults.firstRetryMs * 2 ** this.#attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#attempt++;
    this.#setState({ status: 'reconnecting', attempt: this.#attempt, retryAt: Date.now() + delay });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #dropSocket(reason: string): void {
    this.#socket = undefined;
    for (const subscription of this.#subscriptions) subscription.serverId = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(new BusError(ErrorCode.ConnectionClosed, `The connection to the kernel closed: ${reason}`, { reason }));
  }

  #sendSubscribe(subscription: LiveSubscription): void {
    this.call<{ subscription: string }>('$/subscribe', { ...subscription.filter }).then(
      ({ subscription: serverId }) => {
        if (!this.#subscriptions.has(subscription)) {
          this.call('$/unsubscribe', { subscription: serverId }).catch(() => undefined);
          return;
        }
        subscription.serverId = serverId;
        subscription.onActive?.();
      },
      (error: BusError) => {
        if (error.code !== ErrorCode.ConnectionClosed) subscription.onError?.(error);
      },
    );
  }

  #whenOpen(signal: AbortSignal | undefined): Promise<void> {
    if (this.#socket?.readyState === WebSocket.OPEN) return Promise.resolve();
    if (this.#closed) return Promise.reject(new BusError(ErrorCode.ConnectionClosed, 'The connection to the kernel is closed.'));
    return new Promise((resolve, reject) => {
      const finish = (error?: BusError) => {
        clearTimeout(timer);
        this.#openWaiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const wake = () =>
        this.#socket?.readyState === WebSocket.OPEN ? finish() : finish(new BusError(ErrorCode.ConnectionClosed, 'The connection to the kernel is closed.'));
      const onAbort = () => finish(new BusError(ErrorCode.Cancelled, 'cancelled while waiting for the connection'));
      const timer = setTimeout(
        () => finish(new BusError(ErrorCode.ConnectionClosed, 'Not connected to the kernel. The studio keeps trying to reconnect; try again in a moment.')),
        KernelClientDefaults.connectWaitMs,
      );
      this.#openWaiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    for (const item of Array.isArray(message) ? message : [message]) this.#dispatch(item as Record<string, unknown>);
  }

  #dispatch(message: Record<string, unknown>): void {
    if (message.method === '$/progress') {
      const params = message.params as { id: RequestId; chunk: unknown };
      this.#pending.get(params.id)?.onProgress?.(params.chunk);
      return;
    }
    if (message.method === '$/event') {
      const { subscription: serverId, ...event } = message.params as TopicEvent & { subscription: string };
      for (const subscription of this.#subscriptions) if (subscription.serverId === serverId) subscription.onEvent(event);
      return;
    }
    const response = message as unknown as ResponseMessage;
    if (response.id === null || response.id === undefined) return;
    const call = this.#pending.get(response.id);
    if (!call) return;
    if (!response.error) {
      call.resolve(response.result);
      return;
    }
    call.reject(BusError.fromWire(response.error));
    if (response.error.code === ErrorCode.Unauthenticated) this.#authLost(response.error.message);
  }
}
