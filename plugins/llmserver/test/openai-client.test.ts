import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { useOpenAiGateway } from './support/openai-gateway.ts';

// The official openai npm client (6.x) against the gateway: what users point their tools at.
const setup = useOpenAiGateway();
let client: OpenAI;

beforeAll(() => {
  // No gateway.auth here: the key is sent but every loopback request is the local operator.
  client = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

const messages = [{ role: 'user' as const, content: 'Hello!' }];

describe('the openai npm client against the gateway', () => {
  it('creates a chat completion with usage', async () => {
    const completion = await client.chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 8, temperature: 0 });

    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.usage).toMatchObject({ completion_tokens: 8 });
  });

  it('streams a chat completion whose deltas add up to the text, with usage in the last chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 8, temperature: 0, seed: 3, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    const whole = await client.chat.completions.create({ model: 'tiny-llama', messages, max_tokens: 8, temperature: 0, seed: 3 });

    expect(text).toBe(whole.choices[0]!.message.content);
    expect(usage).toMatchObject({ completion_tokens: 8 });
  });

  it('creates embeddings (the client asks for base64 and decodes them) and lists the models', async () => {
    const embeddings = await client.embeddings.create({ model: 'tiny-llama', input: ['one', 'two'] });
    const models = await client.models.list();

    expect(embeddings.data.map((item) => item.embedding.length)).toEqual([64, 64]);
    expect(models.data.map((model) => model.id)).toContain('tiny-llama');
  });

  it('surfaces an unknown model as the client error with status 404', async () => {
    const failure = await client.chat.completions.create({ model: 'no-such-model', messages }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });
});
