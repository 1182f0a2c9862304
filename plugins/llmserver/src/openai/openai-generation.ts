import { randomUUID } from 'node:crypto';
import type { GenerationResult } from '../capabilities/generation-meter.ts';
import type { FinishReason } from '../capabilities/generation-options.ts';
import { openAiErrorAnswer } from './openai-errors.ts';

/** OpenAI's token usage object. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** How one OpenAI generation endpoint names and shapes its objects (chat completions, text completions). */
export interface GenerationShape {
  idPrefix: string;
  /** `object` of the non-streamed answer. */
  object: string;
  /** `object` of each streamed chunk. */
  chunkObject: string;
  /** The one choice of the non-streamed answer. */
  choice(text: string, finishReason: FinishReason): Record<string, unknown>;
  /** A streamed choice: the opening one (`opening`), a text piece, or the last one with its finish reason. */
  chunkChoice(piece: { opening?: true; text?: string; finishReason?: FinishReason }): Record<string, unknown>;
  /** True when a stream begins with a chunk of its own (chat's `delta: { role: 'assistant' }`). */
  opens: boolean;
}

/** What a generation route asks for, read from its body. */
export interface GenerationRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** The plugin's param names mapped to the request's, for 400 errors. */
  fields: Record<string, string>;
}

/**
 * Runs a generation and answers in OpenAI's shape. Without `stream`: the whole object. With it:
 * chunks through `progress` (the opening one, one per text piece, one with the finish reason, and
 * with `includeUsage` a last one with `choices: []` and the usage), then `_http.sse: ['[DONE]']`.
 * A failure before the first chunk is an OpenAI error answer; after it, it is rethrown for the
 * gateway to end the stream with an error event.
 */
export async function generationAnswer(
  shape: GenerationShape, request: GenerationRequest, progress: (chunk: unknown) => void,
  generate: (onText: ((chunk: { text: string }) => void) | undefined) => Promise<GenerationResult>,
): Promise<unknown> {
  const id = `${shape.idPrefix}${randomUUID().replaceAll('-', '')}`;
  const created = Math.floor(Date.now() / 1000);
  let started = false;
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) => {
    started = true;
    progress({ id, object: shape.chunkObject, created, model: request.model, choices, ...extra });
  };
  const open = () => {
    if (!started && shape.opens) send([shape.chunkChoice({ opening: true })]);
  };
  try {
    const result = await generate(request.stream ? ({ text }) => {
      open();
      send([shape.chunkChoice({ text })]);
    } : undefined);
    if (!request.stream) {
      return { id, object: shape.object, created, model: result.model, choices: [shape.choice(result.text, result.finishReason)], usage: usageOf(result) };
    }
    open();
    send([shape.chunkChoice({ finishReason: result.finishReason })]);
    if (request.includeUsage) send([], { usage: usageOf(result) });
    return { _http: { sse: ['[DONE]'] } };
  } catch (error) {
    if (started) throw error;
    return openAiErrorAnswer(error, request.fields);
  }
}

/** llmserver's usage in OpenAI's names. */
export function usageOf(result: GenerationResult): OpenAiUsage {
  return { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens, total_tokens: result.usage.totalTokens };
}
