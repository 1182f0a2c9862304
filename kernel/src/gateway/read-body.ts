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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks, size).toString('utf8');
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

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || request.headers['content-length'] !== undefined;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, new BusError(ErrorCode.InvalidRequest, `Request body too large: the limit is ${limit} bytes (gateway.limits.bodyBytes)`, { reason: 'body-too-large', limitBytes: limit }));
}
