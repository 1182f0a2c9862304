import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiServer } from './support/fake-openai-server.ts';
import { useMeteredGateway } from './support/metered-gateway.ts';

// A model entry pointing at an OpenAI-compatible provider (here a local fake) is served through
// the same routes, capabilities and metering as the local GGUF models.
const KEY = 'sk-remote-test-4242';
let fake: FakeOpenAiServer;

beforeAll(async () => {
  fake = await FakeOpenAiServer.start();
});
afterAll(() => fake?.close());

const setup = useMeteredGateway(() => ({
  env: { REMOTE_KEY: KEY },
  config: { threads: 1, remote: { 'fake-gpt': { baseUrl: fake.url, model: 'upstream-gpt', apiKeyEnv: 'REMOTE_KEY', retryBaseMs: 1, embeddings: true } } },
}));
const messages = [{ role: 'user' as const, content: 'Hello, remote!' }];

describe('a remote model behind the gateway', () => {
  it('answers a streamed chat with the provider text and charges the usage the provider reported', async () => {
    const user = await setup.user('remote-user', { balance: 5_000 });
    const client = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: user.key, maxRetries: 0 });
    fake.script({ chunks: ['Remote', ' hello'], promptTokens: 11 });

    const stream = await client.chat.completions.create({ model: 'fake-gpt', messages, max_tokens: 50, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }

    const upstream = fake.requests.at(-1)!;
    expect(text).toBe('Remote hello');
    expect(upstream.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(upstream.body).toMatchObject({ model: 'upstream-gpt', messages, max_tokens: 50, stream: true });
    expect(usage!.prompt_tokens).toBe(11);
    expect(await setup.balance(user.id)).toEqual({ balance: 5_000 - usage!.total_tokens, reserved: 0 });
  });

  it('lists the remote model beside the local ones', async () => {
    const user = await setup.user('remote-lister', { balance: 10 });
    const client = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: user.key, maxRetries: 0 });

    const ids = (await client.models.list()).data.map((model) => model.id);

    const { models } = await setup.admin<{ models: object[] }>('llm.models.list');

    expect(ids).toEqual(expect.arrayContaining(['fake-gpt', 'tiny-llama']));
    expect(models).toContainEqual(expect.objectContaining({ id: 'fake-gpt', kind: 'remote', state: 'remote', provider: { host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), model: 'upstream-gpt' } }));
    expect(models).toContainEqual(expect.objectContaining({ id: 'tiny-llama', kind: 'local' }));
  });

  it('embeds through the provider and charges its prompt tokens', async () => {
    const user = await setup.user('remote-embedder', { balance: 5_000 });
    const client = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: user.key, maxRetries: 0 });

    const result = await client.embeddings.create({ model: 'fake-gpt', input: ['one', 'two'] });

    expect(result.data).toHaveLength(2);
    expect(await setup.balance(user.id)).toEqual({ balance: 5_000 - result.usage.prompt_tokens, reserved: 0 });
  });

  it('answers 502 when the provider keeps failing, and gives the reservation back', async () => {
    const user = await setup.user('remote-unlucky', { balance: 5_000 });
    const client = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: user.key, maxRetries: 0 });
    fake.script({ status: 503 }, 3);

    const failure = await client.chat.completions.create({ model: 'fake-gpt', messages, max_tokens: 20 }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(await setup.balance(user.id)).toEqual({ balance: 5_000, reserved: 0 });
  });

  it('refuses to load, validate or delete a remote model, which has no file here', async () => {
    const failure = await setup.admin('llm.models.load', { id: 'fake-gpt' }).catch((error: Error) => error);

    expect((failure as Error).message).toMatch(/names the remote model 'fake-gpt' \(config remote\.fake-gpt\): it has no file here/);
  });
});
