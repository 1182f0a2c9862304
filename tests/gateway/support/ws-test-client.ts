import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';

/** A JSON-RPC message as the gateway sends it. */
export interface WireMessage {
  jsonrpc: '2.0';
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown> & { subscription?: string; id?: unknown; chunk?: unknown; topic?: string; data?: unknown; dropped?: number };
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** How a socket closed. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** An HTTP answer to a refused upgrade. */
export interface RefusedUpgrade {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const WAIT_MS = 15_000;

/**
 * A test client on a real `ws` WebSocket: keeps every message it receives (parsed JSON), lets a
 * test wait for one matching a predicate, and sends requests with increasing ids.
 */
export class WsTestClient {
  readonly socket: WebSocket;
  /** Every message received so far, in order; binary or non-JSON frames as strings. */
  readonly messages: unknown[] = [];
  /** Settles when the socket closes. */
  readonly closed: Promise<CloseInfo>;
  readonly #waiters = new Set<() => void>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const text = data.toString();
      try {
        this.messages.push(JSON.parse(text));
      } catch {
        this.messages.push(text);
      }
      for (const waiter of [...this.#waiters]) waiter();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('error', () => {});
  }

  /** Opens `url` and waits for the upgrade to succeed. */
  static async open(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    const client = new WsTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    });
    return client;
  }

  /** Sends a request and resolves with its response (result or error). */
  request(method: string, params?: unknown, id: string | number = this.#nextId++): Promise<WireMessage> {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return this.waitFor((message) => message.id === id && message.method === undefined);
  }

  /** Sends a notification. */
  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
  }

  /** Sends a value as one JSON text frame. */
  send(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  /** Subscribes and resolves with the subscription id; throws when the gateway answers an error. */
  async subscribe(params: Record<string, unknown>): Promise<string> {
    const response = await this.request('$/subscribe', params);
    if (response.error) throw new Error(`subscribe failed: ${response.error.code} ${response.error.message}`);
    return (response.result as { subscription: string }).subscription;
  }

  /** The `$/event` params received for `subscription`, in order. */
  events(subscription: string): NonNullable<WireMessage['params']>[] {
    return (this.messages as WireMessage[]).filter((message) => message.method === '$/event' && message.params?.subscription === subscription).map((message) => message.params!);
  }

  /** Resolves with the first message (received already or later) matching `test`; rejects after a generous guard time. */
  waitFor(test: (message: WireMessage) => boolean, what = 'a matching message'): Promise<WireMessage> {
    return this.waitUntil(() => (this.messages as WireMessage[]).find((message) => typeof message === 'object' && message !== null && test(message)), what);
  }

  /** Resolves with the first defined value of `probe`, re-evaluated after every message. */
  waitUntil<T>(probe: () => T | undefined, what = 'a condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; received ${this.messages.length} messages, last: ${JSON.stringify(this.messages.at(-1))?.slice(0, 300)}`));
      }, WAIT_MS);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
    return this.closed;
  }
}

/** Tries an upgrade that should be refused and resolves with the HTTP answer; rejects if it was accepted. */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error(`the upgrade of ${url} was accepted`));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    socket.on('error', () => {});
  });
}
