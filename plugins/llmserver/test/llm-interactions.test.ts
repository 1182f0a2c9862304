import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import { busErrorOf, startLlm, type LlmHarness } from './support/llm-harness.ts';

// The generation path writes the interaction log: what llmserver itself records for its calls.
const alice = { kind: 'user' as const, id: 'u-alice', name: 'alice', roles: ['developer'], keyId: 'k-alice' };
const admin = { kind: 'user' as const, id: 'u-admin', roles: ['admin'] };
const messages = [{ role: 'user', content: 'Tell me something' }];
let llm: LlmHarness;

interface Entry { capability: string; model: string | null; userId: string | null; keyId: string | null; prompt: unknown; response: string | null; status: string;
  errorCode: number | null; promptTokens: number; completionTokens: number; cost: number | null; latencyMs: number; ttftMs: number | null; stream: boolean; finishReason: string | null }

/** The entries matching `filter` once there are `count` of them (entries are written just after the call answers). */
async function entries(filter: Record<string, unknown>, count = 1): Promise<Entry[]> {
  let items: Entry[] = [];
  await vi.waitFor(async () => {
    items = (await llm.plugin.call<{ items: Entry[] }>('llm.interactions.list', filter, { caller: admin })).items;
    expect(items.length).toBeGreaterThanOrEqual(count);
  });
  return items;
}

beforeAll(async () => {
  llm = await startLlm({ models: { 'tiny-llama': { costPerToken: { prompt: 0.5, completion: 2 } } } });
});
afterAll(() => llm?.close());

describe('the interaction log of llmserver calls', () => {
  it('records a chat with its caller, prompt, response, tokens, cost and time to first token', async () => {
    const result = await llm.plugin.call<GenerationResult>('llm.chat', { messages, max_tokens: 6, temperature: 0 }, { caller: alice, onProgress: () => undefined });

    const [entry] = await entries({ capability: 'llm.chat' });
    expect(entry).toMatchObject({
      capability: 'llm.chat', model: 'tiny-llama', userId: 'u-alice', keyId: 'k-alice', prompt: messages, response: result.text, status: 'ok', finishReason: 'length',
      promptTokens: result.usage.promptTokens, completionTokens: 6, cost: result.usage.promptTokens * 0.5 + 6 * 2, stream: true,
    });
    expect(entry!.ttftMs).toBeGreaterThan(0);
    expect(entry!.latencyMs).toBeGreaterThanOrEqual(entry!.ttftMs!);
  });

  it('records a completion and an embedding, the embedding as prompt tokens only', async () => {
    await llm.plugin.call('llm.complete', { prompt: 'Once', max_tokens: 3 }, { caller: alice });
    await llm.plugin.call('llm.embed', { input: ['a b c'] }, { caller: alice });

    const [embedding] = await entries({ capability: 'llm.embed' });
    const [completion] = await entries({ capability: 'llm.complete' });
    expect(completion).toMatchObject({ capability: 'llm.complete', prompt: 'Once', completionTokens: 3, status: 'ok' });
    expect(embedding).toMatchObject({ capability: 'llm.embed', prompt: ['a b c'], response: null, completionTokens: 0, status: 'ok' });
    expect(embedding!.promptTokens).toBeGreaterThan(0);
  });

  it('records a refused call with its error code', async () => {
    const error = await busErrorOf(llm.plugin.call('llm.chat', { model: 'missing', messages }, { caller: alice }));

    const [entry] = await entries({ status: 'error' });
    expect(entry).toMatchObject({ capability: 'llm.chat', model: 'missing', status: 'error', errorCode: error.code, completionTokens: 0 });
    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
  });

  it('records a cancelled generation as cancelled', async () => {
    const controller = new AbortController();
    const call = llm.plugin.call('llm.chat', { messages, max_tokens: 1500, temperature: 1 }, { caller: alice, signal: controller.signal, onProgress: () => controller.abort() });
    await call.catch(() => undefined);

    const [entry] = await entries({ status: 'cancelled' });
    expect(entry).toMatchObject({ capability: 'llm.chat', status: 'cancelled', model: 'tiny-llama' });
  });

  it("shows the model's price in its list entry", async () => {
    const entry = await llm.plugin.call('llm.models.get', { id: 'tiny-llama' });

    expect(entry).toMatchObject({ kind: 'local', costPerToken: { prompt: 0.5, completion: 2 } });
  });

  it("shows a user only their own entries", async () => {
    const own = await llm.plugin.call<{ items: Entry[] }>('llm.interactions.list', {}, { caller: { kind: 'user', id: 'u-bob', roles: ['developer'] } });

    expect(own.items).toEqual([]);
  });
});
