import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { gatewayPerTest } from './support/test-gateway.ts';
import { webPlugin } from './support/web-fixture.ts';

const open = gatewayPerTest();

const routes = { 'POST /v1/stream': 'web.stream', 'GET /v1/stream': 'web.stream' };

/** A gateway in front of the web fixture with `routes`; `manifest` overrides the fixture's manifest. */
const withStreams = (manifest: Record<string, unknown> = {}) => open([webPlugin({ http: { routes }, ...manifest })]);

const asEventStream = { accept: 'text/event-stream', 'content-type': 'application/json' };

/** POSTs `body` as JSON to the stream route with `headers`. */
const stream = (url: string, body: unknown, headers: Record<string, string> = asEventStream) =>
  fetch(`${url}/v1/stream`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('plugin routes as Server-Sent Events', () => {
  it('sends each progress chunk as a data event, in order, then the result as a result event', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 3 });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('data: {"index":0}\n\ndata: {"index":1}\n\ndata: {"index":2}\n\nevent: result\ndata: {"sent":3}\n\n');
  });

  it('answers with the event-stream headers that keep proxies from buffering', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 1 });
    await response.text();
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
  });

  it('streams when the JSON body asks with stream: true and no Accept header', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 1, stream: true }, { 'content-type': 'application/json' });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await response.text()).toBe('data: {"index":0}\n\nevent: result\ndata: {"sent":1}\n\n');
  });

  it('ends with the lines of _http.sse verbatim and no result event', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 2, done: true });
    expect(await response.text()).toBe('data: {"index":0}\n\ndata: {"index":1}\n\ndata: [DONE]\n\n');
  });

  it('reports a failure after the stream started as an error event and ends the stream', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 3, failAfter: 2 });
    expect(response.status).toBe(200);
    const text = await response.text();
    const [first, second, failure, ...rest] = text.split('\n\n');
    expect([first, second]).toEqual(['data: {"index":0}', 'data: {"index":1}']);
    expect(failure!.startsWith('event: error\ndata: ')).toBe(true);
    expect(JSON.parse(failure!.slice('event: error\ndata: '.length))).toEqual({ error: { code: 4200, name: 'UnknownError', message: 'the stream broke after 2 chunks', data: { index: 2 } } });
    expect(rest).toEqual(['']);
  });

  it('answers a failure before the first event with its HTTP status and error body', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 3, failAfter: 0 });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 4200 } });
  });

  it('answers plain JSON when the client asks for no stream', async () => {
    const { url } = await withStreams();
    const response = await stream(url, { count: 3 }, { 'content-type': 'application/json' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ sent: 3 });
  });

  it('streams a GET with its options in the query', async () => {
    const { url } = await withStreams();
    const response = await fetch(`${url}/v1/stream?count=2&done=true`, { headers: { accept: 'text/event-stream' } });
    expect(await response.text()).toBe('data: {"index":0}\n\ndata: {"index":1}\n\ndata: [DONE]\n\n');
  });

  it('starts a lazy provider to learn that its capability streams', async () => {
    const test = await withStreams({ activation: 'lazy' });
    expect(test.kernel.supervisor('web').state).toBe('stopped');
    const response = await stream(test.url, { count: 1 });
    expect(await response.text()).toBe('data: {"index":0}\n\nevent: result\ndata: {"sent":1}\n\n');
  });

  it('cancels the call when the client disconnects mid-stream', async () => {
    const test = await withStreams();
    await new Promise<void>((resolve, reject) => {
      const outgoing = request(`${test.url}/v1/stream?count=1&hold=true`, { headers: { accept: 'text/event-stream' } }, (response) => {
        // The first chunk proves the call is running; then the client goes away.
        response.once('data', () => {
          outgoing.destroy();
          resolve();
        });
      });
      outgoing.on('error', (error) => (outgoing.destroyed ? undefined : reject(error)));
      outgoing.end();
    });
    await expect.poll(async () => ((await test.kernel.call('web.aborts', { method: 'GET', path: '/', params: {}, query: {}, headers: {}, body: null })) as { aborts: unknown[] }).aborts).toHaveLength(1);
  });
});
