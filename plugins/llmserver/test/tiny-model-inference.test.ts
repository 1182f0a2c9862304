import { ChatMLChatWrapper, LlamaChatSession, LlamaCompletion, getLlama, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();
const printable = /^[\x20-\x7e]+$/;

let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  const file = scratch.file('tiny.gguf');
  await generateTinyModel(file);
  llama = await getLlama({ gpu: false, build: 'never' });
  model = await llama.loadModel({ modelPath: file });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

/** Runs `use` with a fresh one-thread context (more threads than cores is very slow here), then disposes it. */
async function withContext<T>(use: (context: LlamaContext) => Promise<T>): Promise<T> {
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  try {
    return await use(context);
  } finally {
    await context.dispose();
  }
}

/** A completion of `prompt` sampled at temperature 0.8 with `seed`. */
function sampledCompletion(prompt: string, seed: number): Promise<string> {
  return withContext((context) => new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion(prompt, { maxTokens: 32, temperature: 0.8, seed }));
}

describe('the tiny model in node-llama-cpp', () => {
  it('gets the ChatML chat wrapper from its chat template', async () => {
    await withContext(async (context) => {
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });

      expect(session.chatWrapper).toBeInstanceOf(ChatMLChatWrapper);
    });
  });

  it('answers a greedy chat prompt with 32 tokens of printable text', async () => {
    await withContext(async (context) => {
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      let tokenCount = 0;

      const reply = await session.promptWithMeta('Hello, who are you?', { maxTokens: 32, temperature: 0, onToken: (tokens) => (tokenCount += tokens.length) });

      expect(tokenCount).toBe(32);
      expect(reply.stopReason).toBe('maxTokens');
      expect(reply.responseText).toMatch(printable);
    });
  });

  it('samples the same printable text twice with the same seed', async () => {
    const first = await sampledCompletion('The quick brown fox', 42);
    const second = await sampledCompletion('The quick brown fox', 42);

    expect(first).toMatch(printable);
    expect(second).toBe(first);
  });

  it('tokenizes a sentence into whole-word tokens and detokenizes it back', () => {
    const sentence = 'hello world, this is a tiny test of the model!';

    const tokens = model.tokenize(sentence);

    expect(model.detokenize(tokens)).toBe(sentence);
    // Single tokens lose their leading space when detokenized alone, so count them instead.
    expect(model.tokenize('hello world')).toHaveLength(2);
  });

  it('embeds text as 64 finite numbers', async () => {
    const context = await model.createEmbeddingContext({ contextSize: 256, threads: 1 });
    try {
      const { vector } = await context.getEmbeddingFor('hello world');

      expect(vector).toHaveLength(64);
      expect(vector.every(Number.isFinite)).toBe(true);
    } finally {
      await context.dispose();
    }
  });
});
