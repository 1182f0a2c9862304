import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, type TestKernel } from '../../../tests/integration/support/test-kernel.ts';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import { llmserverManifest } from './support/llmserver-manifest.ts';

let kernel: TestKernel;

beforeAll(async () => {
  kernel = await startTestKernel([llmserverManifest()]);
  await kernel.waitForState('llmserver', 'running');
});

afterAll(async () => {
  await kernel?.close();
});

describe('llmserver as a plugin process under the kernel', () => {
  it('streams llm.chat through the bus as progress chunks that add up to the answer', async () => {
    const chunks: string[] = [];

    const result = (await kernel.kernel.call('llm.chat', { messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 16, temperature: 0 }, {
      onProgress: (chunk) => chunks.push((chunk as { text: string }).text),
    })) as GenerationResult;

    expect(result).toMatchObject({ model: 'tiny-llama', finishReason: 'length', usage: { completionTokens: 16 } });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(result.text);
  });

  it("applies an admin's per-model limits live: the loaded model stays loaded and the next call obeys them", async () => {
    await kernel.kernel.call('llm.models.load', { id: 'tiny-llama' }, {});
    const pid = kernel.kernel.supervisor('llmserver')!.process!.pid;

    const change = await kernel.kernel.call('kernel.plugins.setConfig', { plugin: 'llmserver', config: { threads: 1, models: { 'tiny-llama': { maxTokens: 3 } } } }, {});
    const result = (await kernel.kernel.call('llm.chat', { messages: [{ role: 'user', content: 'Hello!' }] }, {})) as GenerationResult;
    const status = (await kernel.kernel.call('llm.status', {}, {})) as { models: { id: string }[] };

    expect(change).toMatchObject({ applied: 'live', restarted: false });
    expect(result.usage.completionTokens).toBe(3);
    expect(status.models.map((model) => model.id)).toEqual(['tiny-llama']);
    expect(kernel.kernel.supervisor('llmserver')!.process!.pid).toBe(pid);
  });

  it('refuses a new models folder while running, and keeps the config it had', async () => {
    const failure = await kernel.kernel.call('kernel.plugins.setConfig', { plugin: 'llmserver', config: { threads: 1, modelsDir: '/tmp/elsewhere' } }, {}).catch((error: unknown) => error);
    const result = (await kernel.kernel.call('llm.chat', { messages: [{ role: 'user', content: 'Hello!' }] }, {})) as GenerationResult;

    expect((failure as Error).message).toMatch(/modelsDir cannot change while llmserver runs/);
    expect(result.usage.completionTokens).toBe(3);
  });
});
