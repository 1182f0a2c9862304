import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busErrorOf, startLlm, type LlmHarness } from './support/llm-harness.ts';

let llm: LlmHarness;

beforeAll(async () => {
  llm = await startLlm();
});

afterAll(async () => {
  await llm?.close();
});

interface Embeddings {
  model: string;
  embeddings: number[][];
}

describe('llm.embed', () => {
  it('embeds a text as 64 finite numbers', async () => {
    const result = await llm.plugin.call<Embeddings>('llm.embed', { input: 'hello world' });

    expect(result.model).toBe('tiny-llama');
    expect(result.embeddings).toHaveLength(1);
    expect(result.embeddings[0]).toHaveLength(64);
    expect(result.embeddings[0]!.every(Number.isFinite)).toBe(true);
  });

  it('embeds each text of an array in order, the same text alike', async () => {
    const { embeddings } = await llm.plugin.call<Embeddings>('llm.embed', { input: ['hello', 'world', 'hello'] });

    expect(embeddings).toHaveLength(3);
    expect(embeddings[2]).toEqual(embeddings[0]);
    expect(embeddings[1]).not.toEqual(embeddings[0]);
  });

  it('adds the embedding context to the model in llm.status', async () => {
    await llm.plugin.call('llm.embed', { input: 'hello' });

    const status = await llm.plugin.call<{ models: Array<{ contexts: number }> }>('llm.status', {});

    expect(status.models[0]!.contexts).toBe(2);
  });

  it('refuses an input longer than the context with -32007 naming it', async () => {
    const error = await busErrorOf(llm.plugin.call('llm.embed', { input: ['hello', 'hello world '.repeat(1100)] }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toMatch(/\/input\/1 is \d+ tokens, over the context size of 2048 tokens/);
  });
});

describe('llm.tokenize', () => {
  it('gives the token ids and their count', async () => {
    const result = await llm.plugin.call<{ model: string; tokens: number[]; count: number }>('llm.tokenize', { text: 'hello world' });

    expect(result.model).toBe('tiny-llama');
    expect(result.count).toBe(2);
    expect(result.tokens).toHaveLength(2);
    expect(result.tokens.every(Number.isInteger)).toBe(true);
  });

  it('falls back to byte tokens for text outside the vocabulary', async () => {
    const result = await llm.plugin.call<{ count: number }>('llm.tokenize', { text: 'é' });

    expect(result.count).toBe(3);
  });
});
