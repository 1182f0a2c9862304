import type { ServerResponse } from 'node:http';

/** Idle time after which an open event stream gets a `: keep-alive` comment, so proxies and clients do not time it out. */
export const SSE_KEEPALIVE_MS = 15_000;

/** Headers of every event stream; `x-accel-buffering: no` keeps nginx-style proxies from holding events back. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** Options of an SseWriter. */
export interface SseWriterOptions {
  keepAliveMs?: number;
  /** Runs once, just before the headers are written: the caller gives up its own way of answering. */
  onStart?(): void;
}

/**
 * Writes Server-Sent Events to one response, one frame at a time and in order: each write that
 * fills the socket buffer waits for 'drain' before the next. Nothing is written until the first
 * frame (or keep-alive), so a failure before that can still be answered with an HTTP status.
 */
export class SseWriter {
  readonly #response: ServerResponse;
  readonly #keepAliveMs: number;
  readonly #onStart: (() => void) | undefined;
  #queue: Promise<void> = Promise.resolve();
  #keepAlive: NodeJS.Timeout | undefined;
  #started = false;
  #ended = false;

  constructor(response: ServerResponse, options: SseWriterOptions = {}) {
    this.#response = response;
    this.#keepAliveMs = options.keepAliveMs ?? SSE_KEEPALIVE_MS;
    this.#onStart = options.onStart;
  }

  /** True once the headers went out: from then on, failures must be reported inside the stream. */
  get started(): boolean {
    return this.#started;
  }

  /** Starts waiting for activity: after `keepAliveMs` of silence the stream starts (if needed) with a comment. */
  open(): void {
    this.#armKeepAlive();
  }

  /** Queues `data: <text>`; a text with line breaks becomes several `data:` lines, as the format requires. */
  data(text: string): Promise<void> {
    return this.#enqueue(frame(undefined, text));
  }

  /** Queues `event: <name>` with `data: <text>`. */
  event(name: string, text: string): Promise<void> {
    return this.#enqueue(frame(name, text));
  }

  /** Ends the response once every queued frame is written; a stream with no frame at all is still sent, empty. Idempotent. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#stopKeepAlive();
    if (!this.#response.destroyed) this.#start();
    this.#ended = true;
    await this.#queue;
    if (this.#started && !this.#response.destroyed) this.#response.end();
  }

  /** Stops the keep-alive timer without writing (the answer went another way, or the client left). Idempotent. */
  dispose(): void {
    this.#ended = true;
    this.#stopKeepAlive();
  }

  #enqueue(text: string): Promise<void> {
    if (this.#ended) return this.#queue;
    this.#start();
    this.#queue = this.#queue.then(() => this.#write(text));
    return this.#queue;
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#onStart?.();
    this.#response.writeHead(200, SSE_HEADERS);
    this.#response.flushHeaders();
  }

  async #write(text: string): Promise<void> {
    const response = this.#response;
    if (response.destroyed || response.writableEnded) return;
    this.#armKeepAlive();
    if (response.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  #armKeepAlive(): void {
    if (this.#ended) return;
    this.#stopKeepAlive();
    this.#keepAlive = setTimeout(() => void this.#enqueue(': keep-alive\n\n'), this.#keepAliveMs);
    this.#keepAlive.unref();
  }

  #stopKeepAlive(): void {
    clearTimeout(this.#keepAlive);
    this.#keepAlive = undefined;
  }
}

function frame(event: string | undefined, text: string): string {
  const data = text.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
  return `${event === undefined ? '' : `event: ${event}\n`}${data}\n`;
}
