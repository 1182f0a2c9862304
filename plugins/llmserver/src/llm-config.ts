import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { ModelSettings } from './llm-answers.ts';
import { interactionLogConfigSchema, type InteractionLogSettings } from './interactions/interaction-config.ts';
import { remoteConfigSchema, type RemoteConfig } from './remote/remote-config.ts';

export type { ModelSettings } from './llm-answers.ts';

/**
 * How generations are billed through the auth plugin's `auth.usage.*`: `auto` meters user callers
 * when a plugin provides `auth.usage.reserve` (a kernel without one serves unmetered, with a warning);
 * `required` refuses user calls that cannot be metered; `off` never meters. Plugin and kernel callers are not metered.
 */
export type MeteringMode = 'auto' | 'required' | 'off';

/** The llmserver plugin's config (plugins.json `config`), as the operator writes it. */
export interface LlmConfig {
  /** Folder scanned for `.gguf` files; relative paths are resolved against the data directory. Default `<dataDir>/models`. */
  modelsDir?: string;
  threads: number;
  /** Tokens per sequence; capped at the model's trained context length. */
  contextSize: number;
  /** Generations one loaded model runs at once (context sequences). */
  sequences: number;
  /** Generations waiting per model beyond `sequences`; more are refused with Overloaded. */
  queueLimit: number;
  /** A loaded model with no work for this long is unloaded; 0 keeps models loaded. */
  idleUnloadSeconds: number;
  /** Estimated RAM all loaded models may use together; loading beyond it evicts the least recently used idle model. */
  ramBudgetMb: number;
  /** Write the tiny test model into an empty `modelsDir` at start. */
  generateTinyModel: boolean;
  models: Record<string, ModelSettings>;
  metering: MeteringMode;
  /** The unit of `costPerToken` (a label; nothing is converted). */
  costCurrency: string;
  /** Streamed chunks leave at least this many ms apart (text made in between is joined into one); 0 sends each piece. */
  streamBatchMs: number;
  /** The interaction log's retention and privacy settings (src/interactions/interaction-config.ts). */
  interactionLog?: InteractionLogSettings;
  /** Models served by OpenAI-compatible remote providers, by model id (src/remote/remote-config.ts); they take precedence over a file of the same id. */
  remote: RemoteConfig;
  /** Where `hf:` references and Hub URLs are downloaded from (a mirror, or a local server in tests). */
  huggingFaceEndpoint: string;
  /** Environment variable holding a Hub token for gated models; plugins.json `envAllow` must pass it. */
  huggingFaceTokenEnv: string;
  /** A download host that cannot be connected to within this counts as unreachable (offline). */
  downloadConnectTimeoutSeconds: number;
  /** A download whose connection stays silent this long fails with a timeout (its partial file is kept). */
  downloadStallTimeoutSeconds: number;
}

const modelSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxTokens: { type: 'integer', minimum: 1 },
    contextSize: { type: 'integer', minimum: 64 },
    threads: { type: 'integer', minimum: 1, maximum: 256 },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    topK: { type: 'integer', minimum: 0 },
    costPerToken: {
      type: 'object',
      additionalProperties: false,
      required: ['prompt', 'completion'],
      properties: { prompt: { type: 'number', minimum: 0 }, completion: { type: 'number', minimum: 0 } },
    },
  },
} as const;

/** JSON Schema of LlmConfig; the SDK validates the config against it before `init`. */
export const llmConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    modelsDir: { type: 'string', minLength: 1 },
    threads: { type: 'integer', minimum: 1, maximum: 256, description: 'Default: half the CPUs (at least 1), see defaultThreads().' },
    contextSize: { type: 'integer', minimum: 64, default: 2048 },
    sequences: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
    queueLimit: { type: 'integer', minimum: 0, default: 32 },
    idleUnloadSeconds: { type: 'number', minimum: 0, default: 300 },
    ramBudgetMb: { type: 'number', exclusiveMinimum: 0, default: 2048 },
    generateTinyModel: { type: 'boolean', default: true },
    models: { type: 'object', additionalProperties: modelSettingsSchema, default: {} },
    metering: { enum: ['auto', 'required', 'off'], default: 'auto' },
    costCurrency: { type: 'string', minLength: 1, maxLength: 16, default: 'USD' },
    streamBatchMs: { type: 'number', minimum: 0, maximum: 1000, default: 20 },
    interactionLog: interactionLogConfigSchema,
    remote: remoteConfigSchema,
    huggingFaceEndpoint: { type: 'string', pattern: '^https?://[^/?#]+(/[^?#]*)?$', default: 'https://huggingface.co' },
    huggingFaceTokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', default: 'HF_TOKEN' },
    downloadConnectTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 300, default: 10 },
    downloadStallTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 20 },
  },
} as const;

/**
 * Threads when the config names none: half the CPUs, at least one. llama.cpp's generation is
 * memory-bound and slows down sharply when its threads compete with each other or with the
 * kernel for cores: on a 2-core machine 1 thread is ~40x faster than 2 (README, Performance).
 */
export function defaultThreads(cpus = availableParallelism()): number {
  return Math.max(1, Math.floor(cpus / 2));
}

/** The config with every default filled in and `modelsDir` made absolute. */
export function resolveLlmConfig(config: Partial<LlmConfig>, dataDir: string): LlmConfig & { modelsDir: string } {
  const defaults = Object.fromEntries(
    Object.entries(llmConfigSchema.properties).flatMap(([key, schema]) => ('default' in schema ? [[key, schema.default]] : [])),
  );
  const merged = { threads: defaultThreads(), ...defaults, ...config } as LlmConfig;
  return { ...merged, modelsDir: path.resolve(dataDir, merged.modelsDir ?? 'models') };
}
