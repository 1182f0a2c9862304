import type { LlamaContextSequence, LlamaGrammar } from 'node-llama-cpp';
import type { ModelSettings } from '../llm-config.ts';
import type { LlmState } from '../llm-state.ts';
import { GenerationBill, type GenerationCall } from '../metering/generation-bill.ts';
import type { LoadedModel } from '../models/loaded-model.ts';
import { GenerationMeter, type GenerationResult, type StopReason } from './generation-meter.ts';
import { grammarFor, samplingOptions, type SamplingParams } from './generation-options.ts';

/** What one generation produced, before the meter turns it into the call's result. */
export interface GeneratedText {
  text: string;
  stopReason: StopReason;
}

/** node-llama-cpp's generate options shared by chat and completion. */
export type GenerateOptions = ReturnType<typeof samplingOptions> & {
  grammar: LlamaGrammar | undefined; maxTokens: number; signal: AbortSignal;
  onTextChunk: GenerationMeter['onTextChunk']; onToken: GenerationMeter['onToken'];
};

/** What every generation (chat or completion) starts from: the model in use, its settings, and how to run it. */
export interface GenerationSetup {
  modelId: string;
  model: LoadedModel;
  /** The admin's defaults and limits for this model. */
  settings: ModelSettings;
  /**
   * Reserves `promptTokens + maxTokens` of the caller's balance, waits for a sequence, runs `generate`
   * with the shared options, and settles the bill with the real counts: on success, and on an abort or
   * error once generation began; a refusal before that (queue full, model unloaded) releases it.
   */
  run(promptTokens: number, maxTokens: number, generate: (sequence: LlamaContextSequence, options: GenerateOptions) => Promise<GeneratedText>): Promise<GenerationResult>;
}

/**
 * Resolves and acquires the model `params.model` names (or the default one) and builds the grammar
 * of `params.json_schema`; text chunks go to `progress` as `{ text }` when it is given. Errors name `capability`.
 */
export async function prepareGeneration(
  state: LlmState, capability: string, params: SamplingParams, call: GenerationCall, progress: ((chunk: { text: string }) => void) | undefined,
): Promise<GenerationSetup> {
  // Set once a generation runs: streamed text counts as delivered for the bill.
  let delivered = (): void => {};
  const meter = new GenerationMeter(progress ? (chunk) => { progress(chunk); delivered(); } : () => {}, state.config.streamBatchMs);
  const record = await state.resolveModel(capability, 'model', params.model);
  const settings = state.settingsOf(record.id);
  const grammar = params.json_schema === undefined ? undefined : await grammarFor(await state.llama(), capability, params.json_schema);
  const model = await state.pool.acquire(record, { signal: call.signal });
  const modelId = record.id;
  return {
    modelId,
    model,
    settings,
    async run(promptTokens, maxTokens, generate) {
      const bill = await GenerationBill.open(call, state.config.metering, modelId, promptTokens + maxTokens, state.settlementBus);
      let began = false;
      try {
        return await model.withSequence(call.signal, async (sequence, signal) => {
          began = true;
          const used = () => sequence.tokenMeter.usedOutputTokens;
          delivered = () => bill.report(() => ({ promptTokens, completionTokens: used() }));
          try {
            const options = { ...samplingOptions(params, settings), grammar, maxTokens, signal, onTextChunk: meter.onTextChunk, onToken: meter.onToken };
            const { text, stopReason } = await generate(sequence, options).finally(meter.flush);
            const result = meter.result(modelId, text, stopReason, promptTokens, used());
            await bill.settle(promptTokens, result.usage.completionTokens);
            return result;
          } catch (error) {
            await bill.settle(promptTokens, used());
            throw error;
          }
        });
      } catch (error) {
        if (!began) await bill.release(error);
        throw error;
      }
    },
  };
}
