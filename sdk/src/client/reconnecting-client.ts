import { BusError } from '../protocol/bus-error.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ClientDefaults } from './client-defaults.ts';
import { GatewayConnection, type GatewayRequestOptions } from './gateway-connection.ts';
import type { TopicEvent, TopicFilter } from './gateway-event.ts';
import type { SocketCloseEvent, WebSocketLike } from './web-socket-like.ts';

/** Where the connection stands. `retryAt` (epoch ms) is when the next attempt starts. */
export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'connected' }
  | { status: 'reconnecting'; attempt: number; retryAt: number }
  | { status: 'offline' }
  | { status: 'closed' };

/** How a ReconnectingClient opens sockets and how long it waits; the waits default to ClientDefaults. */
export interface ReconnectingClientOptions {
  /** Opens a new socket to the gateway's `/ws`; called for the first connect and each reconnect. */
  connect: () => WebSocketLike;
  /** False while the device is known to be offline: no attempt is made until reconnectNow(). */
  isOnline?: () => boolean;
  firstRetryMs?: number;
  maxRetryMs?: number;
  connectWaitMs?: number;
}

/** A subscription that outlives reconnects; `dispose()` ends it. */
export interface Subscription {
  dispose(): void;
}

interface LiveSubscription {
  filter: TopicFilter;
  onEvent(event: TopicEvent): void;
  onError?: (error: BusError) => void;
  onActive?: () => void;
  serverId?: string | number;
}

/** Events held for a subscription whose confirmation is still being processed, at most. */
const MAX_EARLY_EVENTS = 256;

/** The close the gateway sends when the socket's credential was revoked or expired (docs/API.md, Close codes). */
const POLICY_VIOLATION = 1008;
const CREDENTIAL_GONE = 'credential no longer valid';

/**
 * A gateway client that stays connected: it reconnects with exponential backoff, subscribes
 * again after each reconnect, and tells listeners so they can reload what they may have missed.
 * Calls made while disconnected wait a while for the connection.
 */
export class ReconnectingClient {
  readonly #options: Required<Omit<ReconnectingClientOptions, 'isOnline'>> & Pick<ReconnectingClientOptions, 'isOnline'>;
  #state: ConnectionState = { status: 'connecting' };
  #socket: WebSocketLike | undefined;
  #connection: GatewayConnection | undefined;
  #attempt = 0;
  #everConnected = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #subscriptions = new Set<LiveSubscription>();
  /**
   * Events of subscription ids not confirmed yet: a subscription's first events can arrive with
   * its confirmation (in one frame, or one read under `ws`), before the confirmation's promise
   * has told which subscription the id belongs to.
   */
  #earlyEvents: Array<{ serverId: string | number; event: TopicEvent }> = [];
  readonly #openWaiters = new Set<() => void>();
  /** Why the gateway ended the session (close 1008), until a socket opens again; calls fail at once meanwhile. */
  #authGone: string | undefined;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #disconnectListeners = new Set<() => void>();
  readonly #authLostListeners = new Set<(reason: string) => void>();

  /** Starts connecting at once. */
  constructor(options: ReconnectingClientOptions) {
    this.#options = {
      firstRetryMs: ClientDefaults.firstRetryMs,
      maxRetryMs: ClientDefaults.maxRetryMs,
      connectWaitMs: ClientDefaults.connectWaitMs,
      ...options,
    };
    this.#connect();
  }

  /** The connection state now. */
  get connectionState(): ConnectionState {
    return this.#state;
  }

  /** Runs `listener` on every state change; returns the function that stops it. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Calls `method`; resolves with its result, rejects with a BusError (ConnectionClosed when the socket is lost). */
  async call<T>(method: string, params: Record<string, unknown> = {}, options: GatewayRequestOptions = {}): Promise<T> {
    const connection = await this.#whenOpen(options.signal);
    try {
      return await connection.request<T>(method, params, options);
    } catch (error) {
      if (error instanceof BusError && error.code === ErrorCode.Unauthenticated) this.#authLost(error.message);
      throw error;
    }
  }

  /**
   * Subscribes to a topic now and after every reconnect; `onError` hears a refused `$/subscribe`,
   * `onActive` each confirmed one (load what came before it then, and nothing falls in between).
   */
  subscribe(filter: TopicFilter, onEvent: (event: TopicEvent) => void, onError?: (error: BusError) => void, onActive?: () => void): Subscription {
    const subscription: LiveSubscription = { filter, onEvent, onError, onActive };
    this.#subscriptions.add(subscription);
    if (this.#connection?.isOpen) this.#sendSubscribe(subscription);
    return {
      dispose: () => {
        if (!this.#subscriptions.delete(subscription)) return;
        const serverId = subscription.serverId;
        subscription.serverId = undefined;
        if (serverId !== undefined && this.#connection?.isOpen) this.call('$/unsubscribe', { subscription: serverId }).catch(() => undefined);
      },
    };
  }

  /** Runs `listener` after each reconnect (not the first connect); returns the function that stops it. */
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

  /** Skips the rest of the backoff wait and connects now; does nothing while a socket is open or opening. */
  reconnectNow(): void {
    if (this.#closed || this.#socket !== undefined) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  /** Drops the current socket as a network loss would: pending calls fail, and the client retries (or waits, while offline). */
  disconnect(): void {
    this.#socket?.close();
  }

  /** Closes for good; pending calls fail with ConnectionClosed. Safe to call twice. */
  close(): Promise<void> {
    if (this.#closed) return this.#connection?.closed ?? Promise.resolve();
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const connection = this.#connection;
    const socket = this.#socket;
    this.#dropSocket();
    if (connection === undefined) socket?.close(1000, 'closed by the client');
    this.#setState({ status: 'closed' });
    for (const wake of this.#openWaiters) wake();
    return connection?.close('closed by the client') ?? Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #isOnline(): boolean {
    return this.#options.isOnline?.() ?? true;
  }

  #connect(): void {
    if (!this.#isOnline()) {
      this.#setState({ status: 'offline' });
      return;
    }
    this.#setState(this.#everConnected ? { status: 'reconnecting', attempt: this.#attempt, retryAt: Date.now() } : { status: 'connecting' });
    const socket = this.#options.connect();
    this.#socket = socket;
    GatewayConnection.open(socket).then(
      (connection) => {
        if (this.#socket !== socket) {
          void connection.close();
          return;
        }
        this.#connection = connection;
        connection.onClose((event) => this.#lost(socket, event));
        connection.onEvent(({ subscription: serverId, ...event }) => this.#deliver(serverId, event));
        this.#opened();
      },
      (error: BusError<{ reason?: string; code?: number }>) => this.#lost(socket, { code: error.data?.code ?? 1006, reason: error.data?.reason ?? '' }),
    );
  }

  #deliver(serverId: string | number, event: TopicEvent): void {
    let delivered = false;
    for (const subscription of this.#subscriptions) {
      if (subscription.serverId !== serverId) continue;
      subscription.onEvent(event);
      delivered = true;
    }
    if (delivered) return;
    this.#earlyEvents.push({ serverId, event });
    if (this.#earlyEvents.length > MAX_EARLY_EVENTS) this.#earlyEvents.shift();
  }

  #opened(): void {
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#attempt = 0;
    this.#authGone = undefined;
    this.#setState({ status: 'connected' });
    for (const subscription of this.#subscriptions) this.#sendSubscribe(subscription);
    for (const wake of this.#openWaiters) wake();
    if (reconnected) for (const listener of this.#reconnectListeners) listener();
  }

  #lost(socket: WebSocketLike, event: SocketCloseEvent): void {
    if (this.#socket !== socket) return;
    const authLost = event.code === POLICY_VIOLATION && event.reason === CREDENTIAL_GONE;
    this.#dropSocket();
    if (authLost) this.#authLost(event.reason);
    else for (const listener of this.#disconnectListeners) listener();
    if (!this.#closed && !authLost) this.#scheduleRetry();
  }

  /** The credential is gone: no retry would get in, so the client says it is closed and fails waiting calls now. */
  #authLost(reason: string): void {
    this.#authGone = reason;
    this.#setState({ status: 'closed' });
    for (const wake of this.#openWaiters) wake();
    for (const listener of this.#authLostListeners) listener(reason);
  }

  #scheduleRetry(): void {
    if (!this.#isOnline()) {
      this.#setState({ status: 'offline' });
      return;
    }
    // Exponential with jitter, so many clients do not all come back in the same instant.
    const base = Math.min(this.#options.maxRetryMs, this.#options.firstRetryMs * 2 ** this.#attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#attempt++;
    this.#setState({ status: 'reconnecting', attempt: this.#attempt, retryAt: Date.now() + delay });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #dropSocket(): void {
    this.#socket = undefined;
    this.#connection = undefined;
    this.#earlyEvents = [];
    for (const subscription of this.#subscriptions) subscription.serverId = undefined;
  }

  #sendSubscribe(subscription: LiveSubscription): void {
    this.call<{ subscription: string | number }>('$/subscribe', { ...subscription.filter }).then(
      ({ subscription: serverId }) => {
        if (!this.#subscriptions.has(subscription)) {
          this.call('$/unsubscribe', { subscription: serverId }).catch(() => undefined);
          return;
        }
        subscription.serverId = serverId;
        subscription.onActive?.();
        const early = this.#earlyEvents.filter((held) => held.serverId === serverId);
        this.#earlyEvents = this.#earlyEvents.filter((held) => held.serverId !== serverId);
        for (const { event } of early) subscription.onEvent(event);
      },
      (error: BusError) => {
        if (error.code !== ErrorCode.ConnectionClosed) subscription.onError?.(error);
      },
    );
  }

  #whenOpen(signal: AbortSignal | undefined): Promise<GatewayConnection> {
    if (this.#connection?.isOpen) return Promise.resolve(this.#connection);
    if (this.#closed) return Promise.reject(new BusError(ErrorCode.ConnectionClosed, 'The connection to the kernel is closed.'));
    if (this.#authGone !== undefined) return Promise.reject(signedOut(this.#authGone));
    return new Promise((resolve, reject) => {
      const finish = (error?: BusError) => {
        clearTimeout(timer);
        this.#openWaiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(this.#connection!);
      };
      const wake = () => (this.#connection?.isOpen ? finish() : finish(this.#authGone !== undefined ? signedOut(this.#authGone) : new BusError(ErrorCode.ConnectionClosed, 'The connection to the kernel is closed.')));
      const onAbort = () => finish(new BusError(ErrorCode.Cancelled, 'cancelled while waiting for the connection'));
      const timer = setTimeout(
        () => finish(new BusError(ErrorCode.ConnectionClosed, 'Not connected to the kernel. The client keeps trying to reconnect; try again in a moment.')),
        this.#options.connectWaitMs,
      );
      this.#openWaiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Unauthenticated: the gateway closed the socket because the session or key is no longer valid. */
function signedOut(reason: string): BusError {
  return new BusError(ErrorCode.Unauthenticated, `The kernel ended this session (${reason}); sign in again.`, { reason });
}
