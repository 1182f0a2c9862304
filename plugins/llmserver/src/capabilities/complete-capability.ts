import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import { nodeLlamaCpp } from '../models/lazy-llama.ts';
import type { LlmState } from '../llm-state.ts';
import type { GenerationResult } from './generation-meter.ts';
import { generationResultSchema, plannedMaxTokens, samplingProperties, type SamplingParams } from './generation-options.ts';
import { prepareGeneration } from './generation-setup.ts';
import { generationOutcome, recorded } from './recorded-call.ts';
import { generateRemote } from '../remote/remote-generation.ts';
import type { GenerationCall } from '../metering/generation-bill.ts';

/** Params of llm.complete. */
export interface CompleteParams extends SamplingParams {
  prompt: string;
}

const CAPABILITY = 'llm.complete';

/** `llm.complete`: plain text completion of a prompt, streamed as `{ text }` chunks. */
export function completeCapability(state: LlmState): Record<string, CapabilitySpec> {
  return {
    [CAPABILITY]: defineCapability<CompleteParams, GenerationResult>({
      description:
        'Continues `prompt` as plain text (no chat template). Streams `{ text }` chunks as tokens are generated; ' +
        'their concatenation is the final `text`. A prompt that does not fit the context is refused (-32007), never truncated.',
      params: {
        type: 'object',
        properties: { prompt: { type: 'string' }, ...samplingProperties },
        required: ['prompt'],
        additionalProperties: false,
      },
      result: generationResultSchema,
      stream: true,
      handler: (params, ctx) => generateCompletion(state, CAPABILITY, params, ctx, (chunk) => ctx.progress(chunk)),
    }),
  };
}

/**
 * Runs one completion (llm.complete and llm.openai.completions): metered through auth, `{ text }`
 * chunks to `progress` (when given), recorded in the interaction log. Errors name `capability`.
 */
export function generateCompletion(
  state: LlmState, capability: string, params: CompleteParams, call: GenerationCall, progress?: (chunk: { text: string }) => void,
): Promise<GenerationResult> {
  const what = { capability, model: params.model, prompt: params.prompt, stream: progress !== undefined };
  return recorded(state, call, what, (resolved) => complete(state, capability, params, call, progress, resolved), generationOutcome);
}

async function complete(
  state: LlmState, capability: string, params: CompleteParams, call: GenerationCall, progress: ((chunk: { text: string }) => void) | undefined,
  resolved: (model: string) => void,
): Promise<GenerationResult> {
  const remote = state.remoteModel(params.model);
  if (remote) {
    resolved(remote.id);
    return generateRemote(state, remote, capability, params, params.prompt, call, progress, (sampling, onText) =>
      remote.complete({ ...sampling, prompt: params.prompt }, { signal: call.signal, onText, capability }));
  }
  const { model, modelId, settings, run } = await prepareGeneration(state, capability, params, call, progress);
  resolved(modelId);
  // Tokenized here, as LlamaCompletion would, so the count is exact: the text plus the BOS token it prepends.
  const tokens = model.model.tokenize(params.prompt, false, 'trimLeadingSpace');
  const bos = model.model.tokens.shouldPrependBosToken && model.model.tokens.bos !== null ? 1 : 0;
  const promptTokens = tokens.length + bos;
  const maxTokens = plannedMaxTokens(capability, 'prompt', promptTokens, model.contextSize, params.max_tokens, settings);
  // The model is loaded, so node-llama-cpp is too: this import resolves at once.
  const { LlamaCompletion } = await nodeLlamaCpp();
  return run(promptTokens, maxTokens, async (sequence, options) => {
    const completion = new LlamaCompletion({ contextSequence: sequence });
    try {
      const response = await completion.generateCompletionWithMeta(tokens, {
        ...options,
        // The prompt was checked to fit: with no shift and the smallest reserve, nothing is cut from it.
        disableContextShift: true,
        contextShiftSize: 1,
      });
      return { text: response.response, stopReason: response.metadata.stopReason };
    } finally {
      completion.dispose();
    }
  });
}
