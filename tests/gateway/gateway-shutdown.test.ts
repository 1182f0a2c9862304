import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { startCli } from '../integration/support/processes.ts';
import { fixture, startTestKernel } from '../integration/support/test-kernel.ts';
import { rawRequest } from './support/raw-request.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { WsTestClient } from './support/ws-test-client.ts';
import { webPlugin } from './support/web-fixture.ts';

/** The hang fixture: answers nothing after initialize, ignores shutdown and SIGTERM, so stopping it takes the full escalation. */
const hangPlugin = { name: 'hang', entrypoint: fixture('hang/main.mjs'), activation: 'startup', capabilities: ['hang.call'] };

/** Shuts down as `cyberstudio start` does on SIGINT/SIGTERM: the gateway and the kernel at once. */
async function shutDown(test: TestGateway): Promise<void> {
  await Promise.all([test.gateway.close(), test.kernel.close()]);
  await test.close();
}

/** Resolves once `count` calls to `plugin` are in flight. */
async function callsInFlight(test: TestGateway, plugin: string, count = 1): Promise<void> {
  await expect.poll(() => test.kernel.supervisor(plugin).process?.inFlight ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
}

const call = (id: number, method: string, params: object = {}) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('kernel shutdown with calls in flight', () => {
  it('answers an in-flight /rpc call with ShuttingDown and HTTP 503 instead of closing the connection', async () => {
    const test = await startTestGateway([hangPlugin]);
    const answer = rawRequest(`${test.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call(7, 'hang.call') });
    await callsInFlight(test, 'hang');

    const started = Date.now();
    const closing = shutDown(test);
    const { status, json, headers } = await answer;

    expect(status).toBe(503);
    expect(headers.connection).toBe('close');
    expect(json).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32011, data: { reason: 'gateway closing' } } });
    expect(Date.now() - started).toBeLessThan(1500);
    await closing;
  });

  it('answers the unfinished members of a batch with ShuttingDown and the finished ones with their results', async () => {
    const test = await startTestGateway([hangPlugin, echoPlugin()]);
    const answer = rawRequest(`${test.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `[${call(1, 'echo.echo', { n: 1 })},${call(2, 'hang.call')}]` });
    await callsInFlight(test, 'hang');

    const closing = shutDown(test);
    const { status, json } = await answer;

    expect(status).toBe(503);
    expect(json).toEqual([
      { jsonrpc: '2.0', id: 1, result: { n: 1 } },
      expect.objectContaining({ id: 2, error: expect.objectContaining({ code: -32011 }) }),
    ]);
    await closing;
  });

  it('answers an in-flight /ws request with ShuttingDown before the socket closes with 1001', async () => {
    const test = await startTestGateway([hangPlugin]);
    const client = await WsTestClient.open(`${test.wsUrl}/ws`);
    client.send({ jsonrpc: '2.0', id: 'w1', method: 'hang.call', params: {} });
    await callsInFlight(test, 'hang');

    const closing = shutDown(test);
    const closed = await client.closed;

    expect(closed.code).toBe(1001);
    expect(client.messages).toContainEqual(expect.objectContaining({ id: 'w1', error: expect.objectContaining({ code: -32011 }) }));
    await closing;
  });

  it('answers an in-flight plugin route call with 503 and the ShuttingDown error body', async () => {
    const test = await startTestGateway([webPlugin({ http: { routes: { 'POST /hold': 'web.stream' } } })]);
    const answer = rawRequest(`${test.url}/hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hold: true }) });
    await callsInFlight(test, 'web');

    const closing = shutDown(test);
    const { status, json } = await answer;

    expect(status).toBe(503);
    expect(json).toMatchObject({ error: { code: -32011, name: 'ShuttingDown' } });
    await closing;
  });
});

describe('cyberstudio start stopped by SIGTERM with a call in flight', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('answers the /rpc caller with ShuttingDown and HTTP 503 before it exits', async () => {
    const test = await startTestKernel([{ ...hangPlugin, shutdownTimeoutSeconds: 1 }], { start: false });
    cleanups.push(() => test.close());
    const { child, url, exited } = await startCli(['--plugins', test.registryFile, '--data', join(test.dir, 'cli-data'), '--port', '0'], {
      onSpawn: (spawned) => cleanups.push(() => void spawned.kill('SIGKILL')),
    });
    const answer = rawRequest(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call(5, 'hang.call') });
    await expect.poll(async () => (await rawRequest(`${url}/api/plugins/hang/status`)).json.load.active, { timeout: 10_000 }).toBe(1);

    child.kill('SIGTERM');
    const { status, json } = await answer;

    expect(status).toBe(503);
    expect(json).toMatchObject({ jsonrpc: '2.0', id: 5, error: { code: -32011 } });
    expect(await exited).toBe(0);
  });
});
