import { outcomeOf } from '../interactions/interaction-outcome.ts';
import type { LlmState } from '../llm-state.ts';
import type { GenerationCall } from '../metering/generation-bill.ts';
import type { GenerationResult } from './generation-meter.ts';

/** What the interaction log takes from a finished call's result. */
export interface RecordedOutcome {
  model: string;
  response: string | null;
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  ttftMs: number | null;
}

/** The call being recorded: the capability, the model it asked for, its prompt, and whether chunks reached the caller. */
export interface RecordedCall {
  capability: string;
  model: string | undefined;
  prompt: unknown;
  stream: boolean;
}

/**
 * Runs `work` and records it in the interaction log (when it is enabled): on success with the
 * summary `outcome` gives, on failure with the error or cancellation and the model `work` reported
 * through `resolved` (else the one asked for). Latency counts from the call's arrival.
 */
export async function recorded<T>(
  state: LlmState, call: GenerationCall, what: RecordedCall, work: (resolved: (model: string) => void) => Promise<T>, outcome: (result: T) => RecordedOutcome,
): Promise<T> {
  let model = what.model;
  const resolved = (id: string) => {
    model = id;
  };
  const log = state.interactions;
  if (log === undefined) return work(resolved);
  const createdAt = Date.now();
  const started = performance.now();
  const base = { createdAt, capability: what.capability, caller: call.caller, traceId: call.traceId, prompt: what.prompt, stream: what.stream };
  try {
    const result = await work(resolved);
    const summary = outcome(result);
    log.record({
      ...base, ...summary, status: 'ok',
      cost: costOf(state, summary.model, summary.promptTokens, summary.completionTokens),
      latencyMs: performance.now() - started,
    });
    return result;
  } catch (error) {
    log.record({ ...base, model: model ?? null, ...outcomeOf(error, call.signal), latencyMs: performance.now() - started });
    throw error;
  }
}

/** The call's cost in `costCurrency` from the model's `costPerToken`; null when the model has no price. */
export function costOf(state: LlmState, model: string, promptTokens: number, completionTokens: number): number | null {
  const price = state.settingsOf(model).costPerToken;
  return price === undefined ? null : promptTokens * price.prompt + completionTokens * price.completion;
}

/** The log's summary of a chat or completion result. */
export function generationOutcome(result: GenerationResult): RecordedOutcome {
  return {
    model: result.model, response: result.text, finishReason: result.finishReason,
    promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens, ttftMs: result.timings.timeToFirstTokenMs,
  };
}
