import { ErrorCode } from '@cyberstudio/sdk';
import { LlamaChat } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import { busErrorOf, eventually, startLlm, type LlmHarness } from './support/llm-harness.ts';

let llm: LlmHarness;

beforeAll(async () => {
  llm = await startLlm();
});

afterAll(async () => {
  await llm?.close();
});

const hello = [{ role: 'user', content: 'Hello, who are you?' }];

/** llm.chat, collecting the streamed text chunks. */
async function chat(params: Record<string, unknown>): Promise<{ result: GenerationResult; chunks: string[] }> {
  const chunks: string[] = [];
  const result = await llm.plugin.call<GenerationResult>('llm.chat', params, { onProgress: (chunk) => chunks.push((chunk as { text: string }).text) });
  return { result, chunks };
}

describe('llm.chat', () => {
  it('streams text chunks whose concatenation is the final text, and counts the tokens', async () => {
    const { result, chunks } = await chat({ messages: hello, max_tokens: 24, seed: 1 });

    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(result.text);
    expect(result.model).toBe('tiny-llama');
    expect(result.usage.promptTokens).toBeGreaterThan(5);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(result.usage.promptTokens + result.usage.completionTokens);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.timeToFirstTokenMs!);
  });

  it('gives the same text for the same seed', async () => {
    const first = await chat({ messages: hello, max_tokens: 32, temperature: 1, seed: 7 });
    const second = await chat({ messages: hello, max_tokens: 32, temperature: 1, seed: 7 });

    expect(second.result.text).toBe(first.result.text);
  });

  it('samples differently for two calls that name no seed', async () => {
    const first = await chat({ messages: hello, max_tokens: 32, temperature: 1 });
    const second = await chat({ messages: hello, max_tokens: 32, temperature: 1 });

    expect(second.result.text).not.toBe(first.result.text);
  });

  it('stops at max_tokens with finishReason length', async () => {
    const { result } = await chat({ messages: hello, max_tokens: 12, temperature: 0 });

    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(12);
  });

  it('ends before a stop string, which the text does not contain', async () => {
    const unstopped = await chat({ messages: hello, max_tokens: 24, temperature: 0 });
    const stop = unstopped.result.text.slice(8, 11);

    const { result, chunks } = await chat({ messages: hello, max_tokens: 24, temperature: 0, stop: [stop] });

    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe(unstopped.result.text.slice(0, unstopped.result.text.indexOf(stop)));
    expect(chunks.join('')).toBe(result.text);
  });

  it('answers JSON of json_schema when given one', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { enum: ['yes', 'no'] }, confident: { type: 'boolean' } },
      required: ['answer', 'confident'],
      additionalProperties: false,
    };

    const { result } = await chat({ messages: hello, max_tokens: 64, seed: 3, json_schema: schema });

    expect(result.finishReason).toBe('stop');
    const value = JSON.parse(result.text);
    expect(Object.keys(value).sort()).toEqual(['answer', 'confident']);
    expect(['yes', 'no']).toContain(value.answer);
    expect(typeof value.confident).toBe('boolean');
  });

  it('refuses a prompt over the context size with -32007 and the token counts', async () => {
    const long = 'hello world '.repeat(1100);

    const error = await busErrorOf(llm.plugin.call('llm.chat', { messages: [{ role: 'user', content: long }] }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toMatch(/\/messages is \d+ tokens, over the context size of 2048 tokens/);
    const data = error.data as { promptTokens: number; contextSize: number };
    expect(data.contextSize).toBe(2048);
    expect(data.promptTokens).toBeGreaterThan(2048);
  });

  it('generates up to the end of the context for a prompt that nearly fills it', async () => {
    const { result } = await chat({ messages: [{ role: 'user', content: 'hello world '.repeat(980) }], temperature: 0 });

    expect(result.usage.promptTokens).toBeGreaterThan(1960);
    expect(result.finishReason).toBe('length');
    expect(result.usage.totalTokens).toBe(2048 - 1);
  });

  it('stops generating when the caller cancels, answering Cancelled', async () => {
    const generate = vi.spyOn(LlamaChat.prototype, 'generateResponse');
    const controller = new AbortController();
    try {
      // Greedy decoding of this model runs to the end of the context unless stopped.
      const call = llm.plugin.call('llm.chat', { messages: hello, temperature: 0 }, { signal: controller.signal, onProgress: () => controller.abort() });

      const error = await busErrorOf(call);

      expect(error.code).toBe(ErrorCode.Cancelled);
      await expect(generate.mock.results[0]!.value).rejects.toMatchObject({ code: ErrorCode.Cancelled });
      await eventually(() => llm.state.pool.loaded()[0]!.slots.idle, 'the aborted generation to free its sequence');
    } finally {
      generate.mockRestore();
    }
  });

  it('refuses an unknown model with -32007 naming it', async () => {
    const unknown = await busErrorOf(llm.plugin.call('llm.chat', { messages: hello, model: 'nope' }));

    expect(unknown.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(unknown.message).toContain("/model names no model: there is no 'nope.gguf'");
  });
});
