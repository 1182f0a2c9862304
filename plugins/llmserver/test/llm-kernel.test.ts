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
});
