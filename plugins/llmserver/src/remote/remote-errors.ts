import { BusError, ErrorCode } from '@cyberstudio/sdk';

/** Why a remote model failed, as UpstreamFailed's `data.reason` names it. */
export type UpstreamReason =
  | 'offline' | 'timeout' | 'http-status' | 'upstream-auth' | 'upstream-error' | 'bad-response' | 'stream-cut' | 'no-api-key';

/** `data` of the UpstreamFailed (1003) errors of remote models. */
export interface UpstreamFailedData {
  /** The model id (the key under `remote`). */
  upstream: string;
  reason: UpstreamReason;
  /** The upstream's HTTP status, for `http-status` and `upstream-auth`. */
  status?: number;
  /** Requests sent before giving up. */
  attempts?: number;
  /** The environment variable, for `no-api-key`. */
  apiKeyEnv?: string;
}

/** Longest piece of an upstream's error text copied into an error message. */
const MAX_UPSTREAM_TEXT = 500;

/**
 * One failed attempt, local to the provider: the retry loop reads `reason`, `status` and
 * `retryAfterMs` to decide on another attempt, then turns the last one into a BusError.
 * `detail` names the upstream host and never holds the API key.
 */
export class RemoteAttemptError extends Error {
  readonly reason: Exclude<UpstreamReason, 'no-api-key'>;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The upstream's own `param`, for a refused request. */
  readonly param: string | undefined;

  constructor(reason: RemoteAttemptError['reason'], detail: string, options: { status?: number; retryAfterMs?: number; param?: string } = {}) {
    super(detail);
    this.name = 'RemoteAttemptError';
    this.reason = reason;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.param = options.param;
  }
}

/** Where a failure happened, for its message: the model, its host, the capability called and the attempts made. */
export interface FailureContext {
  id: string;
  capability: string;
  attempts: number;
  /** The next backoff delay, offered as the retry time of a 429 that named none. */
  fallbackRetryAfterMs: number;
}

/**
 * The BusError for the last failed attempt: 400/422 -> CapabilityInvalidParams (-32007) with the
 * upstream's message, 429 -> RateLimited (1002, scope `upstream`), everything else -> UpstreamFailed (1003).
 */
export function remoteFailure(failure: RemoteAttemptError, context: FailureContext): BusError {
  const { id, capability, attempts } = context;
  const tries = attempts > 1 ? `; gave up after ${attempts} attempts` : '';
  if (failure.status === 400 || failure.status === 422) {
    const field = failure.param ? `/${failure.param}` : '';
    const message = `refused by the remote model '${id}': ${failure.message}`;
    return new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: ${message}`, {
      capability,
      errors: [{ instancePath: field, message, keyword: 'upstream', params: { status: failure.status } }],
      upstream: id,
    });
  }
  if (failure.status === 429) {
    const retryAfterSeconds = Math.max(1, Math.ceil((failure.retryAfterMs ?? context.fallbackRetryAfterMs) / 1000));
    return new BusError(ErrorCode.RateLimited, `remote model '${id}': ${failure.message}${tries}; retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      scope: 'upstream',
      upstream: id,
    });
  }
  const data: UpstreamFailedData = { upstream: id, reason: failure.reason, attempts };
  if (failure.status !== undefined) data.status = failure.status;
  return new BusError(ErrorCode.UpstreamFailed, `remote model '${id}': ${failure.message}${tries}`, data);
}

/** UpstreamFailed `no-api-key`: the key's variable is unset or empty in the plugin's environment. */
export function missingApiKey(id: string, apiKeyEnv: string): BusError {
  const data: UpstreamFailedData = { upstream: id, reason: 'no-api-key', apiKeyEnv };
  return new BusError(
    ErrorCode.UpstreamFailed,
    `remote model '${id}' needs an API key in the environment variable ${apiKeyEnv}, which is unset or empty in llmserver's environment; ` +
      `plugins see only the variables listed in their envAllow in plugins.json: add "${apiKeyEnv}" to llmserver's envAllow and set it where the kernel starts`,
    data,
  );
}

/** CapabilityInvalidParams (-32007) for llm.embed on a remote model not configured with `embeddings: true`. */
export function embeddingsNotOffered(capability: string, id: string): BusError {
  const message = `names the remote model '${id}', which does not offer embeddings (set remote.${id}.embeddings to true if its provider does)`;
  return new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: /model ${message}`, {
    capability,
    errors: [{ instancePath: '/model', message, keyword: 'llmserver', params: {} }],
    model: id,
  });
}

/** An upstream's error text made safe for a message: the key blanked out, whitespace collapsed, length capped. */
export function upstreamText(text: string, secret: string | undefined): string {
  const redacted = secret ? text.split(secret).join('***') : text;
  const flat = redacted.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_UPSTREAM_TEXT ? `${flat.slice(0, MAX_UPSTREAM_TEXT)}…` : flat;
}
