import type { CapabilitySpec } from '@cyberstudio/sdk';
import { generateCompletion } from '../capabilities/complete-capability.ts';
import type { LlmState } from '../llm-state.ts';
import { badRequest } from './openai-errors.ts';
import type { GenerationShape } from './openai-generation.ts';
import { generationEndpoint } from './openai-generation-endpoint.ts';

const COMPLETION: GenerationShape = {
  idPrefix: 'cmpl-',
  object: 'text_completion',
  chunkObject: 'text_completion',
  choice: (text, finishReason) => ({ index: 0, text, logprobs: null, finish_reason: finishReason }),
  chunkChoice: ({ text, finishReason }) => ({ index: 0, text: text ?? '', logprobs: null, finish_reason: finishReason ?? null }),
  opens: false,
};

/** `llm.openai.completions`: OpenAI's legacy `POST /v1/completions` on llm.complete's generation, as JSON or Server-Sent Events. */
export function openAiCompletionsCapability(state: LlmState): Record<string, CapabilitySpec> {
  return generationEndpoint(state, {
    capability: 'llm.openai.completions',
    description:
      'POST /v1/completions (OpenAI-compatible): a text_completion object, or with `"stream": true` text_completion chunks ' +
      'ending with `data: [DONE]`. Errors come in OpenAI\'s shape with their HTTP status.',
    shape: COMPLETION,
    read(body) {
      const prompt = promptOf(body.prompt);
      if (body.suffix !== undefined && body.suffix !== null) throw badRequest('suffix', "'suffix' is not supported");
      return { prompt };
    },
    generate: (params, ctx, onText) => generateCompletion(state, 'llm.openai.completions', params, ctx, onText),
  });
}

/** A prompt string, or an array holding one (token arrays and several prompts are not supported). */
function promptOf(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw badRequest('prompt', "'prompt' must be a string (or an array of exactly one string)");
}
