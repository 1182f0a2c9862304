import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { useMeteredGateway } from './support/metered-gateway.ts';

// kill -9 of llmserver in the middle of a metered stream: auth learns from kernel.plugin.state
// that the process is gone and settles its reservation with the tokens llmserver reported
// delivered (auth.usage.progress), instead of holding all of it until the reservation expires.
const setup = useMeteredGateway();

interface UsageDay { promptTokens: number; completionTokens: number; requests: number }

describe('a metered stream whose llmserver is killed', () => {
  it('charges the tokens delivered before the kill -9 and gives the rest back at once', async () => {
    const user = await setup.user('killed-stream-user', { balance: 100_000 });
    const client = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: user.key, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'tiny-llama', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 1900, temperature: 0, stream: true,
    });
    // Greedy sampling on the tiny model repeats until max_tokens (seconds here). Reading stops at
    // the first text and the stream stays open: the client neither aborts nor finishes it.
    const chunks = stream[Symbol.asyncIterator]();
    let finished = false;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      finished ||= Boolean(next.value.choices[0]?.finish_reason);
      if (next.value.choices[0]?.delta.content) break;
    }
    await sleep(300);
    const pid = setup.gateway.kernel.supervisor('llmserver').process!.pid!;

    process.kill(pid, 'SIGKILL');
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) finished ||= Boolean(next.value.choices[0]?.finish_reason);
    } catch {
      // The gateway cuts the stream when its provider dies.
    }

    await vi.waitFor(async () => expect((await setup.balance(user.id)).reserved).toBe(0), { timeout: 15_000, interval: 100 });
    const history = await setup.admin<UsageDay[]>('auth.usage.history', { user: user.id });
    expect(finished).toBe(false);
    expect(history).toHaveLength(1);
    const [day] = history;
    expect(day!.requests).toBe(1);
    expect(day!.completionTokens).toBeGreaterThan(0);
    expect(day!.completionTokens).toBeLessThan(1900);
    expect((await setup.balance(user.id)).balance).toBe(100_000 - day!.promptTokens - day!.completionTokens);
  }, 60_000);
});
