import { randomInt } from 'node:crypto';
import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import type { ModelSettings } from '../llm-config.ts';
import { invalidParam, promptTooLong } from '../llm-errors.ts';

/** Sampling params shared by llm.chat and llm.complete (OpenAI's names). */
export interface SamplingParams {
  model?: string;
  temperature?: number;
  top_k?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  json_schema?: Record<string, unknown>;
}

/** Temperature when neither the request nor the model's settings name one: sampled, as OpenAI-style clients expect. */
export const DEFAULT_TEMPERATURE = 0.8;

/** JSON Schema properties of SamplingParams. */
export const samplingProperties = {
  model: { type: 'string', minLength: 1, maxLength: 200, description: 'Model id (the file name without .gguf); default: the only loaded model, else the first by id.' },
  temperature: { type: 'number', minimum: 0, maximum: 2, description: `0 is greedy; default the model's setting, else ${DEFAULT_TEMPERATURE}.` },
  top_k: { type: 'integer', minimum: 0, description: '0 uses the whole vocabulary.' },
  top_p: { type: 'number', minimum: 0, maximum: 1 },
  max_tokens: { type: 'integer', minimum: 1, description: "Default: the model's maxTokens setting, else up to the end of the context." },
  stop: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 16, description: 'Generation ends before the first of these strings; it is not part of the text.' },
  seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295, description: 'The same seed, params and model give the same text.' },
  json_schema: { type: 'object', description: 'The output is constrained to JSON of this schema (a grammar).' },
} as const;

/** Why a generation ended: a stop (end token, stop string, complete JSON) or the token limit. */
export type FinishReason = 'stop' | 'length';

/** JSON Schema of a generation result (llm.chat and llm.complete). */
export const generationResultSchema = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    text: { type: 'string' },
    finishReason: { enum: ['stop', 'length'] },
    usage: {
      type: 'object',
      properties: { promptTokens: { type: 'integer' }, completionTokens: { type: 'integer' }, totalTokens: { type: 'integer' } },
      required: ['promptTokens', 'completionTokens', 'totalTokens'],
    },
    timings: {
      type: 'object',
      properties: { timeToFirstTokenMs: { type: ['number', 'null'] }, totalMs: { type: 'number' } },
      required: ['timeToFirstTokenMs', 'totalMs'],
    },
  },
  required: ['model', 'text', 'finishReason', 'usage', 'timings'],
} as const;

/** Seeds are unsigned 32-bit integers in llama.cpp. */
const SEED_RANGE = 2 ** 32;

/** node-llama-cpp's sampling options for a request, the model's settings filling what it leaves out. */
export function samplingOptions(params: SamplingParams, settings: ModelSettings): {
  temperature: number; topK?: number; topP?: number; seed: number; customStopTriggers?: string[];
} {
  return {
    temperature: params.temperature ?? settings.temperature ?? DEFAULT_TEMPERATURE,
    topK: params.top_k ?? settings.topK,
    topP: params.top_p,
    // Without a seed node-llama-cpp seeds each sequence with the time in seconds, so two equal requests in one second would answer alike.
    seed: params.seed ?? randomInt(SEED_RANGE),
    customStopTriggers: params.stop,
  };
}

/**
 * How many tokens to generate: `max_tokens`, else the model's `maxTokens`, else to the end of the
 * context, and never past the end of the context. Refuses (-32007) a prompt that leaves no room
 * and a `max_tokens` over the model's `maxTokens`.
 */
export function plannedMaxTokens(
  capability: string, promptField: string, promptTokens: number, contextSize: number, requested: number | undefined, settings: ModelSettings,
): number {
  // llama.cpp keeps one cell free, and the last generated token is never evaluated.
  const room = contextSize - promptTokens - 1;
  if (room < 1) throw promptTooLong(capability, promptField, promptTokens, contextSize);
  assertMaxTokensAllowed(capability, requested, settings);
  return Math.min(requested ?? settings.maxTokens ?? room, room);
}

/** Refuses (-32007) a `max_tokens` over the model's `maxTokens` setting, local or remote. */
export function assertMaxTokensAllowed(capability: string, requested: number | undefined, settings: ModelSettings): void {
  if (requested !== undefined && settings.maxTokens !== undefined && requested > settings.maxTokens) {
    throw invalidParam(capability, 'max_tokens', `is ${requested}, over this model's limit of ${settings.maxTokens} tokens`, { limit: settings.maxTokens });
  }
}

/** The grammar for `json_schema`, or undefined without one; -32007 when node-llama-cpp cannot build it. */
export async function grammarFor(llama: Llama, capability: string, schema: Record<string, unknown> | undefined): Promise<LlamaGrammar | undefined> {
  if (schema === undefined) return undefined;
  try {
    // Its parameter type is inferred from a literal schema; a request's schema is only known at run time.
    return await llama.createGrammarForJsonSchema(schema as Parameters<Llama['createGrammarForJsonSchema']>[0]);
  } catch (error) {
    throw invalidParam(capability, 'json_schema', `cannot be turned into a grammar: ${error instanceof Error ? error.message : String(error)}`);
  }
}
