import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import type { LlmState } from '../llm-state.ts';
import { promptTooLong } from '../llm-errors.ts';
import { GenerationBill, type GenerationCall } from '../metering/generation-bill.ts';
import { recorded } from './recorded-call.ts';
import { maxTokensOf } from '../remote/remote-wire.ts';

/** Params of llm.embed. */
export interface EmbedParams {
  model?: string;
  input: string | string[];
}

/** Result of llm.embed: one vector per input, in input order. */
export interface EmbedResult {
  model: string;
  embeddings: number[][];
}

const CAPABILITY = 'llm.embed';
/** Inputs per call; each is evaluated on its own, one after another. */
const MAX_INPUTS = 256;

/** `llm.embed`: embedding vectors of texts. */
export function embedCapability(state: LlmState): Record<string, CapabilitySpec> {
  return {
    [CAPABILITY]: defineCapability<EmbedParams, EmbedResult>({
      description:
        "Embeds each input text as a vector of the model's embedding length (64 for the tiny model). " +
        'An input longer than the context is refused (-32007), never truncated.',
      params: {
        type: 'object',
        properties: {
          model: { type: 'string', minLength: 1, maxLength: 200 },
          input: {
            oneOf: [
              { type: 'string', minLength: 1 },
              { type: 'array', minItems: 1, maxItems: MAX_INPUTS, items: { type: 'string', minLength: 1 } },
            ],
          },
        },
        required: ['input'],
        additionalProperties: false,
      },
      result: {
        type: 'object',
        properties: { model: { type: 'string' }, embeddings: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
        required: ['model', 'embeddings'],
      },
      async handler(params, ctx) {
        const { model, embeddings } = await embedTexts(state, CAPABILITY, params, ctx);
        return { model, embeddings };
      },
    }),
  };
}

/**
 * Embeds each input (llm.embed and llm.openai.embeddings), with the tokens of all inputs together,
 * metered through auth as prompt tokens and recorded in the interaction log; an input that does not
 * fit the context is refused (-32007) naming `capability`.
 */
export function embedTexts(state: LlmState, capability: string, params: EmbedParams, call: GenerationCall): Promise<EmbedResult & { inputTokens: number }> {
  const what = { capability, model: params.model, prompt: params.input, stream: false };
  return recorded(state, call, what, (resolved) => embed(state, capability, params, call, resolved), (result) => ({
    model: result.model, response: null, finishReason: null, promptTokens: result.inputTokens, completionTokens: 0, ttftMs: null,
  }));
}

async function embed(
  state: LlmState, capability: string, params: EmbedParams, call: GenerationCall, resolved: (model: string) => void,
): Promise<EmbedResult & { inputTokens: number }> {
  const inputs = typeof params.input === 'string' ? [params.input] : params.input;
  const remote = state.remoteModel(params.model);
  if (remote) {
    resolved(remote.id);
    const bill = await GenerationBill.open(call, state.config.metering, remote.id, inputs.reduce((sum, input) => sum + maxTokensOf(input), 0), state.settlementBus);
    try {
      const { embeddings, promptTokens } = await remote.embed(inputs, { signal: call.signal, capability });
      await bill.settle(promptTokens, 0);
      return { model: remote.id, embeddings, inputTokens: promptTokens };
    } catch (error) {
      await bill.release(error);
      throw error;
    }
  }
  const record = await state.resolveModel(capability, 'model', params.model);
  resolved(record.id);
  const model = await state.pool.acquire(record, { signal: call.signal });
  let inputTokens = 0;
  const embeddings = await model.withEmbedding(call.signal, async (context, signal) => {
    const counts = inputs.map((input, index) => {
      const tokens = context.calculateInputLength(input);
      if (tokens >= model.contextSize) throw promptTooLong(capability, typeof params.input === 'string' ? 'input' : `input/${index}`, tokens, model.contextSize);
      return tokens;
    });
    inputTokens = counts.reduce((sum, tokens) => sum + tokens, 0);
    const bill = await GenerationBill.open(call, state.config.metering, record.id, inputTokens, state.settlementBus);
    // Billed as prompt tokens: the inputs embedded, also when a cancellation stops the rest.
    let embedded = 0;
    const vectors: number[][] = [];
    try {
      for (const [index, input] of inputs.entries()) {
        signal.throwIfAborted();
        vectors.push([...(await context.getEmbeddingFor(input)).vector]);
        embedded += counts[index]!;
      }
    } finally {
      if (embedded > 0) await bill.settle(embedded, 0);
      else await bill.release('no input was embedded');
    }
    return vectors;
  });
  return { model: record.id, embeddings, inputTokens };
}
