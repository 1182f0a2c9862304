import { describe, expect, it } from 'vitest';
import { useOpenAiGateway } from './support/openai-gateway.ts';

const setup = useOpenAiGateway();

function post(route: string, body: unknown): Promise<Response> {
  return fetch(`${setup.gateway.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A JSON answer, loosely typed: the tests read OpenAI's objects field by field. */
async function json(response: Response): Promise<any> {
  return response.json();
}

/** The `data:` payloads of a raw event stream, in order; an `event:` line other than none fails the test. */
function dataEvents(text: string): string[] {
  return text.split('\n\n').filter((frame) => frame.trim() !== '').map((frame) => {
    expect(frame).not.toMatch(/^event:/m);
    return frame.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
  });
}

const hello = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hello!' }];

describe('OpenAI-compatible chat completions', () => {
  it('answers a chat.completion object with the assistant message and its token usage', async () => {
    const response = await post('/v1/chat/completions', { model: 'tiny-llama', messages: hello, max_tokens: 12, temperature: 0 });

    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'tiny-llama',
      choices: [{ index: 0, message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'length' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 12 },
    });
    expect(answer.choices[0].message.content.length).toBeGreaterThan(0);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    expect(answer.usage.total_tokens).toBe(answer.usage.prompt_tokens + 12);
  });

  it('streams chat.completion.chunk events that add up to the same text, then usage and [DONE]', async () => {
    const request = { model: 'tiny-llama', messages: hello, max_completion_tokens: 16, temperature: 0, seed: 7 };
    const whole = await json(await post('/v1/chat/completions', request));

    const response = await post('/v1/chat/completions', { ...request, stream: true, stream_options: { include_usage: true } });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = dataEvents(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    for (const chunk of chunks) expect(chunk).toMatchObject({ id: chunks[0].id, object: 'chat.completion.chunk', model: 'tiny-llama' });
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    const pieces = chunks.slice(1, -2);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((chunk) => chunk.choices[0].delta.content).join('')).toBe(whole.choices[0].message.content);
    expect(chunks.at(-2).choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { ...whole.usage, completion_tokens: 16 } });
  });

  it('leaves the usage chunk out of a stream without stream_options.include_usage', async () => {
    const response = await post('/v1/chat/completions', { messages: hello, max_tokens: 4, temperature: 0, stream: true });

    const events = dataEvents(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const last = JSON.parse(events.at(-2)!);
    expect(last.choices[0].finish_reason).toBe('length');
    expect(last.usage).toBeUndefined();
  });

  it('constrains the answer to JSON with response_format json_schema', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };

    const response = await post('/v1/chat/completions', {
      messages: hello, temperature: 0, max_tokens: 64, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } },
    });

    const answer = await json(response);
    expect(answer.choices[0].finish_reason).toBe('stop');
    expect(typeof JSON.parse(answer.choices[0].message.content).ok).toBe('boolean');
  });
});

describe('OpenAI-compatible completions, embeddings and models', () => {
  it('answers a text_completion object for a prompt', async () => {
    const response = await post('/v1/completions', { model: 'tiny-llama', prompt: 'hello world', max_tokens: 8, temperature: 0, stop: 'zzz' });

    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      id: expect.stringMatching(/^cmpl-/),
      object: 'text_completion',
      model: 'tiny-llama',
      choices: [{ index: 0, text: expect.any(String), finish_reason: 'length' }],
      usage: { completion_tokens: 8 },
    });
  });

  it('streams text_completion chunks ending with a finish reason and [DONE]', async () => {
    const response = await post('/v1/completions', { prompt: 'hello world', max_tokens: 8, temperature: 0, stream: true });

    const events = dataEvents(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.every((chunk) => chunk.object === 'text_completion')).toBe(true);
    expect(chunks.at(-1).choices[0]).toEqual({ index: 0, text: '', logprobs: null, finish_reason: 'length' });
    expect(chunks.slice(0, -1).map((chunk) => chunk.choices[0].text).join('').length).toBeGreaterThan(0);
  });

  it('embeds each input as a 64-number vector in a list object', async () => {
    const response = await post('/v1/embeddings', { model: 'tiny-llama', input: ['hello world', 'model'] });

    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer).toMatchObject({ object: 'list', model: 'tiny-llama', data: [{ object: 'embedding', index: 0 }, { object: 'embedding', index: 1 }] });
    expect(answer.data.map((item: { embedding: number[] }) => item.embedding.length)).toEqual([64, 64]);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    expect(answer.usage.total_tokens).toBe(answer.usage.prompt_tokens);
  });

  it('sends base64 float32 embeddings when encoding_format is base64', async () => {
    const floats = await json(await post('/v1/embeddings', { input: 'hello' }));

    const answer = await json(await post('/v1/embeddings', { input: 'hello', encoding_format: 'base64' }));

    const bytes = Buffer.from(answer.data[0].embedding, 'base64');
    const vector = [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)];
    expect(vector).toEqual(floats.data[0].embedding);
  });

  it('lists the usable models as OpenAI model objects', async () => {
    const response = await fetch(`${setup.gateway.url}/v1/models`);

    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ object: 'list', data: [{ id: 'tiny-llama', object: 'model', created: expect.any(Number), owned_by: 'cyberstudio' }] });
  });
});

describe('OpenAI-compatible errors', () => {
  it('answers 404 model_not_found in OpenAI error shape for an unknown model', async () => {
    const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages: hello });

    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({
      error: { message: expect.stringContaining("'gpt-4o'"), type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    });
  });

  it('answers 404 as plain JSON, not an event stream, when a streaming request names an unknown model', async () => {
    const response = await post('/v1/chat/completions', { model: 'gpt-4o', messages: hello, stream: true });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await json(response)).error.code).toBe('model_not_found');
  });

  it('answers 400 invalid_request_error naming messages when they are malformed', async () => {
    const response = await post('/v1/chat/completions', { model: 'tiny-llama', messages: [{ role: 'robot', content: 'hi' }] });

    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: 'messages[0].role', code: null } });
  });

  it('answers 400 when messages are missing', async () => {
    const response = await post('/v1/chat/completions', { model: 'tiny-llama' });

    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
  });

  it("maps the plugin's -32007 refusal of a prompt over the context to a 400 naming the field", async () => {
    const response = await post('/v1/completions', { prompt: 'hello world '.repeat(1100), max_tokens: 4 });

    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: { message: expect.stringContaining('not truncated'), type: 'invalid_request_error', param: 'prompt', code: null } });
  });

  it('answers 400 for an out-of-range sampling parameter', async () => {
    const response = await post('/v1/chat/completions', { messages: hello, temperature: 3 });

    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({ type: 'invalid_request_error', param: 'temperature' });
  });
});
