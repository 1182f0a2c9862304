import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { GatewayContext } from './gateway-context.ts';
import { errorHeaders, httpStatusOf } from './http-errors.ts';
import type { UserCaller } from './identity-resolver.ts';
import { rejectUpgrade } from './reject-upgrade.ts';
import { Heartbeat } from './ws-heartbeat.ts';
import { OutboundQueue, type OutboundQueueStats } from './ws-outbound-queue.ts';
import { WsQueueMetrics } from './ws-queue-metrics.ts';

/** Close codes the gateway sends. */
export const WsCloseCode = {
  /** The kernel is shutting down. */
  GoingAway: 1001,
  /** The client reads too slowly for its own responses, or its credential or access was revoked. */
  PolicyViolation: 1008,
} as const;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** How long close() waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;

/** One open socket of an endpoint. */
export interface WsSession {
  /** Its outbound queue, for metrics. */
  readonly stats: OutboundQueueStats;
  /** True while `caller` (re-resolved at every heartbeat) may keep what this socket holds. */
  allows(caller: UserCaller): boolean;
  /** Stops the session's work and closes the socket with `code`. Idempotent. */
  close(code: number, reason: string): void;
}

/** An HTTP refusal of an upgrade. */
export interface UpgradeRefusal {
  status: number;
  text: string;
  headers?: Record<string, string>;
}

/** How to admit and serve one upgrade. */
export interface UpgradeHandler {
  /** A refusal for `caller`, or undefined to accept. */
  admit(caller: UserCaller): UpgradeRefusal | undefined;
  /** Opens the session of the accepted socket. */
  open(socket: WebSocket, caller: UserCaller, headers: IncomingHttpHeaders): WsSession;
}

/** A refusal with `status`, its reason phrase and `message` (made safe for a status line). */
export function refusal(status: number, message: string, headers: Record<string, string> = {}): UpgradeRefusal {
  // The text also becomes the status line's reason phrase: printable ASCII only, never a line break.
  return { status, text: `${STATUS_TEXT[status] ?? 'Error'}: ${message}`.replace(/[^\x20-\x7e]+/g, ' '), headers };
}

/** The refusal that answers `error` (the catalog's status and headers: 401, 403, ...). */
export function refusalOf(error: BusError): UpgradeRefusal {
  return refusal(httpStatusOf(error.code), error.message, errorHeaders(error));
}

/**
 * What every WebSocket endpoint of the gateway shares: the caller is resolved at upgrade (401
 * for a rejected credential, 503 when identity cannot be resolved), sockets are tracked and
 * counted in metrics, pinged (heartbeat) and re-checked at every beat, so a revoked key or
 * access rule also ends open sockets (1008); close() ends them all with 1001.
 */
export class WsEndpoint {
  readonly #gateway: GatewayContext;
  readonly #name: string;
  readonly #server: WebSocketServer;
  readonly #heartbeat: Heartbeat;
  readonly #queueMetrics: WsQueueMetrics;
  readonly #sessions = new Map<WebSocket, { session: WsSession; headers: IncomingHttpHeaders }>();
  /** The upgraded connection under each accepted WebSocket, which its outbound queue corks per tick. */
  readonly #transports = new WeakMap<WebSocket, Duplex>();
  #closing: Promise<void> | undefined;

  /** `name` labels metrics ('/ws', '/ws/plugins'); `maxPayload` is the largest message a client may send. */
  constructor(gateway: GatewayContext, name: string, maxPayload: number) {
    this.#gateway = gateway;
    this.#name = name;
    this.#server = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload });
    this.#heartbeat = new Heartbeat(gateway.settings.limits.heartbeatSeconds * 1000, (socket) => void this.#recheck(socket));
    this.#queueMetrics = WsQueueMetrics.of(gateway.metrics);
    this.#queueMetrics.addSource(name, () => [...this.#sessions.values()].map((entry) => entry.session.stats));
  }

  /** Resolves the caller, lets `handler` admit the upgrade, then accepts it and opens its session. */
  async accept(request: IncomingMessage, socket: Duplex, head: Buffer, handler: UpgradeHandler): Promise<void> {
    try {
      let caller: UserCaller;
      try {
        caller = await this.#gateway.callerOf(request.headers);
      } catch (error) {
        const failure = BusError.from(error);
        if (failure.code === ErrorCode.Unauthenticated) return refuse(socket, refusalOf(failure));
        return refuse(socket, refusal(503, `cannot resolve the caller: ${failure.message}`));
      }
      if (this.#closing) return refuse(socket, refusal(503, 'the kernel is shutting down'));
      const refused = handler.admit(caller);
      if (refused) return refuse(socket, refused);
      this.#server.handleUpgrade(request, socket, head, (ws) => {
        this.#transports.set(ws, socket);
        this.#open(ws, caller, request.headers, handler);
      });
    } catch (error) {
      this.#gateway.logger.warn({ err: error, endpoint: this.#name }, `WebSocket upgrade failed: ${(error as Error).message}`);
      socket.destroy();
    }
  }

  /** An outbound queue for `socket` with the gateway's limits; `onTooSlow` runs when unread replies pass wsMaxBufferedBytes. */
  queueFor(socket: WebSocket, onTooSlow: () => void): OutboundQueue {
    const { wsEventBuffer, wsMaxBufferedBytes } = this.#gateway.settings.limits;
    return new OutboundQueue(
      socket,
      { maxEvents: wsEventBuffer, maxReplyBytes: wsMaxBufferedBytes },
      {
        onOverflow: () => {
          this.#queueMetrics.closedSlow(this.#name);
          onTooSlow();
        },
        onDrop: (count) => this.#queueMetrics.eventsDropped(this.#name, count),
      },
      this.#transports.get(socket),
    );
  }

  /** Closes every socket with 1001, cutting off those that do not finish the close handshake in time. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #open(socket: WebSocket, caller: UserCaller, headers: IncomingHttpHeaders, handler: UpgradeHandler): void {
    if (this.#closing) return socket.close(WsCloseCode.GoingAway, 'kernel shutting down');
    const session = handler.open(socket, caller, headers);
    this.#sessions.set(socket, { session, headers });
    this.#gateway.metrics.webSocketOpened(this.#name);
    const forget = this.#gateway.kernel.connections.add({
      endpoint: this.#name, userId: caller.id, name: caller.name ?? null, roles: caller.roles,
      sessionId: caller.sessionId ?? null, keyId: caller.keyId ?? null, openedAt: Date.now(),
    });
    this.#heartbeat.watch(socket);
    socket.once('close', () => {
      this.#sessions.delete(socket);
      forget();
      this.#gateway.metrics.webSocketClosed(this.#name);
    });
  }

  async #recheck(socket: WebSocket): Promise<void> {
    const entry = this.#sessions.get(socket);
    if (!entry) return;
    try {
      const caller = await this.#gateway.callerOf(entry.headers);
      if (!entry.session.allows(caller)) entry.session.close(WsCloseCode.PolicyViolation, 'access revoked');
    } catch (error) {
      // Only a rejected credential ends the socket; an identity provider that is briefly down does not.
      if (BusError.from(error).code === ErrorCode.Unauthenticated) entry.session.close(WsCloseCode.PolicyViolation, 'credential no longer valid');
    }
  }

  async #close(): Promise<void> {
    this.#heartbeat.dispose();
    const sockets = [...this.#sessions.keys()];
    const closed = Promise.all(sockets.map((socket) => (socket.readyState === WebSocket.CLOSED ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    for (const { session } of this.#sessions.values()) session.close(WsCloseCode.GoingAway, 'kernel shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const socket of sockets) socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function refuse(socket: Duplex, answer: UpgradeRefusal): void {
  rejectUpgrade(socket, answer.status, answer.text, answer.headers);
}

