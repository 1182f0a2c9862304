import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { STALLED, httpStatusFailed, requestFailed, upstreamFailed } from './download-errors.ts';

/** Redirects followed before giving up; the Hub needs one (to its CDN). */
export const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'cyberstudio-llmserver/0.1 (model download)';

/** Options of openDownload. */
export interface DownloadRequestOptions {
  /** Extra request headers (Range, If-Range), sent on every hop. */
  readonly headers: Readonly<Record<string, string>>;
  /** `Authorization` value and the one origin it may go to: a redirect elsewhere drops it. */
  readonly authorization?: { readonly origin: string; readonly value: string };
  /** Time to open the TCP connection (DNS included) before the host counts as unreachable. */
  readonly connectTimeoutMs: number;
  /** Time the socket may stay silent once connected (waiting for headers or for body bytes). */
  readonly stallTimeoutMs: number;
  readonly signal: AbortSignal;
  /** Named in the offline message (copy the file there instead). */
  readonly modelsDir: string;
  /** Hub-specific hints in HTTP errors. */
  readonly huggingFace: boolean;
}

/** An answer with a body to read: 200, 206 or 416 after any redirects. */
export interface DownloadResponse {
  readonly response: IncomingMessage;
  /** The URL that answered (after redirects). */
  readonly url: URL;
  /** The Hub's `x-linked-etag` of an LFS file (its sha256 for LFS files), unquoted, seen on any hop. */
  readonly linkedEtag: string | undefined;
  /** The Hub's `x-linked-size`, seen on any hop. */
  readonly linkedSize: number | undefined;
  /** Turns the silence timeout off (false) while the caller is busy elsewhere on purpose, and on again (true). */
  watchStall(on: boolean): void;
}

/**
 * GETs `url`, following redirects by hand so `Authorization` stays on its own origin, and resolves
 * with the first answer that is not a redirect. 200, 206 and 416 resolve; other statuses, an
 * unreachable host and a connect timeout reject with UpstreamFailed.
 */
export async function openDownload(url: URL, options: DownloadRequestOptions): Promise<DownloadResponse> {
  let current = url;
  let linkedEtag: string | undefined;
  let linkedSize: number | undefined;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...options.headers };
    if (options.authorization && current.origin === options.authorization.origin) headers.authorization = options.authorization.value;
    const { response, watchStall } = await requestOnce(current, headers, options).catch((error: unknown) => {
      options.signal.throwIfAborted();
      throw requestFailed(current, error, options.modelsDir);
    });
    linkedEtag ??= unquote(response.headers['x-linked-etag']);
    linkedSize ??= integerHeader(response.headers['x-linked-size']);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      response.destroy();
      if (hop >= MAX_REDIRECTS) throw upstreamFailed(current, 'too-many-redirects', `${url.host} redirected more than ${MAX_REDIRECTS} times; last to ${location}`);
      current = new URL(location, current);
      continue;
    }
    if (status !== 200 && status !== 206 && status !== 416) {
      response.destroy();
      throw httpStatusFailed(current, status, response.statusMessage, options.huggingFace);
    }
    return { response, url: current, linkedEtag, linkedSize, watchStall };
  }
}

/** `Content-Range: bytes <start>-<end>/<total|*>` (or `bytes * /<total>` of a 416). */
export function parseContentRange(header: string | undefined): { start: number | null; total: number | null } | undefined {
  const match = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { start: match[1] === undefined ? null : Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

/** A non-negative integer header value. */
export function integerHeader(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}

function unquote(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

function requestOnce(url: URL, headers: Record<string, string>, options: DownloadRequestOptions): Promise<{ response: IncomingMessage; watchStall: (on: boolean) => void }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    // No agent: a fresh socket per request, so the connect timer always sees a connect.
    const request = client.request(url, { method: 'GET', headers, agent: false, signal: options.signal });
    let response: IncomingMessage | undefined;
    const connectTimer = setTimeout(() => {
      request.destroy(Object.assign(new Error(`no connection within ${options.connectTimeoutMs} ms`), { code: 'CONNECT_TIMEOUT' }));
    }, options.connectTimeoutMs);
    const stalled = () => {
      const error = Object.assign(new Error(`${url.host} sent nothing for ${options.stallTimeoutMs} ms`), { code: STALLED });
      (response ?? request).destroy(error);
    };
    request.once('socket', (socket) => {
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        socket.setTimeout(options.stallTimeoutMs, stalled);
      });
    });
    request.once('response', (answer) => {
      clearTimeout(connectTimer);
      response = answer;
      const watchStall = (on: boolean) => answer.socket?.setTimeout(on ? options.stallTimeoutMs : 0);
      resolve({ response: answer, watchStall });
    });
    request.once('error', (error) => {
      clearTimeout(connectTimer);
      reject(error);
    });
    request.end();
  });
}
