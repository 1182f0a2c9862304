import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import { busErrorOf, startLlm, type LlmHarness } from './support/llm-harness.ts';

let llm: LlmHarness;

beforeAll(async () => {
  llm = await startLlm();
});

afterAll(async () => {
  await llm?.close();
});

describe('llm.complete', () => {
  it('streams a plain completion and counts the prompt with its BOS token', async () => {
    const chunks: string[] = [];

    const result = await llm.plugin.call<GenerationResult>('llm.complete', { prompt: 'hello world', max_tokens: 16, temperature: 0 }, {
      onProgress: (chunk) => chunks.push((chunk as { text: string }).text),
    });

    expect(chunks.join('')).toBe(result.text);
    // BOS, then "hello" without the leading space marker (5 letters, as LlamaCompletion tokenizes), then "▁world".
    expect(result).toMatchObject({ model: 'tiny-llama', finishReason: 'length', usage: { promptTokens: 7, completionTokens: 16, totalTokens: 23 } });
  });

  it('gives the same text for the same seed', async () => {
    const params = { prompt: 'The quick brown fox', max_tokens: 24, temperature: 1, seed: 11 };

    const first = await llm.plugin.call<GenerationResult>('llm.complete', params);
    const second = await llm.plugin.call<GenerationResult>('llm.complete', params);

    expect(second.text).toBe(first.text);
  });

  it('refuses a prompt over the context size with -32007 and the token counts', async () => {
    const error = await busErrorOf(llm.plugin.call('llm.complete', { prompt: 'hello world '.repeat(1100) }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain('/prompt is 2206 tokens, over the context size of 2048 tokens');
    expect(error.data).toMatchObject({ promptTokens: 2206, contextSize: 2048 });
  });
});
