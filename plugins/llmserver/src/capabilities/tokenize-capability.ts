import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import type { LlmState } from '../llm-state.ts';

/** Params of llm.tokenize. */
export interface TokenizeParams {
  model?: string;
  text: string;
}

/** Result of llm.tokenize. */
export interface TokenizeResult {
  model: string;
  tokens: number[];
  count: number;
}

const CAPABILITY = 'llm.tokenize';

/** `llm.tokenize`: the token ids of a text in a model's vocabulary. */
export function tokenizeCapability(state: LlmState): Record<string, CapabilitySpec> {
  return {
    [CAPABILITY]: defineCapability<TokenizeParams, TokenizeResult>({
      description:
        "Token ids of `text` in the model's vocabulary, as plain text (special-token markup such as `<|im_start|>` is not parsed) " +
        'and without the BOS token a prompt gets. Loads the model when needed; takes no generation slot.',
      params: {
        type: 'object',
        properties: { model: { type: 'string', minLength: 1, maxLength: 200 }, text: { type: 'string' } },
        required: ['text'],
        additionalProperties: false,
      },
      result: {
        type: 'object',
        properties: { model: { type: 'string' }, tokens: { type: 'array', items: { type: 'integer' } }, count: { type: 'integer' } },
        required: ['model', 'tokens', 'count'],
      },
      async handler(params) {
        const record = await state.resolveModel(CAPABILITY, 'model', params.model);
        const model = await state.pool.acquire(record);
        const tokens = [...model.model.tokenize(params.text)];
        return { model: record.id, tokens, count: tokens.length };
      },
    }),
  };
}
