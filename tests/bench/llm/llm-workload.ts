/** The model id both sides use: the tiny model is written as `<id>.gguf` into the models folder. */
export const MODEL_ID = 'tiny-llama';

/**
 * What both sides run with: the llmserver config of the gateway side and the in-process
 * baseline's createContext. These are llmserver's defaults, written out so the two cannot drift.
 */
export const LLM_SETTINGS = { threads: 1, contextSize: 2048, sequences: 2 } as const;

/** The conversation every generation answers. */
export const PROMPT = 'Hello there';

/**
 * Greedy sampling: both sides then generate the same tokens and stop at `max_tokens` (the tiny
 * model never samples its end token from this prompt), so their token counts are equal.
 */
export const SAMPLING = { temperature: 0, seed: 1 } as const;

/** One generation as one side saw it. */
export interface GenerationSample {
  /** From the call (or the request being sent) to the first text chunk; null when no text came. */
  ttftMs: number | null;
  /** From the call (or the request being sent) to the end (the stream's `[DONE]`, or the whole body). */
  totalMs: number;
  /** Tokens generated, as the side reports them (the sequence's token meter, or `usage.completion_tokens`). */
  completionTokens: number;
  /** Text chunks received (callbacks, or SSE chunks with content). */
  textChunks: number;
  /** The generated text, to check both sides generated the same. */
  text: string;
}

/** Settings of one `llm-bench.ts` process. */
export interface LlmBenchConfig {
  /** Measured generations per side and per `maxTokens`. */
  runs: number;
  /** Unmeasured generations per side before measuring. */
  warmup: number;
  /** `max_tokens` values, each measured in turn. */
  maxTokens: number[];
}

/** The three ways one generation is made: the baseline, the target, and the target without streaming (context). */
export const LLM_SIDES = {
  inProcess: 'node-llama-cpp in-process (LlamaChat), baseline',
  gateway: 'gateway POST /v1/chat/completions, stream: true',
  gatewayWhole: 'gateway POST /v1/chat/completions, stream: false (context)',
} as const;

export type LlmSide = keyof typeof LLM_SIDES;

/** One measured generation: its sample without the text, and the CPU µs each process involved spent on it. */
export type MeasuredGeneration = Omit<GenerationSample, 'text'> & { cpuUs: Record<string, number> };

/** What one llm-bench process measured. */
export interface LlmRun {
  startedAt: string;
  loadavgStart: number[];
  loadavgEnd: number[];
  workload: { model: string; bytes: number; prompt: string; settings: typeof LLM_SETTINGS; sampling: typeof SAMPLING };
  /** Per `max_tokens`, every side's generations in the order they ran (interleaved). */
  sizes: Array<{ maxTokens: number } & Record<LlmSide, MeasuredGeneration[]>>;
  /** Generations whose text or token count differed from the baseline's: a broken comparison. */
  mismatches: string[];
}
