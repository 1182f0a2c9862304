import { defineCapability, type CapabilitySpec, type HttpRouteRequest } from '@cyberstudio/sdk';
import { generateCompletion } from '../capabilities/complete-capability.ts';
import type { LlmState } from '../llm-state.ts';
import { badRequest, openAiErrorAnswer } from './openai-errors.ts';
import { generationAnswer, type GenerationShape } from './openai-generation.ts';
import { bodyOf, modelOf, routeParamsSchema, samplingOf, streamOf } from './openai-request.ts';

const CAPABILITY = 'llm.openai.completions';
const FIELDS = { json_schema: 'response_format' };

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
  return {
    [CAPABILITY]: defineCapability<HttpRouteRequest, unknown>({
      description:
        'POST /v1/completions (OpenAI-compatible): a text_completion object, or with `"stream": true` text_completion chunks ' +
        'ending with `data: [DONE]`. Errors come in OpenAI\'s shape with their HTTP status.',
      params: routeParamsSchema,
      result: {},
      stream: true,
      async handler(request, ctx) {
        let prepared;
        try {
          const body = bodyOf(request);
          const prompt = promptOf(body.prompt);
          if (body.suffix !== undefined && body.suffix !== null) throw badRequest('suffix', "'suffix' is not supported");
          prepared = { ...streamOf(body), sampling: samplingOf(body), prompt, model: await modelOf(state, CAPABILITY, body) };
        } catch (error) {
          return openAiErrorAnswer(error, FIELDS);
        }
        const { model, stream, includeUsage, sampling, prompt } = prepared;
        return generationAnswer(COMPLETION, { model, stream, includeUsage, fields: FIELDS }, (chunk) => ctx.progress(chunk), (onText) =>
          generateCompletion(state, CAPABILITY, { ...sampling, model, prompt }, ctx, onText));
      },
    }),
  };
}

/** A prompt string, or an array holding one (token arrays and several prompts are not supported). */
function promptOf(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw badRequest('prompt', "'prompt' must be a string (or an array of exactly one string)");
}
