import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../tests/gateway/support/test-gateway.ts';
import { OPENAI_ROUTES } from '../src/openai/openai-capabilities.ts';
import { llmserverManifest } from './support/llmserver-manifest.ts';

// A native crash in llama.cpp takes the plugin process down with it; here SIGKILL plays that part.
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway([llmserverManifest({ http: { routes: OPENAI_ROUTES }, restart: { backoff: { initialMs: 100, maxMs: 1000, jitter: 0 } } })]);
  await gateway.waitForState('llmserver', 'running');
}, 60_000);
afterAll(() => gateway?.close());

const pidOf = () => gateway.kernel.supervisor('llmserver')!.process?.pid;
const chat = (body: object) => fetch(`${gateway.url}/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'tiny-llama', messages: [{ role: 'user', content: 'hi' }], ...body }),
});

describe('llmserver crashing mid-request', () => {
  it('answers 500 saying the plugin crashed, and the kernel restarts it so the next request works', async () => {
    const pid = pidOf()!;
    const pending = chat({ max_tokens: 1800, temperature: 1 });
    await vi.waitFor(async () => {
      const status = (await gateway.kernel.call('llm.status', {}, {})) as { models: { active: number }[] };
      expect(status.models[0]?.active).toBe(1);
    }, { timeout: 20_000, interval: 20 });
    process.kill(pid, 'SIGKILL');

    const response = await pending;
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(response.status).toBe(500);
    expect(body.error).toMatchObject({ code: -32003, message: expect.stringMatching(/killed by SIGKILL .*crashed serving this request; the kernel restarts it/) });

    await vi.waitFor(() => expect(pidOf()).not.toBe(pid), { timeout: 20_000, interval: 50 });
    await gateway.waitForState('llmserver', 'running');
    const again = await chat({ max_tokens: 4 });
    expect(again.status).toBe(200);
  });
});
