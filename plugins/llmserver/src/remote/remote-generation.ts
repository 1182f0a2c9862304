import type { GenerationResult } from '../capabilities/generation-meter.ts';
import { assertMaxTokensAllowed, type SamplingParams } from '../capabilities/generation-options.ts';
import type { LlmState } from '../llm-state.ts';
import { GenerationBill, type GenerationCall } from '../metering/generation-bill.ts';
import type { RemoteGeneration, RemoteProvider } from './remote-provider.ts';
import { estimateTokens, maxTokensOf } from './remote-wire.ts';

/** Tokens reserved for the answer when neither the request nor the model's settings bound it. */
export const REMOTE_DEFAULT_RESERVE_TOKENS = 4096;

/**
 * One chat or completion on a remote model, with the same settings and metering as a local one:
 * the model's `models.<id>` defaults fill the request (temperature, and maxTokens as default and
 * ceiling), the bill reserves the estimated prompt plus the answer's budget, and is settled with the
 * usage the provider reports (or, after a failure once text had streamed, with estimates).
 */
export async function generateRemote(
  state: LlmState, provider: RemoteProvider, capability: string, params: SamplingParams, promptText: string, call: GenerationCall,
  progress: ((chunk: { text: string }) => void) | undefined,
  generate: (sampling: SamplingParams, onText: (text: string) => void) => Promise<RemoteGeneration>,
): Promise<GenerationResult> {
  const settings = state.settingsOf(provider.id);
  assertMaxTokensAllowed(capability, params.max_tokens, settings);
  const maxTokens = params.max_tokens ?? settings.maxTokens;
  const sampling: SamplingParams = { ...params, temperature: params.temperature ?? settings.temperature, top_k: params.top_k ?? settings.topK, max_tokens: maxTokens };
  const promptEstimate = estimateTokens(promptText);
  // The reservation holds the most the provider could count for the prompt; the estimate is only for a failure after text arrived.
  const bill = await GenerationBill.open(call, state.config.metering, provider.id, maxTokensOf(promptText) + (maxTokens ?? provider.config.contextLength ?? REMOTE_DEFAULT_RESERVE_TOKENS), state.settlementBus);
  let streamed = '';
  try {
    const result = await generate(sampling, (text) => {
      streamed += text;
      if (!progress) return;
      progress({ text });
      bill.report(() => ({ promptTokens: promptEstimate, completionTokens: estimateTokens(streamed) }));
    });
    await bill.settle(result.usage.promptTokens, result.usage.completionTokens);
    return { model: provider.id, text: result.text, finishReason: result.finishReason, usage: result.usage, timings: result.timings };
  } catch (error) {
    if (streamed === '') await bill.release(error);
    else await bill.settle(promptEstimate, estimateTokens(streamed));
    throw error;
  }
}
