/** Seconds to wait for an upstream's response headers (connecting included) when the config names none. */
export const DEFAULT_REMOTE_TIMEOUT_SECONDS = 60;
/** Retries after a failed attempt when the config names none. */
export const DEFAULT_REMOTE_RETRIES = 2;
/** First backoff delay when the config names none; it doubles with each retry. */
export const DEFAULT_REMOTE_RETRY_BASE_MS = 500;
/** Longest wait before a retry when the config names none, Retry-After included. */
export const DEFAULT_REMOTE_MAX_RETRY_DELAY_MS = 10_000;
/** Node's fetch gives up after 300 s without headers or body bytes, so longer timeouts could not be honoured. */
const FETCH_TIMEOUT_LIMIT_SECONDS = 300;

/** One remote model, under `remote.<model id>` in the config, as the operator writes it. */
export interface RemoteModelConfig {
  /** The provider's OpenAI base URL, `/v1` included as OpenAI clients take it: `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The model name the provider knows; default the model id. */
  model?: string;
  /** Name of the environment variable holding the API key, sent as `Authorization: Bearer`; it must be in envAllow. */
  apiKeyEnv?: string;
  /** Seconds to wait from the request until the response headers, connecting included. */
  timeoutSeconds?: number;
  /** Longest silence tolerated between two chunks of a response body; default `timeoutSeconds`. */
  idleTimeoutSeconds?: number;
  /** Attempts after the first one, for failures that happen before any text was streamed. */
  retries?: number;
  /** First backoff delay; it doubles with each retry, with jitter. */
  retryBaseMs?: number;
  /** Longest wait before a retry; a Retry-After beyond it ends the retries at once. */
  maxRetryDelayMs?: number;
  /** Extra headers sent with every request (an `api-key` header, an organization id). */
  headers?: Record<string, string>;
  /** The model's context length, shown in the model list; the provider enforces its own. */
  contextLength?: number;
  /** True when llm.embed may use this model (`/embeddings`); chat and completion are always offered. */
  embeddings?: boolean;
}

/** A RemoteModelConfig with every default filled in. */
export interface ResolvedRemoteModel extends Required<Omit<RemoteModelConfig, 'apiKeyEnv' | 'contextLength'>> {
  apiKeyEnv: string | undefined;
  contextLength: number | undefined;
}

/** JSON Schema of one remote model entry. */
export const remoteModelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl'],
  properties: {
    baseUrl: {
      type: 'string',
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
      description: 'OpenAI base URL including /v1, e.g. https://api.openai.com/v1; no query or fragment.',
    },
    model: { type: 'string', minLength: 1, maxLength: 200, description: 'Upstream model name; default the model id.' },
    apiKeyEnv: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      description: "Environment variable holding the API key; list it in the plugin's envAllow.",
    },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: FETCH_TIMEOUT_LIMIT_SECONDS, default: DEFAULT_REMOTE_TIMEOUT_SECONDS },
    idleTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: FETCH_TIMEOUT_LIMIT_SECONDS },
    retries: { type: 'integer', minimum: 0, maximum: 10, default: DEFAULT_REMOTE_RETRIES },
    retryBaseMs: { type: 'integer', minimum: 0, maximum: 60_000, default: DEFAULT_REMOTE_RETRY_BASE_MS },
    maxRetryDelayMs: { type: 'integer', minimum: 0, maximum: 600_000, default: DEFAULT_REMOTE_MAX_RETRY_DELAY_MS },
    headers: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" } },
    contextLength: { type: 'integer', minimum: 1 },
    embeddings: { type: 'boolean', default: false },
  },
} as const;

/** JSON Schema of the `remote` config section: remote models by id. */
export const remoteConfigSchema = {
  type: 'object',
  propertyNames: { minLength: 1, maxLength: 200 },
  additionalProperties: remoteModelSchema,
  default: {},
} as const;

/** The `remote` config section: remote models by id. */
export type RemoteConfig = Record<string, RemoteModelConfig>;

/** `config` with the defaults filled in and `baseUrl` without its trailing slashes. */
export function resolveRemoteModel(config: RemoteModelConfig, id: string): ResolvedRemoteModel {
  const timeoutSeconds = config.timeoutSeconds ?? DEFAULT_REMOTE_TIMEOUT_SECONDS;
  return {
    baseUrl: config.baseUrl.replace(/\/+$/, ''),
    model: config.model ?? id,
    apiKeyEnv: config.apiKeyEnv,
    timeoutSeconds,
    idleTimeoutSeconds: config.idleTimeoutSeconds ?? timeoutSeconds,
    retries: config.retries ?? DEFAULT_REMOTE_RETRIES,
    retryBaseMs: config.retryBaseMs ?? DEFAULT_REMOTE_RETRY_BASE_MS,
    maxRetryDelayMs: config.maxRetryDelayMs ?? DEFAULT_REMOTE_MAX_RETRY_DELAY_MS,
    headers: config.headers ?? {},
    contextLength: config.contextLength,
    embeddings: config.embeddings ?? false,
  };
}
