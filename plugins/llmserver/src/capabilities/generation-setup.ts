import type { LlamaGrammar } from 'node-llama-cpp';
import type { ModelSettings } from '../llm-config.ts';
import type { LlmState } from '../llm-state.ts';
import type { LoadedModel } from '../models/loaded-model.ts';
import { GenerationMeter } from './generation-meter.ts';
import { grammarFor, samplingOptions, type SamplingParams } from './generation-options.ts';

/** What every generation (chat or completion) starts from: the model in use, its grammar, and a meter. */
export interface GenerationSetup {
  modelId: string;
  model: LoadedModel;
  /** The admin's defaults and limits for this model. */
  settings: ModelSettings;
  meter: GenerationMeter;
  /** The options node-llama-cpp's generate calls share: sampling, grammar, the token budget, cancellation and metering. */
  options(maxTokens: number, signal: AbortSignal): ReturnType<typeof samplingOptions> & {
    grammar: LlamaGrammar | undefined; maxTokens: number; signal: AbortSignal;
    onTextChunk: GenerationMeter['onTextChunk']; onToken: GenerationMeter['onToken'];
  };
}

/**
 * Resolves and acquires the model `params.model` names (or the default one), builds the grammar
 * of `params.json_schema`, and a meter streaming `{ text }` chunks to `progress`. Errors name `capability`.
 */
export async function prepareGeneration(
  state: LlmState, capability: string, params: SamplingParams, progress: (chunk: { text: string }) => void,
): Promise<GenerationSetup> {
  const meter = new GenerationMeter(progress);
  const record = await state.resolveModel(capability, 'model', params.model);
  const settings = state.settingsOf(record.id);
  const grammar = await grammarFor(state.llama, capability, params.json_schema);
  const model = await state.pool.acquire(record);
  return {
    modelId: record.id,
    model,
    meter,
    settings,
    options: (maxTokens, signal) => ({
      ...samplingOptions(params, settings),
      grammar,
      maxTokens,
      signal,
      onTextChunk: meter.onTextChunk,
      onToken: meter.onToken,
    }),
  };
}
