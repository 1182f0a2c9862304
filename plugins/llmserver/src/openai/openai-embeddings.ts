import { defineCapability, type CapabilitySpec, type HttpRouteRequest } from '@cyberstudio/sdk';
import { embedTexts } from '../capabilities/embed-capability.ts';
import type { LlmState } from '../llm-state.ts';
import { badRequest, openAiErrorAnswer } from './openai-errors.ts';
import { bodyOf, modelOf, routeParamsSchema } from './openai-request.ts';

const CAPABILITY = 'llm.openai.embeddings';
/** As llm.embed: inputs per call. */
const MAX_INPUTS = 256;

/** `llm.openai.embeddings`: OpenAI's `POST /v1/embeddings` on llm.embed. */
export function openAiEmbeddingsCapability(state: LlmState): Record<string, CapabilitySpec> {
  return {
    [CAPABILITY]: defineCapability<HttpRouteRequest, unknown>({
      description:
        "POST /v1/embeddings (OpenAI-compatible): { object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage }. " +
        "`encoding_format: 'base64'` gives little-endian float32 bytes in base64, as OpenAI's clients ask by default.",
      params: routeParamsSchema,
      result: {},
      async handler(request, ctx) {
        try {
          const body = bodyOf(request);
          const input = inputOf(body.input);
          const base64 = encodingOf(body.encoding_format);
          const model = await modelOf(state, CAPABILITY, body);
          const result = await embedTexts(state, CAPABILITY, { model, input }, ctx);
          return {
            object: 'list',
            data: result.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector })),
            model: result.model,
            usage: { prompt_tokens: result.inputTokens, total_tokens: result.inputTokens },
          };
        } catch (error) {
          return openAiErrorAnswer(error);
        }
      },
    }),
  };
}

function inputOf(input: unknown): string | string[] {
  if (typeof input === 'string' && input.length > 0) return input;
  if (Array.isArray(input) && input.length > 0 && input.length <= MAX_INPUTS && input.every((item) => typeof item === 'string' && item.length > 0)) return input as string[];
  throw badRequest('input', `'input' must be a non-empty string or an array of 1 to ${MAX_INPUTS} non-empty strings (token arrays are not supported)`);
}

function encodingOf(format: unknown): boolean {
  if (format === undefined || format === null || format === 'float') return false;
  if (format === 'base64') return true;
  throw badRequest('encoding_format', "'encoding_format' must be 'float' or 'base64'");
}
