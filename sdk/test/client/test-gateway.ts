import { WebSocketServer, type WebSocket } from 'ws';

/** A JSON message as the test gateway receives or sends it. */
export type Frame = Record<string, unknown>;

/**
 * A real `ws` server that answers like the gateway's /ws for the client's tests: `echo` returns
 * its params, `stream` sends `count` progress chunks first, `fail` answers an error, `hang`
 * answers only a `$/cancelRequest` (with Cancelled), `$/subscribe` confirms and, shortly after (or in
 * the same frame, with `eventsWithConfirmation`), publishes one `$/event`. Every frame a client sends is kept in `received`.
 */
export class TestGateway {
  readonly received: Frame[] = [];
  readonly sockets: WebSocket[] = [];
  /** Send each subscription's first event in the confirmation's frame, instead of 20 ms later. */
  eventsWithConfirmation = false;
  readonly #server: WebSocketServer;
  #subscriptions = 0;

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data) => this.#answer(socket, JSON.parse(data.toString()) as Frame));
    });
  }

  /** Listens on a free port of 127.0.0.1. */
  static async start(): Promise<TestGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new TestGateway(server);
  }

  /** The ws: URL of the server. */
  get url(): string {
    const address = this.#server.address() as { port: number };
    return `ws://127.0.0.1:${address.port}/ws`;
  }

  /** The frames received with `method`. */
  frames(method: string): Frame[] {
    return this.received.filter((frame) => frame.method === method);
  }

  /** Closes every open client socket with `code` and `reason`. */
  dropAll(code = 1011, reason = 'test drop'): void {
    for (const socket of this.sockets.splice(0)) socket.close(code, reason);
  }

  /** Sends `frame` to every open socket. */
  broadcast(frame: Frame): void {
    for (const socket of this.sockets) socket.send(JSON.stringify(frame));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(socket: WebSocket, frame: Frame): void {
    this.received.push(frame);
    const send = (message: Frame) => socket.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
    const params = (frame.params ?? {}) as Record<string, unknown>;
    switch (frame.method) {
      case 'echo':
        return send({ id: frame.id, result: params });
      case 'stream':
        for (let index = 0; index < Number(params.count); index++) send({ method: '$/progress', params: { id: frame.id, chunk: { index } } });
        return send({ id: frame.id, result: { sent: params.count } });
      case 'fail':
        return send({ id: frame.id, error: { code: -32012, message: 'no credential', data: { reason: 'missing' } } });
      case 'hang':
        return;
      case '$/cancelRequest':
        return send({ id: params.id, error: { code: -32005, message: 'cancelled' } });
      case '$/subscribe':
        return this.#confirm(socket, frame.id, String(params.topic));
      case '$/unsubscribe':
        return send({ id: frame.id, result: { ok: true } });
    }
  }

  /** Confirms a subscription and publishes its first event: 20 ms later, or in the same frame. */
  #confirm(socket: WebSocket, id: unknown, topic: string): void {
    const subscription = `s${++this.#subscriptions}`;
    const confirmation = { jsonrpc: '2.0', id, result: { subscription } };
    const event = { jsonrpc: '2.0', method: '$/event', params: { subscription, topic, source: 'kernel', data: { n: this.#subscriptions } } };
    if (this.eventsWithConfirmation) {
      socket.send(JSON.stringify([confirmation, event]));
      return;
    }
    socket.send(JSON.stringify(confirmation));
    // Later, as a publish usually comes.
    setTimeout(() => socket.send(JSON.stringify(event)), 20);
  }
}
