import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../tests/gateway/support/test-gateway.ts';
import { repoRoot } from '../../../tests/integration/support/test-kernel.ts';
import { llmPlugin } from '../src/llm-plugin.ts';
import { OPENAI_ROUTES } from '../src/openai/openai-capabilities.ts';

// The official openai npm client (6.x) against the gateway: what users point their tools at.
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway([
    {
      name: 'llmserver',
      entrypoint: path.join(repoRoot, 'plugins/llmserver/src/main.ts'),
      activation: 'startup',
      capabilities: Object.keys(llmPlugin.capabilities),
      http: { routes: OPENAI_ROUTES },
      config: { threads: 1 },
    },
  ]);
  await gateway.waitForState('llmserver', 'running');
  // No gateway.auth here: the key is sent but every loopback request is the local operator.
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
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
