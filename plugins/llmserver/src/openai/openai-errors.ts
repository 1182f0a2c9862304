import { BusError, ErrorCode } from '@cyberstudio/sdk';

/** OpenAI's error object, as its clients parse it. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A route answer carrying an OpenAI error with its HTTP status. */
export interface OpenAiErrorAnswer {
  _http: { status: number; headers?: Record<string, string> };
  body: OpenAiErrorBody;
}

/**
 * A request the OpenAI routes refuse, thrown by the request readers and turned into an answer by
 * `openAiErrorAnswer`, so every refusal leaves in OpenAI's shape rather than the gateway's.
 */
export class OpenAiRequestError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;

  constructor(status: number, message: string, options: { type?: string; param?: string | null; code?: string | null } = {}) {
    super(message);
    this.name = 'OpenAiRequestError';
    this.status = status;
    this.type = options.type ?? 'invalid_request_error';
    this.param = options.param ?? null;
    this.code = options.code ?? null;
  }
}

/** 400 invalid_request_error naming the request field `param`. */
export function badRequest(param: string | null, message: string): OpenAiRequestError {
  return new OpenAiRequestError(400, message, { param });
}

/** 404 model_not_found, OpenAI's answer for a model id it does not know. */
export function modelNotFound(id: string): OpenAiRequestError {
  return new OpenAiRequestError(404, `The model '${id}' does not exist (GET /v1/models lists the models)`, { param: 'model', code: 'model_not_found' });
}

/**
 * The OpenAI answer for a failure of an OpenAI route: its own refusals keep their status; the
 * plugin's and auth's errors map by code: -32007 -> 400, Unauthenticated -> 401, InsufficientBalance
 * -> 402 (code insufficient_quota), Forbidden -> 403, Overloaded and RateLimited -> 429 (RateLimited
 * with Retry-After), UpstreamFailed -> 502, PluginNotRunning, CapabilityNotFound and ShuttingDown -> 503, and anything
 * else, a failed load or a native failure in the model, -> 500 model_crashed.
 * `fields` renames the plugin's param names to the request's (`json_schema` -> `response_format`).
 * A cancellation is rethrown: the client is gone and no answer reaches it.
 */
export function openAiErrorAnswer(error: unknown, fields: Record<string, string> = {}): OpenAiErrorAnswer {
  if (error instanceof OpenAiRequestError) return answer(error.status, error.message, error.type, error.param, error.code);
  const failure = BusError.from(error);
  const data = (failure.data ?? {}) as { errors?: Array<{ instancePath?: string }>; reason?: string; retryAfterSeconds?: number; model?: string };
  switch (failure.code) {
    case ErrorCode.CapabilityInvalidParams: {
      const field = data.errors?.[0]?.instancePath?.replace(/^\//, '').split('/')[0];
      const param = field ? (fields[field] ?? field) : null;
      return answer(400, failure.message, 'invalid_request_error', param, null);
    }
    case ErrorCode.Unauthenticated:
      return answer(401, failure.message, 'authentication_error', null, snake(data.reason) ?? 'invalid_api_key');
    case ErrorCode.InsufficientBalance:
      return answer(402, failure.message, 'insufficient_quota', null, 'insufficient_quota');
    case ErrorCode.Forbidden:
      return answer(403, failure.message, 'permission_error', data.model === undefined ? null : 'model', data.model === undefined ? 'forbidden' : 'model_not_allowed');
    case ErrorCode.Overloaded:
      return answer(429, failure.message, 'rate_limit_error', null, snake(data.reason) ?? 'overloaded');
    case ErrorCode.RateLimited: {
      const retryAfter = Math.max(1, Math.ceil(data.retryAfterSeconds ?? 1));
      return answer(429, failure.message, 'rate_limit_error', null, 'rate_limit_exceeded', { 'retry-after': String(retryAfter) });
    }
    case ErrorCode.UpstreamFailed:
      return answer(502, failure.message, 'api_error', null, snake(data.reason) ?? 'upstream_failed');
    case ErrorCode.PluginNotRunning:
    case ErrorCode.CapabilityNotFound:
    case ErrorCode.ShuttingDown:
      return answer(503, failure.message, 'server_error', null, snake(data.reason) ?? 'service_unavailable');
    case ErrorCode.Cancelled:
      throw failure;
    default:
      return answer(500, `The model crashed: ${failure.message}`, 'server_error', null, 'model_crashed');
  }
}

function answer(status: number, message: string, type: string, param: string | null, code: string | null, headers?: Record<string, string>): OpenAiErrorAnswer {
  return { _http: headers === undefined ? { status } : { status, headers }, body: { error: { message, type, param, code } } };
}

function snake(reason: string | undefined): string | undefined {
  return reason?.replace(/-/g, '_');
}
