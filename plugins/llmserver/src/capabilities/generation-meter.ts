import type { FinishReason } from './generation-options.ts';

/** What llm.chat and llm.complete answer. */
export interface GenerationResult {
  model: string;
  text: string;
  finishReason: FinishReason;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  /** From the moment the call arrived, so waiting in the queue and loading the model count. */
  timings: { timeToFirstTokenMs: number | null; totalMs: number };
}

/** node-llama-cpp's stop reasons, which all end in a stop except the token limit. */
export type StopReason = 'eogToken' | 'stopGenerationTrigger' | 'customStopTrigger' | 'functionCalls' | 'maxTokens' | 'abort';

/**
 * Watches one generation: forwards each text chunk to `progress` as `{ text }` and times the
 * first token, then builds the result.
 */
export class GenerationMeter {
  readonly #started = performance.now();
  readonly #progress: (chunk: { text: string }) => void;
  #firstTokenAt: number | undefined;

  constructor(progress: (chunk: { text: string }) => void) {
    this.#progress = progress;
  }

  /** node-llama-cpp's `onTextChunk`. */
  readonly onTextChunk = (text: string): void => {
    if (text.length > 0) this.#progress({ text });
  };

  /** node-llama-cpp's `onToken`. */
  readonly onToken = (): void => {
    this.#firstTokenAt ??= performance.now();
  };

  /**
   * The call's answer once generation ended. `completionTokens` is every token sampled, from the
   * sequence's token meter: tokens of a stop string count although the text leaves them out.
   */
  result(model: string, text: string, stopReason: StopReason, promptTokens: number, completionTokens: number): GenerationResult {
    const now = performance.now();
    return {
      model,
      text,
      finishReason: stopReason === 'maxTokens' ? 'length' : 'stop',
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      timings: {
        timeToFirstTokenMs: this.#firstTokenAt === undefined ? null : round(this.#firstTokenAt - this.#started),
        totalMs: round(now - this.#started),
      },
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
