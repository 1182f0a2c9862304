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
 * Watches one generation: forwards its text to `progress` as `{ text }` chunks and times the first
 * token, then builds the result. Chunks leave at most every `batchMs`: a piece arriving later than
 * that after the last chunk goes at once, earlier ones are gathered and sent when the time is up.
 * Each chunk costs a pipe write in the plugin and a socket write in the gateway (about 150 us
 * together) while a small model makes a token every few hundred microseconds; a model slower than
 * `batchMs` per token still streams every token without delay. 0 sends every piece as it comes.
 */
export class GenerationMeter {
  readonly #started = performance.now();
  readonly #progress: (chunk: { text: string }) => void;
  readonly #batchMs: number;
  #firstTokenAt: number | undefined;
  #sentAt = Number.NEGATIVE_INFINITY;
  #pending = '';
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(progress: (chunk: { text: string }) => void, batchMs = 0) {
    this.#progress = progress;
    this.#batchMs = batchMs;
  }

  /** node-llama-cpp's `onTextChunk`. */
  readonly onTextChunk = (text: string): void => {
    if (text.length === 0) return;
    this.#pending += text;
    if (this.#timer !== undefined) return;
    const wait = this.#sentAt + this.#batchMs - performance.now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(this.flush, wait);
  };

  /** node-llama-cpp's `onToken`. */
  readonly onToken = (): void => {
    this.#firstTokenAt ??= performance.now();
  };

  /** Sends the text gathered so far; call it when generation ends, before the result. */
  readonly flush = (): void => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#sentAt = performance.now();
    this.#progress({ text });
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
