import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { HttpError } from './http-errors.ts';

/** How the gateway answers a plugin route, read from the capability's result. */
export interface RouteAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  /** False for "no body" (`_http` with an absent or null `body`). */
  hasBody: boolean;
  body: unknown;
  /** True when the result shaped the answer with `_http`: a string body is then sent as text, not as JSON. */
  shaped: boolean;
  /** `_http.sse`: lines an event stream ends with, each sent as `data: <line>` verbatim. */
  sse?: string[];
}

/** Response headers a capability may not set: they describe the connection, which the gateway owns. */
const REFUSED_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length',
]);

/**
 * Reads a route capability's result. An object with an `_http` member shapes the answer:
 * `_http.status` (default 200, or 204 without a body), `_http.headers` (string values), `_http.sse`
 * and the `body` member; any other result is the JSON body of a 200. Refused or non-string headers
 * are dropped with a warning; a malformed `_http` is the plugin's fault and throws HttpError 502.
 */
export function routeAnswer(capability: string, result: unknown, warn: (message: string) => void): RouteAnswer {
  if (typeof result !== 'object' || result === null || Array.isArray(result) || !('_http' in result)) {
    return { status: 200, headers: {}, hasBody: true, body: result, shaped: false };
  }
  const shape = (result as { _http: unknown })._http;
  if (typeof shape !== 'object' || shape === null || Array.isArray(shape)) throw malformed(capability, '_http must be an object');
  const { status, headers, sse } = shape as { status?: unknown; headers?: unknown; sse?: unknown };
  const body = (result as { body?: unknown }).body;
  const hasBody = body !== undefined && body !== null;
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) {
    throw malformed(capability, `_http.status must be an integer from 200 to 599, not ${JSON.stringify(status)}`);
  }
  if (sse !== undefined && !(Array.isArray(sse) && sse.every((line) => typeof line === 'string'))) {
    throw malformed(capability, '_http.sse must be an array of strings');
  }
  const answer: RouteAnswer = {
    status: (status as number | undefined) ?? (hasBody ? 200 : 204),
    headers: allowedHeaders(capability, headers, warn),
    hasBody,
    body: hasBody ? body : null,
    shaped: true,
  };
  if (sse !== undefined) answer.sse = sse as string[];
  return answer;
}

function allowedHeaders(capability: string, headers: unknown, warn: (message: string) => void): Record<string, string | string[]> {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw malformed(capability, '_http.headers must be an object of strings');
  const allowed: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (REFUSED_HEADERS.has(lower)) {
      warn(`${capability} tried to set the response header '${name}', which belongs to the connection; it was dropped`);
    } else if (typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      allowed[lower] = value as string | string[];
    } else {
      warn(`${capability} set the response header '${name}' to a ${typeof value}, not a string; it was dropped`);
    }
  }
  return allowed;
}

function malformed(capability: string, problem: string): HttpError {
  return new HttpError(502, new BusError(ErrorCode.InternalError, `${capability} answered a malformed HTTP result: ${problem}`, { capability, reason: 'malformed _http' }));
}
