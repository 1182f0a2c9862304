import { createServer } from 'node:net';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import type { RemoteModelConfig } from '../src/remote/remote-config.ts';
import { RemoteProvider, type RemoteChatRequest, type RemoteGeneration } from '../src/remote/remote-provider.ts';
import { FakeOpenAiServer } from './support/fake-openai-server.ts';

const KEY = 'sk-fake-secret-0123456789';
const hello = [{ role: 'user' as const, content: 'Hello, who are you?' }];

let fake: FakeOpenAiServer;

beforeEach(async () => {
  fake = await FakeOpenAiServer.start();
});

afterEach(async () => {
  await fake.close();
});

/** A provider for the fake, retrying fast; `config` overrides the entry. */
function provider(config: Partial<RemoteModelConfig> = {}, env: NodeJS.ProcessEnv = { FAKE_KEY: KEY }): RemoteProvider {
  return new RemoteProvider('fake', { baseUrl: fake.url, model: 'fake-gpt', apiKeyEnv: 'FAKE_KEY', retryBaseMs: 1, ...config }, env);
}

/** chat() collecting the pieces given to onText. */
async function chat(remote: RemoteProvider, request: Partial<RemoteChatRequest> = {}, signal = new AbortController().signal) {
  const pieces: string[] = [];
  const result = await remote.chat({ messages: hello, ...request }, { signal, onText: (text) => pieces.push(text) });
  return { result, pieces };
}

/** The BusError a promise rejects with. */
async function busErrorOf(promise: Promise<unknown>): Promise<BusError<Record<string, unknown>>> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(BusError);
  return error as BusError<Record<string, unknown>>;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('RemoteProvider generations', () => {
  it('streams chat text to onText in order and answers the text, finish reason and the upstream usage', async () => {
    fake.defaults = { chunks: ['Hel', 'lo', ' world'], promptTokens: 9 };

    const { result, pieces } = await chat(provider());

    expect(pieces).toEqual(['Hel', 'lo', ' world']);
    expect(result.text).toBe('Hello world');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 9, completionTokens: 3, totalTokens: 12 });
    expect(result.timings.timeToFirstTokenMs).toBeTypeOf('number');
    const local: Omit<GenerationResult, 'model'> = result satisfies RemoteGeneration;
    expect(local.text).toBe('Hello world');
  });

  it('always asks the upstream for a stream with usage, under the upstream model name', async () => {
    await chat(provider());

    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: 'fake-gpt', messages: hello, stream: true, stream_options: { include_usage: true } },
    });
  });

  it('sends the sampling params in OpenAI names, json_schema as response_format, and no top_k', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };

    await chat(provider(), { temperature: 0.3, top_p: 0.9, top_k: 40, max_tokens: 12, stop: ['\n'], seed: 5, json_schema: schema });

    const body = fake.requests[0]!.body!;
    expect(body).toMatchObject({ temperature: 0.3, top_p: 0.9, max_tokens: 12, stop: ['\n'], seed: 5 });
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } });
    expect(body).not.toHaveProperty('top_k');
  });

  it('reports finishReason length when the upstream stopped at its token limit', async () => {
    fake.defaults = { finishReason: 'length' };

    const { result } = await chat(provider());

    expect(result.finishReason).toBe('length');
  });

  it('streams a plain completion from /completions', async () => {
    const pieces: string[] = [];
    const result = await provider().complete({ prompt: 'Once upon', max_tokens: 5 }, { signal: new AbortController().signal, onText: (text) => pieces.push(text) });

    expect(fake.requests[0]).toMatchObject({ path: '/v1/completions', body: { model: 'fake-gpt', prompt: 'Once upon', max_tokens: 5, stream: true } });
    expect(pieces).toEqual(['Hello', ' there', '!']);
    expect(result.text).toBe('Hello there!');
  });

  it('takes the whole answer from an upstream that ignores stream: true', async () => {
    fake.defaults = { ignoreStream: true };

    const { result, pieces } = await chat(provider());

    expect(pieces).toEqual(['Hello there!']);
    expect(result.usage.estimated).toBeUndefined();
  });

  it('estimates usage as characters / 4 rounded up when the upstream sends none', async () => {
    fake.defaults = { omitUsage: true };

    const { result } = await chat(provider());

    // 'Hello, who are you?' is 19 characters, 'Hello there!' 12.
    expect(result.usage).toEqual({ promptTokens: 5, completionTokens: 3, totalTokens: 8, estimated: true });
  });
});

describe('RemoteProvider embeddings and models', () => {
  it('embeds inputs through /embeddings and returns the vectors in input order', async () => {
    const result = await provider({ embeddings: true }).embed(['a', 'bcd'], { signal: new AbortController().signal });

    expect(fake.requests[0]).toMatchObject({ path: '/v1/embeddings', body: { model: 'fake-gpt', input: ['a', 'bcd'] } });
    expect(result).toEqual({ embeddings: [[1, 0, 0.5], [3, 1, 0.5]], promptTokens: 4 });
  });

  it('refuses embeddings with -32007 for a remote model not configured for them, sending nothing', async () => {
    const error = await busErrorOf(provider().embed(['a'], { signal: new AbortController().signal }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain('embeddings');
    expect(fake.requests).toHaveLength(0);
  });

  it('lists the upstream models', async () => {
    expect(await provider().models({ signal: new AbortController().signal })).toEqual(['fake-gpt']);
  });
});

describe('RemoteProvider credentials', () => {
  it('sends the key from the environment variable as a bearer token, with the extra headers', async () => {
    await chat(provider({ headers: { 'OpenAI-Organization': 'org-1' } }));

    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(fake.requests[0]!.headers['openai-organization']).toBe('org-1');
  });

  it('fails with no-api-key naming the variable and envAllow when the variable is unset, sending nothing', async () => {
    const error = await busErrorOf(chat(provider({}, {})));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ upstream: 'fake', reason: 'no-api-key', apiKeyEnv: 'FAKE_KEY' });
    expect(error.message).toContain('FAKE_KEY');
    expect(error.message).toContain('envAllow');
    expect(fake.requests).toHaveLength(0);
  });

  it('fails with upstream-auth on a 401, without retrying and without the key in the error', async () => {
    fake.script({ status: 401, errorMessage: `Incorrect API key provided: ${KEY}` });

    const error = await busErrorOf(chat(provider()));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ upstream: 'fake', reason: 'upstream-auth', status: 401 });
    expect(error.message).toContain('127.0.0.1');
    expect(JSON.stringify({ message: error.message, data: error.data })).not.toContain(KEY);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('RemoteProvider retries', () => {
  it('retries a 503 and answers once the upstream recovers', async () => {
    fake.script({ status: 503 }, 2);

    const { result } = await chat(provider({ retries: 2 }));

    expect(result.text).toBe('Hello there!');
    expect(fake.requests).toHaveLength(3);
  });

  it('sends exactly retries + 1 requests when the upstream keeps failing, then fails with http-status', async () => {
    fake.script({ status: 503 }, 10);

    const error = await busErrorOf(chat(provider({ retries: 2 })));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ upstream: 'fake', reason: 'http-status', status: 503, attempts: 3 });
    expect(fake.requests).toHaveLength(3);
  });

  it('retries after the time a Retry-After asks for and succeeds', async () => {
    fake.script({ status: 429, retryAfter: '1' });

    const { result } = await chat(provider({ retries: 1 }));

    expect(result.text).toBe('Hello there!');
    expect(fake.requests).toHaveLength(2);
  });

  it('stops at once with RateLimited when Retry-After asks for more than maxRetryDelayMs', async () => {
    fake.script({ status: 429, retryAfter: '120' });

    const error = await busErrorOf(chat(provider({ retries: 2, maxRetryDelayMs: 5_000 })));

    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(error.data).toMatchObject({ retryAfterSeconds: 120, scope: 'upstream' });
    expect(fake.requests).toHaveLength(1);
  });

  it('fails with RateLimited when the upstream still answers 429 after the retries', async () => {
    fake.script({ status: 429 }, 10);

    const error = await busErrorOf(chat(provider({ retries: 2 })));

    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(error.data).toMatchObject({ scope: 'upstream', upstream: 'fake' });
    expect(error.data!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(fake.requests).toHaveLength(3);
  });

  it('turns a 400 into -32007 carrying the upstream message and param, without retrying', async () => {
    fake.script({ status: 400, errorMessage: 'max_tokens is too large: 99999', errorParam: 'max_tokens' }, 3);

    const error = await busErrorOf(chat(provider({ retries: 2 })));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain('max_tokens is too large: 99999');
    expect(error.data).toMatchObject({ capability: 'llm.chat', errors: [{ instancePath: '/max_tokens' }] });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a connection dropped before any text and answers from the next attempt', async () => {
    fake.script({ dropAfterChunks: 0 });

    const { result, pieces } = await chat(provider({ retries: 1 }));

    expect(pieces).toEqual(['Hello', ' there', '!']);
    expect(result.text).toBe('Hello there!');
    expect(fake.requests).toHaveLength(2);
  });

  it('fails with stream-cut and no retry when the connection drops after text was forwarded', async () => {
    fake.script({ dropAfterChunks: 1 });
    const pieces: string[] = [];

    const error = await busErrorOf(provider({ retries: 2 }).chat({ messages: hello }, { signal: new AbortController().signal, onText: (text) => pieces.push(text) }));

    expect(error.data).toMatchObject({ reason: 'stream-cut' });
    expect(pieces).toEqual(['Hello']);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('RemoteProvider reachability, timeouts and cancellation', () => {
  it('fails with offline when nothing listens at the base URL', async () => {
    const remote = provider({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, retries: 1 });

    const error = await busErrorOf(chat(remote));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ upstream: 'fake', reason: 'offline', attempts: 2 });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('fails with timeout when the headers do not come within timeoutSeconds', async () => {
    fake.script({ headersDelayMs: 10_000 });

    const error = await busErrorOf(chat(provider({ timeoutSeconds: 0.2, retries: 0 })));

    expect(error.data).toMatchObject({ reason: 'timeout' });
    expect(error.message).toContain('timeoutSeconds');
  });

  it('fails with timeout and no retry when a stream goes silent after text was forwarded', async () => {
    fake.script({ stallAfterChunks: 1 });

    const error = await busErrorOf(chat(provider({ idleTimeoutSeconds: 0.2, retries: 2 })));

    expect(error.data).toMatchObject({ reason: 'timeout' });
    expect(error.message).toContain('idleTimeoutSeconds');
    expect(fake.requests).toHaveLength(1);
  });

  it('stops the upstream request when the signal aborts mid-stream and rejects with the abort reason', async () => {
    fake.script({ chunks: Array.from({ length: 200 }, (_, index) => `${index} `), chunkDelayMs: 20 });
    const controller = new AbortController();
    const reason = new Error('caller went away');

    const outcome = provider().chat({ messages: hello }, { signal: controller.signal, onText: () => controller.abort(reason) });

    await expect(outcome).rejects.toBe(reason);
    await eventually(() => fake.clientAborts === 1, 'the fake to see the connection close');
    expect(fake.requests).toHaveLength(1);
  });

  it('ends the wait before a retry as soon as the signal aborts', async () => {
    fake.script({ status: 503, retryAfter: '60' });
    const controller = new AbortController();
    const reason = new Error('caller went away');

    const outcome = provider({ retries: 1, maxRetryDelayMs: 120_000 }).chat({ messages: hello }, { signal: controller.signal, onText: () => {} });
    await eventually(() => fake.requests.length === 1, 'the first attempt');
    // Let the 503 arrive, so the abort lands in the 60 s wait (a wait that ignored it would pass the test timeout).
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort(reason);

    await expect(outcome).rejects.toBe(reason);
    expect(fake.requests).toHaveLength(1);
  });
});
