import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { useMeteredGateway, type MeteredUser } from './support/metered-gateway.ts';

// The official openai client with API keys of users the admin created: every generation is
// reserved on the user's balance before it runs and settled with the real token counts.
const setup = useMeteredGateway();
const messages = [{ role: 'user' as const, content: 'Hello!' }];

function clientOf(user: MeteredUser): OpenAI {
  return new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: user.key, maxRetries: 0 });
}

async function failureOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const failure = await promise.then(() => undefined, (error: unknown) => error);
  expect(failure).toBeInstanceOf(OpenAI.APIError);
  return failure as InstanceType<typeof OpenAI.APIError>;
}

interface UsageDay { promptTokens: number; completionTokens: number; requests: number }

describe('metering of the OpenAI routes through the auth plugin', () => {
  it('takes exactly the tokens a chat completion used from the balance', async () => {
    const user = await setup.user('chat-user', { balance: 10_000 });

    const completion = await clientOf(user).chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 12, temperature: 0 });

    expect(completion.usage!.total_tokens).toBeGreaterThan(12);
    expect(await setup.balance(user.id)).toEqual({ balance: 10_000 - completion.usage!.total_tokens, reserved: 0 });
  });

  it('takes exactly the usage a streamed chat reports in its last chunk', async () => {
    const user = await setup.user('stream-user', { balance: 10_000 });
    let usage: OpenAI.CompletionUsage | null | undefined;

    const stream = await clientOf(user).chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 16, seed: 4, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) usage = chunk.usage ?? usage;

    expect(await setup.balance(user.id)).toEqual({ balance: 10_000 - usage!.total_tokens, reserved: 0 });
  });

  it('meters completions and embeddings too, and records each request in the usage history', async () => {
    const user = await setup.user('mixed-user', { balance: 10_000 });
    const client = clientOf(user);

    const completion = await client.completions.create({ model: 'tiny-llama', prompt: 'Once upon a time', max_tokens: 10, temperature: 0 });
    const embeddings = await client.embeddings.create({ model: 'tiny-llama', input: ['one', 'two words'] });
    const history = await setup.admin<UsageDay[]>('auth.usage.history', { user: user.id });

    const spent = completion.usage!.total_tokens + embeddings.usage.total_tokens;
    expect(await setup.balance(user.id)).toEqual({ balance: 10_000 - spent, reserved: 0 });
    expect(history).toEqual([expect.objectContaining({
      model: 'tiny-llama', requests: 2,
      promptTokens: completion.usage!.prompt_tokens + embeddings.usage.prompt_tokens, completionTokens: completion.usage!.completion_tokens,
    })]);
  });

  it('answers 403 for a model the API key may not use, and takes nothing', async () => {
    const user = await setup.user('narrow-user', { balance: 10_000, allowedModels: ['some-other-model'] });

    const failure = await failureOf(clientOf(user).chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 4 }));

    expect(failure.status).toBe(403);
    expect(failure.code).toBe('model_not_allowed');
    expect(failure.message).toMatch(/may not use the model tiny-llama/);
    expect(await setup.balance(user.id)).toEqual({ balance: 10_000, reserved: 0 });
  });

  it('answers 402 insufficient_quota when the balance cannot cover the request, and takes nothing', async () => {
    const user = await setup.user('poor-user', { balance: 20 });

    const failure = await failureOf(clientOf(user).chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 64 }));

    expect(failure.status).toBe(402);
    expect(failure.code).toBe('insufficient_quota');
    expect(failure.message).toMatch(/balance is 20/);
    expect(await setup.balance(user.id)).toEqual({ balance: 20, reserved: 0 });
  });

  it('answers 429 with Retry-After once the key is over its requests per minute', async () => {
    const user = await setup.user('limited-user', { balance: 10_000, rpm: 1 });
    const client = clientOf(user);

    await client.chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 4 });
    const failure = await failureOf(client.chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 4 }));

    expect(failure.status).toBe(429);
    expect(failure.code).toBe('rate_limit_exceeded');
    expect(Number(failure.headers?.get('retry-after'))).toBeGreaterThan(0);
  });

  it('stops generating when the client aborts a stream, and charges only the tokens generated', async () => {
    const user = await setup.user('abort-user', { balance: 100_000 });
    const client = clientOf(user);
    const request = { model: 'tiny-llama', messages, max_tokens: 1500, temperature: 1, seed: 9 };
    const whole = await client.chat.completions.create(request);
    const before = await setup.balance(user.id);
    const controller = new AbortController();

    const stream = await client.chat.completions.create({ ...request, stream: true }, { signal: controller.signal });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        controller.abort();
        break;
      }
    }

    await vi.waitFor(async () => expect((await setup.balance(user.id)).reserved).toBe(0), { timeout: 15_000, interval: 100 });
    const [day] = await setup.admin<UsageDay[]>('auth.usage.history', { user: user.id });
    const aborted = { promptTokens: day!.promptTokens - whole.usage!.prompt_tokens, completionTokens: day!.completionTokens - whole.usage!.completion_tokens };
    expect(day!.requests).toBe(2);
    expect(aborted.completionTokens).toBeGreaterThan(0);
    expect(aborted.completionTokens).toBeLessThan(whole.usage!.completion_tokens);
    expect((await setup.balance(user.id)).balance).toBe(before.balance - aborted.promptTokens - aborted.completionTokens);
    const status = await setup.admin<{ models: { active: number }[] }>('llm.status');
    expect(status.models.every((model) => model.active === 0)).toBe(true);
  });

  it('meters several concurrent streams of one key, each by its own usage', async () => {
    const user = await setup.user('parallel-user', { balance: 10_000 });
    const client = clientOf(user);

    const usages = await Promise.all([1, 2, 3].map(async (seed) => {
      const stream = await client.chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 24, seed, stream: true, stream_options: { include_usage: true } });
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) usage = chunk.usage ?? usage;
      return usage!.total_tokens;
    }));

    expect(await setup.balance(user.id)).toEqual({ balance: 10_000 - usages.reduce((sum, tokens) => sum + tokens, 0), reserved: 0 });
  });
});
