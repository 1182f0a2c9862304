import { performance } from 'node:perf_hooks';
import { getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper, type ChatHistoryItem } from 'node-llama-cpp';
import { LLM_SETTINGS, PROMPT, SAMPLING, type GenerationSample } from './llm-workload.ts';

/** The baseline: node-llama-cpp in this process, set up as llmserver sets up a loaded model. */
export interface InProcessChat {
  /** Answers PROMPT with up to `maxTokens` tokens, greedy, as llmserver's llm.chat does. */
  generate(maxTokens: number): Promise<GenerationSample>;
  /** Frees the context, the model and llama.cpp. Idempotent. */
  close(): Promise<void>;
}

/** The conversation as llmserver hands it to LlamaChat: the messages, then an empty model turn for the answer. */
const HISTORY: ChatHistoryItem[] = [{ type: 'user', text: PROMPT }, { type: 'model', response: [] }];

/**
 * Loads `modelFile` the way llmserver does (src/llm-plugin.ts loadCpuLlama, src/models/loaded-model.ts):
 * the prebuilt CPU binary, one context of LLM_SETTINGS, the model's own chat wrapper. Each
 * generation takes a sequence of its own and disposes it afterwards, as llmserver's withSequence does.
 */
export async function openInProcessChat(modelFile: string): Promise<InProcessChat> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.warn });
  const model = await llama.loadModel({ modelPath: modelFile });
  const context = await model.createContext(LLM_SETTINGS);
  const chatWrapper = resolveChatWrapper(model);
  let closed: Promise<void> | undefined;
  return {
    async generate(maxTokens) {
      const started = performance.now();
      let firstTextAt: number | undefined;
      let textChunks = 0;
      const sequence = context.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
      let text: string;
      let completionTokens: number;
      try {
        const response = await chat.generateResponse(HISTORY, {
          ...SAMPLING,
          maxTokens,
          onTextChunk: (chunk) => {
            if (chunk.length === 0) return;
            firstTextAt ??= performance.now();
            textChunks++;
          },
        });
        text = response.response;
        completionTokens = sequence.tokenMeter.usedOutputTokens;
      } finally {
        chat.dispose();
        await sequence.dispose();
      }
      // Freeing the sequence counts: llmserver does it before its answer ends too.
      const totalMs = performance.now() - started;
      return { ttftMs: firstTextAt === undefined ? null : firstTextAt - started, totalMs, completionTokens, textChunks, text };
    },
    close() {
      closed ??= (async () => {
        await context.dispose();
        await model.dispose();
        await llama.dispose();
      })();
      return closed;
    },
  };
}
