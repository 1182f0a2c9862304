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
  if (!isJsonType(type)) {
    throw new HttpError(415, new BusError(ErrorCode.InvalidRequest, `Unsupported content type ${type ?? '(none)'}: send application/json`, { reason: 'content-type', contentType: type ?? null }));
  }
  if (Number.isFinite(length) && length > limit) throw tooLarge(limit);
  const text = await readText(request, limit);
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, parseError((error as Error).message));
  }
}

/** True for application/json and application/*+json, with any parameters. */
export function isJsonType(type: string | undefined): boolean {
  if (type === undefined) return false;
  const media = type.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/**
 * The body as text, stopping at `limit` bytes. Listens for 'data' and 'end' rather than
 * iterating the stream: the async iterator costs several microseconds per request.
 */
function readText(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      request.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || request.headers['content-length'] !== undefined;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, new BusError(ErrorCode.InvalidRequest, `Request body too large: the limit is ${limit} bytes (gateway.limits.bodyBytes)`, { reason: 'body-too-large', limitBytes: limit }));
}
