import type { HttpRouteRequest } from '@cyberstudio/sdk';
import type { SamplingParams } from '../capabilities/generation-options.ts';
import type { LlmState } from '../llm-state.ts';
import { badRequest, modelNotFound } from './openai-errors.ts';

/** An OpenAI request body, checked field by field by the readers below. */
export type OpenAiBody = Record<string, unknown>;

/**
 * Params schema of the OpenAI routes: the gateway's envelope, with the body only loosely typed so
 * the routes check OpenAI's fields themselves and refuse in OpenAI's error shape.
 */
export const routeParamsSchema = {
  type: 'object',
  properties: { method: { type: 'string' }, path: { type: 'string' }, body: { type: ['object', 'null'] } },
  required: ['body'],
} as const;

/** The request's JSON body; 400 when it is missing or not an object. */
export function bodyOf(request: HttpRouteRequest): OpenAiBody {
  const { body } = request;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(null, 'The request body must be a JSON object');
  return body as OpenAiBody;
}

/**
 * The id of the model the body names (404 model_not_found for an id with no file), or of the
 * default model when it names none. An unusable model is refused by the generation itself (400).
 */
export async function modelOf(state: LlmState, capability: string, body: OpenAiBody): Promise<string> {
  const { model } = body;
  if (model !== undefined && model !== null) {
    if (typeof model !== 'string' || model.length === 0) throw badRequest('model', "'model' must be a non-empty string");
    if (!state.remoteModel(model) && !(await state.registry.find(model))) throw modelNotFound(model);
    return model;
  }
  return (await state.resolveModel(capability, 'model', undefined)).id;
}

/** Whether the client asked for a stream, and for a final usage chunk (`stream_options.include_usage`). */
export function streamOf(body: OpenAiBody): { stream: boolean; includeUsage: boolean } {
  const stream = optional(body, 'stream', 'boolean') ?? false;
  const options = body.stream_options;
  if (options === undefined || options === null) return { stream, includeUsage: false };
  if (typeof options !== 'object' || Array.isArray(options)) throw badRequest('stream_options', "'stream_options' must be an object");
  const includeUsage = (options as OpenAiBody).include_usage;
  if (includeUsage !== undefined && typeof includeUsage !== 'boolean') throw badRequest('stream_options.include_usage', "'stream_options.include_usage' must be a boolean");
  return { stream, includeUsage: includeUsage === true };
}

/**
 * The sampling params of an OpenAI request in llmserver's names: temperature, top_p, top_k (an
 * extension llama.cpp servers accept), max_tokens or max_completion_tokens, stop (a string or up to
 * 16 strings), seed, and response_format (`json_object` or `json_schema`) as a JSON-schema grammar.
 * `n` other than 1 is refused: one choice is all a call generates.
 */
export function samplingOf(body: OpenAiBody): Omit<SamplingParams, 'model'> {
  const params: Omit<SamplingParams, 'model'> = {};
  const temperature = optional(body, 'temperature', 'number');
  if (temperature !== undefined) params.temperature = inRange('temperature', temperature, 0, 2);
  const topP = optional(body, 'top_p', 'number');
  if (topP !== undefined) params.top_p = inRange('top_p', topP, 0, 1);
  const topK = optional(body, 'top_k', 'number');
  if (topK !== undefined) params.top_k = integer('top_k', topK, 0, Number.MAX_SAFE_INTEGER);
  const maxTokens = optional(body, 'max_completion_tokens', 'number') ?? optional(body, 'max_tokens', 'number');
  if (maxTokens !== undefined) params.max_tokens = integer(body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens', maxTokens, 1, Number.MAX_SAFE_INTEGER);
  const seed = optional(body, 'seed', 'number');
  if (seed !== undefined) params.seed = integer('seed', seed, 0, 4_294_967_295);
  const stop = stopOf(body.stop);
  if (stop !== undefined) params.stop = stop;
  const n = optional(body, 'n', 'number');
  if (n !== undefined && n !== 1) throw badRequest('n', "'n' must be 1: one choice is generated per request");
  const schema = responseSchemaOf(body.response_format);
  if (schema !== undefined) params.json_schema = schema;
  return params;
}

function stopOf(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || list.length > 16 || !list.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 200)) {
    throw badRequest('stop', "'stop' must be a non-empty string or an array of up to 16 of them (at most 200 characters each)");
  }
  return list as string[];
}

function responseSchemaOf(format: unknown): Record<string, unknown> | undefined {
  if (format === undefined || format === null) return undefined;
  if (typeof format !== 'object' || Array.isArray(format)) throw badRequest('response_format', "'response_format' must be an object");
  const { type, json_schema: jsonSchema } = format as OpenAiBody;
  if (type === 'text') return undefined;
  // Any JSON object; node-llama-cpp's grammar allows no extra properties unless told.
  if (type === 'json_object') return { type: 'object', additionalProperties: true };
  if (type === 'json_schema') {
    const schema = typeof jsonSchema === 'object' && jsonSchema !== null ? (jsonSchema as OpenAiBody).schema : undefined;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw badRequest('response_format', "'response_format.json_schema.schema' must be a JSON Schema object");
    return schema as Record<string, unknown>;
  }
  throw badRequest('response_format', "'response_format.type' must be 'text', 'json_object' or 'json_schema'");
}

function optional<T extends 'number' | 'boolean' | 'string'>(body: OpenAiBody, field: string, type: T): (T extends 'number' ? number : T extends 'boolean' ? boolean : string) | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw badRequest(field, `'${field}' must be a ${type}`);
  return value as never;
}

function inRange(field: string, value: number, min: number, max: number): number {
  if (!(value >= min && value <= max)) throw badRequest(field, `'${field}' must be from ${min} to ${max}, not ${value}`);
  return value;
}

function integer(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badRequest(field, `'${field}' must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not ${value}`);
  return value;
}
