import { BusError, ErrorCode, ErrorCodeRange, errorName, wireErrorCatalog } from '@cyberstudio/sdk';

/**
 * The HTTP status for a wire error: the catalog's for its codes; for a plugin's own code
 * (>= 10000) the `data.httpStatus` it names when that is an integer in 400..599; else 500.
 */
export function httpStatusOf(code: number, data?: unknown): number {
  const cataloged = (wireErrorCatalog as Record<number, { httpStatus: number }>)[code]?.httpStatus;
  if (cataloged !== undefined) return cataloged;
  if (code >= ErrorCodeRange.pluginOwnMin) {
    const named = (data as { httpStatus?: unknown } | null | undefined)?.httpStatus;
    if (Number.isInteger(named) && (named as number) >= 400 && (named as number) <= 599) return named as number;
  }
  return 500;
}

/**
 * Headers an error adds to an HTTP answer: `WWW-Authenticate` with 401, `Retry-After` and
 * `x-ratelimit-*` with 429 (from RateLimited's data).
 */
export function errorHeaders(error: BusError): Record<string, string> {
  if (error.code === ErrorCode.Unauthenticated) return { 'www-authenticate': 'Bearer realm="cyberstudio"' };
  if (error.code !== ErrorCode.RateLimited) return {};
  const data = (error.data ?? {}) as { retryAfterSeconds?: unknown; limit?: unknown; remaining?: unknown; resetSeconds?: unknown };
  const headers: Record<string, string> = {};
  const retry = typeof data.retryAfterSeconds === 'number' && data.retryAfterSeconds >= 0 ? Math.ceil(data.retryAfterSeconds) : 1;
  headers['retry-after'] = String(retry);
  if (typeof data.limit === 'number') headers['x-ratelimit-limit'] = String(data.limit);
  if (typeof data.remaining === 'number') headers['x-ratelimit-remaining'] = String(Math.max(0, data.remaining));
  if (typeof data.resetSeconds === 'number') headers['x-ratelimit-reset'] = String(Math.ceil(data.resetSeconds));
  return headers;
}

/** The JSON body of an error answer outside JSON-RPC: `{ error: { code, name, message, data? } }`. */
export function errorBody(error: BusError): { error: { code: number; name: string; message: string; data?: unknown } } {
  const body: { code: number; name: string; message: string; data?: unknown } = { code: error.code, name: errorName(error.code), message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return { error: body };
}

/** Codes whose HTTP status a single JSON-RPC answer over HTTP also carries (401, 402, 403, 429): the client must act on them. */
export function isAccessError(code: number): boolean {
  return code === ErrorCode.Unauthenticated || code === ErrorCode.Forbidden || code === ErrorCode.RateLimited || code === ErrorCode.InsufficientBalance;
}

/**
 * A gateway-level HTTP failure before any capability runs (unsupported media type, body too
 * large, no such path, ...): its status, extra headers (`Allow` with 405), and the body when it
 * is not the usual `errorBody` (OpenAI's error shape under /v1).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly error: BusError;
  readonly headers: Record<string, string>;
  readonly body: unknown;

  constructor(status: number, error: BusError, options: { headers?: Record<string, string>; body?: unknown } = {}) {
    super(error.message);
    this.status = status;
    this.error = error;
    this.headers = options.headers ?? {};
    this.body = options.body;
  }
}
