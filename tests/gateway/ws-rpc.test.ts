import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { WsTestClient } from './support/ws-test-client.ts';

/** The ids echo.slow has seen aborted so far. */
async function abortedIds(gateway: TestGateway): Promise<(string | null)[]> {
  const { aborts } = (await gateway.kernel.call('echo.aborts')) as { aborts: { id: string | null }[] };
  return aborts.map((abort) => abort.id);
}

/** Resolves once `count` calls are running in the echo plugin. */
async function callsRunning(gateway: TestGateway, count: number): Promise<void> {
  await vi.waitFor(() => expect(gateway.kernel.bus.load('echo').active).toBe(count), { timeout: 10_000 });
}

describe('GET /ws: JSON-RPC over WebSocket', () => {
  let gateway: TestGateway;
  let client: WsTestClient;

  beforeAll(async () => {
    gateway = await startTestGateway([echoPlugin()], { gateway: { limits: { wsCallsInFlight: 3 } } });
    await gateway.waitForState('echo', 'running');
    client = await WsTestClient.open(`${gateway.wsUrl}/ws`);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
  });

  it('answers a capability call with its result', async () => {
    const response = await client.request('echo.echo', { hello: 'world' });

    expect(response).toEqual({ jsonrpc: '2.0', id: response.id, result: { hello: 'world' } });
  });

  it('answers a failing capability with its JSON-RPC error', async () => {
    const response = await client.request('echo.fail', { code: 42, message: 'nope', data: { why: 'test' } });

    expect(response.error).toMatchObject({ code: 42, message: 'nope', data: { why: 'test' } });
  });

  it('sends every progress chunk as $/progress with the request id before the result', async () => {
    const id = 'stream-1';
    const response = await client.request('echo.stream', { count: 3 }, id);

    const mine = (client.messages as { id?: unknown; method?: string; params?: { id?: unknown } }[]).filter((message) => message.id === id || message.params?.id === id);
    expect(mine).toEqual([
      { jsonrpc: '2.0', method: '$/progress', params: { id, chunk: { index: 0 } } },
      { jsonrpc: '2.0', method: '$/progress', params: { id, chunk: { index: 1 } } },
      { jsonrpc: '2.0', method: '$/progress', params: { id, chunk: { index: 2 } } },
      response,
    ]);
    expect(response.result).toEqual({ sent: 3 });
  });

  it('answers a batch with one array of responses, leaving out notifications', async () => {
    client.send([
      { jsonrpc: '2.0', id: 'b1', method: 'echo.echo', params: { n: 1 } },
      { jsonrpc: '2.0', method: 'echo.echo', params: { n: 2 } },
      { jsonrpc: '2.0', id: 'b2', method: 'no.such' },
    ]);

    const batch = (await client.waitUntil(() => client.messages.find((message) => Array.isArray(message)), 'the batch answer')) as { id: string }[];
    expect(batch).toHaveLength(2);
    expect(batch.find((answer) => answer.id === 'b1')).toEqual({ jsonrpc: '2.0', id: 'b1', result: { n: 1 } });
    expect(batch.find((answer) => answer.id === 'b2')).toMatchObject({ error: { code: -32601 } });
  });

  it("answers an unknown method with JSON-RPC's Method not found -32601, keeping the catalog's CapabilityNotFound in data", async () => {
    const response = await client.request('no.such', {});

    expect(response.error).toEqual({ code: -32601, message: expect.stringContaining('no.such'), data: { method: 'no.such', capability: 'no.such', code: -32001, name: 'CapabilityNotFound' } });
  });

  it('answers $/ping with an empty result', async () => {
    const response = await client.request('$/ping');

    expect(response.result).toEqual({});
  });

  it('answers an unknown $/ method with MethodNotFound', async () => {
    const response = await client.request('$/frobnicate', {});

    expect(response.error).toMatchObject({ code: -32601, data: { method: '$/frobnicate' } });
  });

  it('answers text that is not JSON with ParseError and a null id', async () => {
    client.socket.send('{"jsonrpc":"2.0","id":1,"method":');

    const response = await client.waitFor((message) => message.error?.code === -32700);
    expect(response.id).toBeNull();
  });

  it('answers a message that is not a JSON-RPC request with InvalidRequest', async () => {
    client.send({ jsonrpc: '1.0', id: 'old', method: 'echo.echo' });

    const response = await client.waitFor((message) => message.id === 'old');
    expect(response.error?.code).toBe(-32600);
  });

  it('answers a binary frame with InvalidRequest', async () => {
    const before = client.messages.length;
    client.socket.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'bin', method: '$/ping' })), { binary: true });

    const response = await client.waitUntil(() => (client.messages.slice(before) as { error?: { code: number; data?: { reason?: string } } }[]).find((message) => message.error?.data?.reason === 'binary'), 'the binary answer');
    expect(response.error!.code).toBe(-32600);
  });

  it('refuses a call beyond wsCallsInFlight with Overloaded at once', async () => {
    const slow = [1, 2, 3].map((n) => client.request('echo.slow', { ms: 60_000, id: `overload-${n}` }, `overload-${n}`));
    await callsRunning(gateway, 3);

    const refused = await client.request('echo.echo', {});

    expect(refused.error).toMatchObject({ code: -32006, data: { limit: 3 } });
    for (const n of [1, 2, 3]) client.notify('$/cancelRequest', { id: `overload-${n}` });
    await Promise.all(slow);
  });

  it('answers a call named in $/cancelRequest with Cancelled, and the provider sees the abort', async () => {
    const pending = client.request('echo.slow', { ms: 60_000, id: 'cancel-me' }, 'cancel-me');
    await callsRunning(gateway, 1);

    client.notify('$/cancelRequest', { id: 'cancel-me' });

    expect((await pending).error?.code).toBe(-32005);
    await vi.waitFor(async () => expect(await abortedIds(gateway)).toContain('cancel-me'), { timeout: 10_000 });
  });

  it('answers a request that reuses the id of a call in flight with InvalidRequest', async () => {
    client.send({ jsonrpc: '2.0', id: 'twice', method: 'echo.slow', params: { ms: 60_000, id: 'twice' } });
    await callsRunning(gateway, 1);

    client.send({ jsonrpc: '2.0', id: 'twice', method: 'echo.echo', params: {} });

    const duplicate = await client.waitFor((message) => message.id === 'twice' && message.error?.code === -32600);
    expect(duplicate.error?.data).toMatchObject({ reason: 'duplicate id' });
    client.notify('$/cancelRequest', { id: 'twice' });
    await client.waitFor((message) => message.id === 'twice' && message.error?.code === -32005, 'the first call to end Cancelled');
  });

  it('aborts every call in flight when the client closes the socket', async () => {
    const other = await WsTestClient.open(`${gateway.wsUrl}/ws`);
    other.send({ jsonrpc: '2.0', id: 1, method: 'echo.slow', params: { ms: 60_000, id: 'gone-1' } });
    other.send({ jsonrpc: '2.0', id: 2, method: 'echo.slow', params: { ms: 60_000, id: 'gone-2' } });
    await callsRunning(gateway, 2);

    await other.close();

    await vi.waitFor(async () => expect(await abortedIds(gateway)).toEqual(expect.arrayContaining(['gone-1', 'gone-2'])), { timeout: 10_000 });
  });

  it('counts open sockets in the gateway metrics', async () => {
    const gauge = () => gateway.gateway.context.metrics.registry.getSingleMetric('cyberstudio_gateway_websockets_open')!.get();
    const openOnWs = async () => (await gauge()).values.find((value) => value.labels.endpoint === '/ws')?.value;
    const before = await openOnWs();

    const other = await WsTestClient.open(`${gateway.wsUrl}/ws`);
    await vi.waitFor(async () => expect(await openOnWs()).toBe(before! + 1));
    await other.close();

    await vi.waitFor(async () => expect(await openOnWs()).toBe(before));
  });
});

describe('GET /ws limits and shutdown', () => {
  let gateway: TestGateway | undefined;

  afterAll(async () => {
    await gateway?.close();
  });

  it('closes the socket with 1009 when a message is larger than wsMessageBytes', async () => {
    gateway = await startTestGateway([echoPlugin({ activation: 'lazy' })], { gateway: { limits: { wsMessageBytes: 1024 } } });
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws`);

    client.send({ jsonrpc: '2.0', id: 1, method: 'echo.echo', params: { text: 'x'.repeat(2000) } });

    expect((await client.closed).code).toBe(1009);
    await gateway.close();
  });

  it('closes every socket with 1001 on gateway close, aborting the calls in flight', async () => {
    gateway = await startTestGateway([echoPlugin()]);
    await gateway.waitForState('echo', 'running');
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws`);
    client.send({ jsonrpc: '2.0', id: 1, method: 'echo.slow', params: { ms: 60_000, id: 'shutdown' } });
    await callsRunning(gateway, 1);

    await gateway.gateway.close();

    expect(await client.closed).toEqual({ code: 1001, reason: 'kernel shutting down' });
    await vi.waitFor(async () => expect(await abortedIds(gateway!)).toContain('shutdown'), { timeout: 10_000 });
  });
});
