import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmStatus } from '../src/capabilities/model-capabilities.ts';
import { busErrorOf, eventually, startLlm, type LlmHarness } from './support/llm-harness.ts';

let llm: LlmHarness;

beforeAll(async () => {
  llm = await startLlm({ sequences: 1, queueLimit: 1 });
});

afterAll(async () => {
  await llm?.close();
});

/** A greedy chat that runs to the end of the context (a second or so) unless cancelled; resolves once it streams. */
async function longChat(): Promise<{ settled: Promise<unknown>; cancel(): void }> {
  const controller = new AbortController();
  let streaming!: () => void;
  const started = new Promise<void>((resolve) => (streaming = resolve));
  const settled = llm.plugin
    .call('llm.chat', { messages: [{ role: 'user', content: 'hello' }], temperature: 0 }, { signal: controller.signal, onProgress: () => streaming() })
    .catch((error: unknown) => error);
  await Promise.race([started, settled]);
  return { settled, cancel: () => controller.abort() };
}

const modelStatus = async () => (await llm.plugin.call<LlmStatus>('llm.status', {})).models[0]!;

describe('the per-model queue', () => {
  it('refuses a call beyond sequences plus queueLimit with Overloaded, and runs the queued one after', async () => {
    const running = await longChat();
    const queued = llm.plugin.call<{ usage: { completionTokens: number } }>('llm.chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    await eventually(async () => (await modelStatus()).queued === 1, 'the second chat to wait');

    const refused = await busErrorOf(llm.plugin.call('llm.chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }));
    expect(await modelStatus()).toMatchObject({ active: 1, queued: 1 });
    running.cancel();

    expect(refused.code).toBe(ErrorCode.Overloaded);
    expect(refused.data).toMatchObject({ model: 'tiny-llama', reason: 'model-queue-full', sequences: 1, queueLimit: 1 });
    expect((await queued).usage.completionTokens).toBe(3);
    expect(await running.settled).toMatchObject({ code: ErrorCode.Cancelled });
  });

  it('drops a waiting call from the queue when its caller cancels', async () => {
    const running = await longChat();
    const controller = new AbortController();
    const queued = llm.plugin.call('llm.chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }, { signal: controller.signal });
    await eventually(async () => (await modelStatus()).queued === 1, 'the second chat to wait');

    controller.abort();
    const error = await busErrorOf(queued);
    await eventually(async () => (await modelStatus()).queued === 0, 'the queue to empty');
    running.cancel();

    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(await running.settled).toMatchObject({ code: ErrorCode.Cancelled });
  });

  it('ends running and waiting calls with ShuttingDown when the model is unloaded', async () => {
    const running = await longChat();
    const queued = llm.plugin.call('llm.chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }).catch((error: unknown) => error);
    await eventually(async () => (await modelStatus()).queued === 1, 'the second chat to wait');

    await llm.plugin.call('llm.models.unload', { id: 'tiny-llama' });

    expect(await running.settled).toMatchObject({ code: ErrorCode.ShuttingDown, data: { model: 'tiny-llama', reason: 'model-unloaded' } });
    expect(await queued).toMatchObject({ code: ErrorCode.ShuttingDown });
  });
});
