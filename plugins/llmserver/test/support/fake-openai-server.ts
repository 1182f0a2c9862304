import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers a request; every field is optional and the defaults give a short successful answer. */
export interface FakeReply {
  /** Answer with this HTTP status and an OpenAI error body instead. */
  status?: number;
  /** The error body's message and param. */
  errorMessage?: string;
  errorParam?: string;
  /** Retry-After header value (seconds or an HTTP date) of an error answer. */
  retryAfter?: string;
  /** Wait this long before sending the headers. */
  headersDelayMs?: number;
  /** The text pieces of a generation, one streamed chunk each. Default `['Hello', ' there', '!']`. */
  chunks?: string[];
  /** Wait this long before each streamed chunk. */
  chunkDelayMs?: number;
  /** Destroy the connection after this many text chunks (0: right after the role chunk). */
  dropAfterChunks?: number;
  /** Stop sending after this many text chunks and hold the connection open. */
  stallAfterChunks?: number;
  /** Answer with one JSON body even when the request asks for a stream. */
  ignoreStream?: boolean;
  /** Leave the usage chunk out even when `stream_options.include_usage` asks for it. */
  omitUsage?: boolean;
  finishReason?: string;
  /** Prompt tokens reported in usage. Default 7. */
  promptTokens?: number;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

const DEFAULT_CHUNKS = ['Hello', ' there', '!'];
/** Responses the fake cut on purpose, which are not the client's aborts. */
const dropped = new WeakSet<ServerResponse>();

function drop(response: ServerResponse): void {
  dropped.add(response);
  response.socket?.destroy();
}

/**
 * A scriptable OpenAI-compatible server on 127.0.0.1 for tests: /v1/chat/completions and
 * /v1/completions (JSON, or SSE with a usage chunk when `stream_options.include_usage`),
 * /v1/embeddings and /v1/models. `script(reply, times)` sets the answer of the next requests;
 * every request is recorded, and `clientAborts` counts responses the client walked away from.
 */
export class FakeOpenAiServer {
  /** The base URL, `/v1` included. */
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  /** The answer of requests no script covers. */
  defaults: FakeReply = {};
  /** Responses whose connection the client closed before the fake finished them. */
  clientAborts = 0;
  readonly #server: Server;
  readonly #scripts: FakeReply[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.#handle(request, response));
  }

  /** Starts the fake on an ephemeral port. */
  static async start(): Promise<FakeOpenAiServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeOpenAiServer(server);
  }

  /** The next `times` requests get `reply`, after the ones scripted before. */
  script(reply: FakeReply, times = 1): void {
    for (let index = 0; index < times; index++) this.#scripts.push(reply);
  }

  /** Stops the fake and cuts open connections; safe to call twice. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = this.#scripts.shift() ?? this.defaults;
    const text = await readAll(request);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const path = (request.url ?? '').split('?')[0]!;
    this.requests.push({ method: request.method ?? '', path, headers: request.headers, body });
    response.on('close', () => {
      if (!response.writableFinished && !dropped.has(response)) this.clientAborts++;
    });
    if (reply.headersDelayMs) await this.#sleep(reply.headersDelayMs);
    if (response.destroyed) return;
    if (reply.status !== undefined) return sendError(response, reply);
    if (request.method === 'GET' && path === '/v1/models') {
      return sendJson(response, { object: 'list', data: [{ id: 'fake-gpt', object: 'model', owned_by: 'fake' }] });
    }
    if (request.method === 'POST' && path === '/v1/embeddings' && body) {
      const inputs = (Array.isArray(body.input) ? body.input : [body.input]) as string[];
      return sendJson(response, {
        object: 'list',
        data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: [input.length, index, 0.5] })).reverse(),
        usage: { prompt_tokens: inputs.join('').length, total_tokens: inputs.join('').length },
      });
    }
    if (request.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions') && body) {
      const chat = path === '/v1/chat/completions';
      if (body.stream !== true || reply.ignoreStream) return sendJson(response, wholeAnswer(chat, reply));
      return this.#stream(response, chat, reply, (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true);
    }
    sendError(response, { status: 404, errorMessage: `no route ${request.method} ${path}` });
  }

  async #stream(response: ServerResponse, chat: boolean, reply: FakeReply, includeUsage: boolean): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (data: unknown) => new Promise<void>((resolve) => response.write(`data: ${JSON.stringify(data)}\n\n`, () => resolve()));
    const choice = (text: string | undefined, finishReason: string | null) =>
      chat ? { index: 0, delta: text === undefined ? {} : { content: text }, finish_reason: finishReason } : { index: 0, text: text ?? '', finish_reason: finishReason };
    if (chat) await send({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    const chunks = reply.chunks ?? DEFAULT_CHUNKS;
    for (const [index, text] of chunks.entries()) {
      if (reply.dropAfterChunks === index) return drop(response);
      if (reply.stallAfterChunks === index) return;
      if (reply.chunkDelayMs) await this.#sleep(reply.chunkDelayMs);
      if (response.destroyed) return;
      await send({ choices: [choice(text, null)] });
    }
    if (reply.dropAfterChunks === chunks.length) return drop(response);
    await send({ choices: [choice(undefined, reply.finishReason ?? 'stop')] });
    if (includeUsage && !reply.omitUsage) await send({ choices: [], usage: usageOf(reply) });
    response.end('data: [DONE]\n\n');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

function wholeAnswer(chat: boolean, reply: FakeReply): Record<string, unknown> {
  const text = (reply.chunks ?? DEFAULT_CHUNKS).join('');
  const finishReason = reply.finishReason ?? 'stop';
  const choice = chat ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason } : { index: 0, text, finish_reason: finishReason };
  return { object: chat ? 'chat.completion' : 'text_completion', choices: [choice], ...(reply.omitUsage ? {} : { usage: usageOf(reply) }) };
}

function usageOf(reply: FakeReply): Record<string, number> {
  const prompt = reply.promptTokens ?? 7;
  const completion = (reply.chunks ?? DEFAULT_CHUNKS).length;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, reply: FakeReply): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
  response.writeHead(reply.status ?? 500, headers);
  response.end(JSON.stringify({ error: { message: reply.errorMessage ?? 'fake failure', type: 'fake_error', param: reply.errorParam ?? null, code: null } }));
}

async function readAll(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
