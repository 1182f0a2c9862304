import type { IncomingMessage } from 'node:http';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { HttpError } from './http-errors.ts';
import { parseError } from './jsonrpc-messages.ts';

/**
 * Reads a JSON request body of at most `limit` bytes. Throws HttpError 415 when the
 * content type is not JSON, 413 when the body is larger than `limit` (read no further),
 * and 400 with ParseError (-32700) when it is not JSON. An empty body is `undefined`.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const type = request.headers['content-type'];
  const length = Number(request.headers['content-length'] ?? Number.NaN);
  if (length === 0 || (type === undefined && !hasBody(request))) return undefined;
  if (!isJsonType(type)) throw unsupportedType(type);
  if (Number.isFinite(length) && length > limit) throw tooLarge(limit);
  const text = await readText(request, limit);
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, parseError((error as Error).message));
  }
}

/**
 * Throws HttpError 415 when a request to a JSON endpoint names a Content-Type that is not JSON,
 * body or not: form and text/plain bodies are what a cross-site page can send without a CORS
 * preflight, so a JSON endpoint must never act on them. No Content-Type at all passes (a
 * bodiless POST from the CLI).
 */
export function assertJsonContentType(request: IncomingMessage): void {
  const type = request.headers['content-type'];
  if (type !== undefined && !isJsonType(type)) throw unsupportedType(type);
}

/** True for application/json and application/*+json, with any parameters. */
export function isJsonType(type: string | undefined): boolean {
  if (type === undefined) return false;
  if (type === 'application/json') return true; // nearly every request: skip the parsing below
  const media = type.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/**
 * The body as text, stopping at `limit` bytes. Listens for 'data' and 'end' rather than
 * iterating the stream: the async iterator costs several microseconds per request. The
 * listeners are methods of one reader object, bound once, rather than closures made per
 * request: under tsx every named closure is wrapped (`__name`) as it is made.
 */
function readText(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => new BodyReader(request, limit, resolve, reject).listen());
}

/** One request body being read: its chunks so far, and how the read ends. */
class BodyReader {
  readonly #request: IncomingMessage;
  readonly #limit: number;
  readonly #resolve: (text: string) => void;
  readonly #reject: (error: unknown) => void;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  readonly onData = this.#data.bind(this);
  readonly onEnd = this.#end.bind(this);
  readonly onError = this.#fail.bind(this);
  readonly onAborted = this.#aborted.bind(this);

  constructor(request: IncomingMessage, limit: number, resolve: (text: string) => void, reject: (error: unknown) => void) {
    this.#request = request;
    this.#limit = limit;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  listen(): void {
    this.#request.on('data', this.onData).on('end', this.onEnd).on('error', this.onError).on('aborted', this.onAborted);
  }

  #data(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size <= this.#limit) return void this.#chunks.push(chunk);
    this.#stop();
    this.#request.resume();
    this.#reject(tooLarge(this.#limit));
  }

  #end(): void {
    this.#stop();
    const chunks = this.#chunks;
    this.#resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.#size).toString('utf8'));
  }

  #fail(error: Error): void {
    this.#stop();
    this.#reject(error);
  }

  #aborted(): void {
    this.#fail(new Error('the client aborted the request'));
  }

  #stop(): void {
    this.#request.off('data', this.onData).off('end', this.onEnd).off('error', this.onError).off('aborted', this.onAborted);
  }
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || request.headers['content-length'] !== undefined;
}

function unsupportedType(type: string | undefined): HttpError {
  const shown = type ?? '(none)';
  return new HttpError(415, new BusError(ErrorCode.InvalidRequest, `Unsupported content type ${shown}: this endpoint takes application/json (send a JSON body with Content-Type: application/json, or no body)`, {
    reason: 'content-type', contentType: type ?? null, expected: 'application/json',
  }));
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, new BusError(ErrorCode.InvalidRequest, `Request body too large: the limit is ${limit} bytes (gateway.limits.bodyBytes)`, { reason: 'body-too-large', limitBytes: limit }));
}
