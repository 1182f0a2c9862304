import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { BusError, CancellationSource, ErrorCode, Method, cancelledError } from '@cyberstudio/sdk';
import type { GatewayContext } from './gateway-context.ts';
import type { UserCaller } from './identity-resolver.ts';
import { shuttingDownError } from './in-flight-requests.ts';
import { classifyMessage, errorResponse, outsideCallError, parseError, resultResponse, type InboundMessage, type RequestId, type ResponseMessage } from './jsonrpc-messages.ts';
import { WsCloseCode, type WsEndpoint, type WsSession } from './ws-endpoint.ts';
import type { OutboundQueue, OutboundQueueStats } from './ws-outbound-queue.ts';
import { Subscriptions, parseSubscribeParams } from './ws-subscriptions.ts';

type CallMessage = Exclude<InboundMessage, { kind: 'invalid' }>;

/** The abort reason of a call the client cancelled; the bus turns it into Cancelled (-32005). */
const CANCELLED_BY_CLIENT = 'cancelled by caller';

/**
 * One client on `/ws`: JSON-RPC 2.0, one message or batch per text frame. A method that is a
 * capability is called as the caller (re-resolved from the upgrade's headers for every call),
 * many at once, with `$/progress` before the answer; `$/cancelRequest`, `$/ping`, `$/subscribe`
 * and `$/unsubscribe` are the protocol's own; an unknown method answers Method not found
 * (-32601). Closing aborts every call in flight and ends every subscription.
 */
export class WsRpcConnection implements WsSession {
  readonly #gateway: GatewayContext;
  readonly #socket: WebSocket;
  readonly #headers: IncomingHttpHeaders;
  readonly #queue: OutboundQueue;
  readonly #subscriptions: Subscriptions;
  readonly #requests = new Map<RequestId, CancellationSource>();
  // Notifications that call capabilities: no id to cancel them by, but a closing socket still aborts them.
  readonly #notifications = new Set<CancellationSource>();
  #closed = false;

  constructor(gateway: GatewayContext, endpoint: WsEndpoint, socket: WebSocket, headers: IncomingHttpHeaders) {
    this.#gateway = gateway;
    this.#socket = socket;
    this.#headers = headers;
    this.#queue = endpoint.queueFor(socket, () => this.close(WsCloseCode.PolicyViolation, 'client too slow'));
    this.#subscriptions = new Subscriptions(gateway.kernel, (subscription, topic, source, data) =>
      this.#queue.sendEvent(subscription, (dropped) =>
        JSON.stringify({ jsonrpc: '2.0', method: Method.Event, params: dropped > 0 ? { subscription, topic, source, data, dropped } : { subscription, topic, source, data } }),
      ),
    );
    socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    socket.on('error', (error) => gateway.logger.debug({ err: error }, `/ws: ${error.message}`));
    socket.once('close', () => this.#stop('the WebSocket closed'));
  }

  /** The outbound queue's state. */
  get stats(): OutboundQueueStats {
    return this.#queue.stats;
  }

  /** True while `caller` may still subscribe to every topic this socket holds. */
  allows(caller: UserCaller): boolean {
    return this.#subscriptions.topics().every((topic) => this.#gateway.policy.canSubscribe(caller, topic));
  }

  /**
   * Aborts the calls in flight, ends the subscriptions and closes the socket with `code`.
   * Closing for shutdown (1001) first answers every request in flight with ShuttingDown, so
   * no caller is left waiting for an answer the closed socket cannot bring. Idempotent.
   */
  close(code: number, reason: string): void {
    if (code === WsCloseCode.GoingAway && !this.#closed) {
      for (const id of this.#requests.keys()) this.#reply(errorResponse(id, shuttingDownError()));
    }
    this.#stop(reason);
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(code, reason);
  }

  #stop(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new Error(reason);
    for (const controller of [...this.#requests.values(), ...this.#notifications]) controller.abort(error);
    this.#requests.clear();
    this.#notifications.clear();
    this.#subscriptions.dispose();
    this.#queue.close();
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    if (isBinary) {
      return this.#reply(errorResponse(null, new BusError(ErrorCode.InvalidRequest, 'Invalid request: binary frames are not JSON-RPC; send each message as a text frame', { reason: 'binary' })));
    }
    let value: unknown;
    try {
      value = JSON.parse(textOf(data));
    } catch (error) {
      return this.#reply(errorResponse(null, parseError((error as Error).message)));
    }
    if (Array.isArray(value)) void this.#batch(value);
    else void this.#handle(value).then((response) => response && this.#reply(response));
  }

  async #batch(items: unknown[]): Promise<void> {
    const limit = this.#gateway.settings.limits.batchSize;
    if (items.length === 0) return this.#reply(errorResponse(null, invalidBatch('an empty batch')));
    if (items.length > limit) return this.#reply(errorResponse(null, invalidBatch(`${items.length} requests, the limit is ${limit} (gateway.limits.batchSize)`)));
    const answers = await Promise.all(items.map((item) => this.#handle(item)));
    const responses = answers.filter((answer): answer is ResponseMessage => answer !== undefined);
    if (responses.length > 0) this.#reply(responses);
  }

  /** The response to one message (undefined for a notification); never rejects. */
  async #handle(value: unknown): Promise<ResponseMessage | undefined> {
    const message = classifyMessage(value);
    if (message.kind === 'invalid') return errorResponse(message.id, message.error);
    try {
      const result = await this.#dispatch(message);
      return message.kind === 'request' ? resultResponse(message.id, result) : undefined;
    } catch (error) {
      return message.kind === 'request' ? errorResponse(message.id, outsideCallError(message.method, error)) : undefined;
    }
  }

  async #dispatch(message: CallMessage): Promise<unknown> {
    switch (message.method) {
      case Method.Ping:
        return {};
      case Method.CancelRequest:
        return this.#cancel(message.params);
      case Method.Subscribe:
        return this.#subscribe(message.params);
      case Method.Unsubscribe:
        return this.#unsubscribe(message.params);
    }
    if (message.method.startsWith('$/')) {
      throw new BusError(ErrorCode.MethodNotFound, `Unknown protocol method ${message.method} (on /ws: $/ping, $/cancelRequest, $/subscribe, $/unsubscribe)`, { method: message.method });
    }
    return this.#call(message);
  }

  async #call(message: CallMessage): Promise<unknown> {
    const limit = this.#gateway.settings.limits.wsCallsInFlight;
    if (this.#requests.size + this.#notifications.size >= limit) {
      throw new BusError(ErrorCode.Overloaded, `Too many calls in flight on this WebSocket: the limit is ${limit} (gateway.limits.wsCallsInFlight)`, { limit, reason: 'ws-calls-in-flight' });
    }
    const id = message.kind === 'request' ? message.id : undefined;
    if (id !== undefined && this.#requests.has(id)) {
      throw new BusError(ErrorCode.InvalidRequest, `Invalid request: id ${JSON.stringify(id)} is already used by a call in flight`, { reason: 'duplicate id', id });
    }
    const controller = new CancellationSource();
    if (id === undefined) this.#notifications.add(controller);
    else this.#requests.set(id, controller);
    try {
      const caller = this.#gateway.callerNow(this.#headers) ?? (await this.#gateway.callerOf(this.#headers));
      if (controller.aborted) throw cancelledError(controller.reason, message.method);
      const onProgress = id === undefined ? undefined : (chunk: unknown) => this.#reply({ jsonrpc: '2.0', method: Method.Progress, params: { id, chunk } });
      return await this.#gateway.call(caller, message.method, message.params, { signal: controller, onProgress });
    } finally {
      if (id === undefined) this.#notifications.delete(controller);
      else if (this.#requests.get(id) === controller) this.#requests.delete(id);
    }
  }

  #cancel(params: Record<string, unknown>): object {
    const { id } = params;
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new BusError(ErrorCode.InvalidParams, `Invalid params for ${Method.CancelRequest}: id must be the string or number id of a request`, { method: Method.CancelRequest });
    }
    this.#requests.get(id)?.abort(new Error(CANCELLED_BY_CLIENT));
    return {};
  }

  async #subscribe(params: Record<string, unknown>): Promise<object> {
    const request = parseSubscribeParams(params, this.#gateway.kernel);
    const caller = await this.#gateway.callerOf(this.#headers);
    this.#gateway.policy.assertSubscribe(caller, request.topic);
    return { subscription: this.#subscriptions.add(request) };
  }

  #unsubscribe(params: Record<string, unknown>): object {
    const { subscription } = params;
    if (typeof subscription !== 'string') {
      throw new BusError(ErrorCode.InvalidParams, `Invalid params for ${Method.Unsubscribe}: subscription must be the id $/subscribe answered`, { method: Method.Unsubscribe });
    }
    if (this.#subscriptions.remove(subscription)) this.#queue.discard(subscription);
    return {};
  }

  #reply(message: object): void {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      const id = (message as { id?: RequestId }).id ?? null;
      text = JSON.stringify(errorResponse(id, new BusError(ErrorCode.InternalError, `The answer cannot be sent as JSON: ${(error as Error).message}`, {})));
    }
    this.#queue.sendReply(text);
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function invalidBatch(what: string): BusError {
  return new BusError(ErrorCode.InvalidRequest, `Invalid request: ${what}`, { reason: 'batch' });
}
