/** Sampling params of a remote generation, in the names llm.chat and llm.complete take. */
export interface RemoteSampling {
  temperature?: number;
  top_p?: number;
  /** Not part of OpenAI's API (api.openai.com refuses it), so it is never sent. */
  top_k?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  /** Sent as `response_format: { type: 'json_schema' }`; how strictly it is followed is the provider's affair. */
  json_schema?: Record<string, unknown>;
}

/** Token counts of one call; `estimated` when the upstream sent none and they were guessed from the text. */
export interface RemoteUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  estimated?: boolean;
}

/** Characters per token of the estimate used when an upstream reports no usage: OpenAI's rule of thumb for English. */
const CHARS_PER_TOKEN = 4;

/** The OpenAI request fields for `sampling`; `top_k` is dropped and empty `stop` lists are left out. */
export function samplingBody(sampling: RemoteSampling): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
  if (sampling.top_p !== undefined) body.top_p = sampling.top_p;
  if (sampling.max_tokens !== undefined) body.max_tokens = sampling.max_tokens;
  if (sampling.stop !== undefined && sampling.stop.length > 0) body.stop = sampling.stop;
  if (sampling.seed !== undefined) body.seed = sampling.seed;
  if (sampling.json_schema !== undefined) {
    body.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: sampling.json_schema } };
  }
  return body;
}

/** Tokens guessed from text: characters / 4 rounded up; at least 1 unless the text is empty. */
export function estimateTokens(text: string | number): number {
  const characters = typeof text === 'number' ? text : text.length;
  return characters === 0 ? 0 : Math.max(1, Math.ceil(characters / CHARS_PER_TOKEN));
}

/** Special tokens (BOS, EOS, separators) a provider may add to one text beyond its own tokens. */
const SPECIAL_TOKENS_PER_TEXT = 8;

/**
 * The most tokens a provider's tokenizer can make of `text`: every token of a byte-level
 * tokenizer covers at least one UTF-8 byte, plus its special tokens. Remote calls reserve this,
 * since a reservation is the most a call may be charged and the provider counts, not llmserver.
 */
export function maxTokensOf(text: string): number {
  return Buffer.byteLength(text, 'utf8') + SPECIAL_TOKENS_PER_TEXT;
}

/** OpenAI's `usage` object as RemoteUsage, or undefined when it is missing or lacks a count. */
export function usageOf(value: unknown): RemoteUsage | undefined {
  const usage = value as { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown } | null | undefined;
  if (!isCount(usage?.prompt_tokens)) return undefined;
  const completionTokens = isCount(usage.completion_tokens) ? usage.completion_tokens : 0;
  const totalTokens = isCount(usage.total_tokens) ? usage.total_tokens : usage.prompt_tokens + completionTokens;
  return { promptTokens: usage.prompt_tokens, completionTokens, totalTokens };
}

/** Usage guessed from the prompt's and the answer's characters, marked `estimated`. */
export function estimatedUsage(promptCharacters: number, text: string): RemoteUsage {
  const promptTokens = Math.max(1, estimateTokens(promptCharacters));
  const completionTokens = estimateTokens(text);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
}

/** What one streamed chunk (or a whole non-streamed answer) of a chat or completion carries. */
export interface GenerationPiece {
  text: string | undefined;
  finishReason: string | undefined;
  usage: RemoteUsage | undefined;
  /** An error the upstream reported inside a 200 response. */
  error: string | undefined;
}

/**
 * Reads a chat or completion chunk: the text is `choices[0].delta.content` (chat stream),
 * `choices[0].message.content` (chat answer) or `choices[0].text` (completion); undefined when
 * the value is not an object.
 */
export function generationPiece(value: unknown): GenerationPiece | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const chunk = value as {
    choices?: Array<{ delta?: { content?: unknown }; message?: { content?: unknown }; text?: unknown; finish_reason?: unknown }>;
    usage?: unknown;
    error?: unknown;
  };
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  const text = [choice?.delta?.content, choice?.message?.content, choice?.text].find((candidate) => typeof candidate === 'string') as string | undefined;
  return {
    text,
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
    usage: usageOf(chunk.usage),
    error: chunk.error === undefined || chunk.error === null ? undefined : errorMessageOf(chunk.error),
  };
}

/** The message and `param` of an upstream error body: OpenAI's `{ error: { message, param } }` and the common variants. */
export function upstreamErrorOf(body: string): { message: string; param: string | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { message: body, param: undefined };
  }
  const object = parsed as { error?: unknown; message?: unknown; detail?: unknown } | null;
  const source = object?.error ?? object;
  const param = (source as { param?: unknown } | null)?.param;
  return { message: errorMessageOf(source), param: typeof param === 'string' && param.length > 0 ? param : undefined };
}

function errorMessageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  const candidate = error as { message?: unknown; detail?: unknown } | null;
  if (typeof candidate?.message === 'string') return candidate.message;
  if (typeof candidate?.detail === 'string') return candidate.detail;
  return JSON.stringify(error);
}

/** The vectors of an embeddings answer in input order, or undefined when it is not one with `count` vectors of numbers. */
export function embeddingsOf(value: unknown, count: number): number[][] | undefined {
  const data = (value as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length !== count) return undefined;
  const items = data as Array<{ index?: unknown; embedding?: unknown }>;
  const ordered = items.every((item) => typeof item?.index === 'number') ? [...items].sort((a, b) => (a.index as number) - (b.index as number)) : items;
  const vectors = ordered.map((item) => item?.embedding);
  return vectors.every((vector) => Array.isArray(vector) && vector.every((number) => typeof number === 'number')) ? (vectors as number[][]) : undefined;
}

/** The ids of a `/models` answer, or undefined when it is not one. */
export function modelIdsOf(value: unknown): string[] | undefined {
  const data = (value as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const ids = data.map((item: { id?: unknown } | null) => item?.id);
  return ids.every((id) => typeof id === 'string') ? (ids as string[]) : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
