import { request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { gatewayPerTest } from './support/test-gateway.ts';

const open = gatewayPerTest();

/** POSTs `body` (a string is sent as is) to /rpc and returns the status, headers and parsed JSON (or null). */
async function rpc(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? null : (JSON.parse(text) as any) };
}

const call = (id: number | string, method: string, params: object = {}) => ({ jsonrpc: '2.0', id, method, params });

describe('POST /rpc', () => {
  it('answers a single call with the capability result', async () => {
    const { url } = await open([echoPlugin()]);

    const { status, json } = await rpc(url, call(1, 'echo.echo', { hello: 'world' }));

    expect(status).toBe(200);
    expect(json).toEqual({ jsonrpc: '2.0', id: 1, result: { hello: 'world' } });
  });

  it('answers a batch in order, skipping notifications and reporting invalid members', async () => {
    const { url } = await open([echoPlugin()]);

    const { status, json } = await rpc(url, [
      call('a', 'echo.echo', { n: 1 }),
      { jsonrpc: '2.0', method: 'echo.echo', params: { n: 2 } },
      { jsonrpc: '1.0', id: 'b', method: 'echo.echo' },
      call('c', 'no.such'),
      42,
    ]);

    expect(status).toBe(200);
    expect(json).toHaveLength(4);
    expect(json[0]).toEqual({ jsonrpc: '2.0', id: 'a', result: { n: 1 } });
    expect(json[1]).toMatchObject({ id: 'b', error: { code: -32600 } });
    expect(json[2]).toMatchObject({ id: 'c', error: { code: -32601, data: { capability: 'no.such' } } });
    expect(json[3]).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('answers 204 with no body when every message is a notification, and still runs them', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const { status, json } = await rpc(url, [{ jsonrpc: '2.0', method: 'echo.log', params: { level: 'warn', msg: 'from a notification' } }]);

    expect(status).toBe(204);
    expect(json).toBeNull();
    await vi.waitFor(async () => expect((await kernel.logs.query({ plugin: 'echo', q: 'from a notification' })).length).toBe(1), { timeout: 10_000 });
  });

  it("answers an unknown method with JSON-RPC's Method not found -32601, keeping the catalog's CapabilityNotFound in data", async () => {
    const { url } = await open([echoPlugin()]);

    const { status, json } = await rpc(url, call(3, 'no.such'));

    expect(status).toBe(200);
    expect(json).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32601, message: expect.stringContaining('no.such'), data: { method: 'no.such', capability: 'no.such', code: -32001, name: 'CapabilityNotFound' } },
    });
  });

  it('passes on a CapabilityNotFound for a capability the provider called, which is not the method asked for', async () => {
    const { url } = await open([echoPlugin({ permissions: { call: ['missing.*'] } })]);

    const { json } = await rpc(url, call(4, 'echo.call', { capability: 'missing.thing' }));

    expect(json.error).toMatchObject({ code: -32001, data: { capability: 'missing.thing' } });
  });

  it('answers ParseError -32700 with status 400 for malformed JSON', async () => {
    const { url } = await open([echoPlugin()]);

    const { status, json } = await rpc(url, '{"jsonrpc":"2.0", "id": 1, "method": ');

    expect(status).toBe(400);
    expect(json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('answers InvalidRequest -32600 for an empty batch and for a request without jsonrpc 2.0', async () => {
    const { url } = await open([echoPlugin()]);

    const empty = await rpc(url, []);
    const noVersion = await rpc(url, { id: 7, method: 'echo.echo' });

    expect(empty.status).toBe(400);
    expect(empty.json.error.code).toBe(-32600);
    expect(noVersion.status).toBe(200);
    expect(noVersion.json).toMatchObject({ id: 7, error: { code: -32600 } });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const { url } = await open([echoPlugin()]);

    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });

    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('answers 413 for a body over gateway.limits.bodyBytes', async () => {
    const { url } = await open([echoPlugin()], { gateway: { limits: { bodyBytes: 2048 } } });

    const { status, json } = await rpc(url, call(1, 'echo.echo', { big: 'x'.repeat(5000) }));

    expect(status).toBe(413);
    expect(json.error).toMatchObject({ code: -32600, data: { reason: 'body-too-large', limitBytes: 2048 } });
  });

  it('refuses a batch larger than gateway.limits.batchSize', async () => {
    const { url } = await open([echoPlugin()], { gateway: { limits: { batchSize: 2 } } });

    const { status, json } = await rpc(url, [call(1, 'echo.echo'), call(2, 'echo.echo'), call(3, 'echo.echo')]);

    expect(status).toBe(413);
    expect(json.error.code).toBe(-32600);
  });

  it('answers InvalidParams -32602 for positional params and CapabilityInvalidParams -32007 for params of the wrong type', async () => {
    const { url } = await open([echoPlugin()]);

    const positional = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'echo.echo', params: [1, 2] });
    const wrongType = await rpc(url, call(2, 'echo.slow', { ms: 'soon' }));

    expect(positional.json.error.code).toBe(-32602);
    expect(wrongType.json.error).toMatchObject({ code: -32007, data: { capability: 'echo.slow' } });
    expect(wrongType.json.error.data.errors[0].instancePath).toBe('/ms');
  });

  it('answers a provider error inside a 200 JSON-RPC response', async () => {
    const { url } = await open([echoPlugin()]);

    const { status, json } = await rpc(url, call(1, 'echo.fail', { code: 1234, message: 'nope' }));

    expect(status).toBe(200);
    expect(json.error).toMatchObject({ code: 1234, message: 'nope' });
  });

  it('cancels the provider handler when the HTTP client goes away mid-call', async () => {
    const { url, kernel } = await open([echoPlugin()]);
    const body = JSON.stringify(call(1, 'echo.slow', { ms: 60_000, id: 'http-gone' }));
    const target = new URL(`${url}/rpc`);
    const req = request({ host: target.hostname, port: target.port, path: '/rpc', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    req.on('error', () => {});
    req.end(body);
    await vi.waitFor(() => expect(kernel.bus.load('echo').active).toBe(1), { timeout: 10_000 });

    req.destroy();

    await vi.waitFor(async () => {
      const { aborts } = (await kernel.call('echo.aborts')) as { aborts: { id: string }[] };
      expect(aborts.map((abort) => abort.id)).toContain('http-gone');
    }, { timeout: 10_000 });
  });

  it('serves only loopback Host names when no auth is configured', async () => {
    const { gateway } = await open([echoPlugin()]);
    const body = JSON.stringify(call(1, 'kernel.status'));

    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gateway.port, path: '/rpc', method: 'POST', headers: { host: 'attacker.example:6813', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end(body);
    });

    expect(status).toBe(421);
  });
});

describe('access rules without an auth provider', () => {
  it('answers 403 Forbidden for a capability no rule allows the local operator', async () => {
    const { url } = await open([echoPlugin()], { gateway: { access: [{ roles: ['admin'], call: ['echo.*'] }] } });

    const allowed = await rpc(url, call(1, 'echo.echo', { ok: true }));
    const denied = await rpc(url, call(2, 'kernel.status'));

    expect(allowed.json.result).toEqual({ ok: true });
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: -32008, data: { capability: 'kernel.status' } });
  });

  it('judges each member of a batch and keeps the batch answer at 200', async () => {
    const { url } = await open([echoPlugin()], { gateway: { access: [{ roles: ['admin'], call: ['echo.echo'] }] } });

    const { status, json } = await rpc(url, [call(1, 'echo.echo'), call(2, 'echo.log', { level: 'info', msg: 'x' })]);

    expect(status).toBe(200);
    expect(json[0].result).toEqual({});
    expect(json[1].error.code).toBe(-32008);
  });
});
