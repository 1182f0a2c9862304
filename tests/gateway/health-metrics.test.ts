import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { fixture } from '../integration/support/test-kernel.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { parsePrometheusText, sampleValue, type PromFamily } from './support/prometheus-text.ts';
import { gatewayPerTest, type TestGateway } from './support/test-gateway.ts';

const open = gatewayPerTest();

const crashOnStart = (overrides: object = {}) => ({ name: 'crasher', entrypoint: fixture('crash-on-start/main.mjs'), activation: 'startup', capabilities: ['crasher.x'], restart: { policy: 'never' }, ...overrides });

async function health(gw: TestGateway): Promise<{ status: number; body: any }> {
  const response = await fetch(`${gw.url}/health`);
  return { status: response.status, body: await response.json() };
}

async function scrape(gw: TestGateway): Promise<Map<string, PromFamily>> {
  const response = await fetch(`${gw.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

async function rpc(gw: TestGateway, method: string, params: object): Promise<unknown> {
  const response = await fetch(`${gw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return response.json();
}

describe('/health', () => {
  it('is ok with the kernel and every plugin when all is well', async () => {
    const gw = await open([echoPlugin({ required: true }), authStubPlugin({ activation: 'lazy' })]);
    const { status, body } = await health(gw);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', kernel: { name: 'cyberstudio', pid: process.pid } });
    expect(body.kernel.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(body.plugins).toEqual([
      { name: 'echo', state: 'running', required: true, enabled: true },
      { name: 'auth-stub', state: 'stopped', required: false, enabled: true },
    ]);
  });

  it('is down with 503 while a required plugin is not running', async () => {
    const gw = await open([echoPlugin({ required: true })]);
    await gw.kernel.supervisor('echo').stop();
    const { status, body } = await health(gw);
    expect([status, body.status]).toEqual([503, 'down']);
  });

  it('is down with 503 when a required plugin crashed', async () => {
    const gw = await open([echoPlugin(), crashOnStart({ required: true })]);
    await gw.waitForState('crasher', 'crashed');
    const { status, body } = await health(gw);
    expect([status, body.status]).toEqual([503, 'down']);
  });

  it('is degraded with 200 while an optional startup plugin is crashed', async () => {
    const gw = await open([echoPlugin(), crashOnStart()]);
    await gw.waitForState('crasher', 'crashed');
    const { status, body } = await health(gw);
    expect([status, body.status]).toEqual([200, 'degraded']);
    expect(body.plugins.find((plugin: { name: string }) => plugin.name === 'crasher')).toEqual({ name: 'crasher', state: 'crashed', required: false, enabled: true });
  });

  it('is ok when an optional plugin was stopped on purpose', async () => {
    const gw = await open([echoPlugin()]);
    await gw.kernel.supervisor('echo').stop();
    expect((await health(gw)).body.status).toBe('ok');
  });
});

describe('/metrics', () => {
  it('exposes each plugin family and the gateway families in strict Prometheus text', async () => {
    const gw = await open([echoPlugin()]);
    const families = await scrape(gw);
    const expected: Record<string, string> = {
      cyberstudio_plugin_state: 'gauge',
      cyberstudio_plugin_restarts_total: 'counter',
      cyberstudio_plugin_cpu_percent: 'gauge',
      cyberstudio_plugin_resident_memory_bytes: 'gauge',
      cyberstudio_plugin_calls_total: 'counter',
      cyberstudio_plugin_call_errors_total: 'counter',
      cyberstudio_plugin_calls_in_flight: 'gauge',
      cyberstudio_plugin_calls_queued: 'gauge',
      cyberstudio_capability_duration_seconds: 'histogram',
      cyberstudio_gateway_requests_total: 'counter',
      cyberstudio_gateway_request_duration_seconds: 'histogram',
      cyberstudio_gateway_websockets_open: 'gauge',
      cyberstudio_kernel_process_cpu_seconds_total: 'counter',
      cyberstudio_kernel_process_resident_memory_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) expect(families.get(name)?.type, name).toBe(type);
  });

  it('prefixes the default process metrics and leaves no unprefixed family', async () => {
    const gw = await open([echoPlugin()]);
    const names = [...(await scrape(gw)).keys()];
    expect(names.some((name) => name.startsWith('cyberstudio_kernel_nodejs_'))).toBe(true);
    expect(names.filter((name) => !name.startsWith('cyberstudio_'))).toEqual([]);
  });

  it("sets 1 for each plugin's current state and 0 for every other state", async () => {
    const gw = await open([echoPlugin(), authStubPlugin({ activation: 'lazy' })]);
    const samples = (await scrape(gw)).get('cyberstudio_plugin_state')!.samples;
    const current = samples.filter((sample) => sample.value === 1).map((sample) => `${sample.labels.plugin}=${sample.labels.state}`);
    expect(current.sort()).toEqual(['auth-stub=stopped', 'echo=running']);
    expect(samples.filter((sample) => sample.labels.plugin === 'echo')).toHaveLength(8);
    await gw.kernel.supervisor('echo').stop();
    expect(sampleValue(await scrape(gw), 'cyberstudio_plugin_state', 'cyberstudio_plugin_state', { plugin: 'echo', state: 'stopped' })).toBe(1);
  });

  it('counts calls, errors and per-capability latency after real calls', async () => {
    const gw = await open([echoPlugin()]);
    for (let index = 0; index < 3; index++) await rpc(gw, 'echo.echo', { index });
    await rpc(gw, 'echo.fail', { code: 1234, message: 'on purpose' });
    const families = await scrape(gw);
    expect(sampleValue(families, 'cyberstudio_plugin_calls_total', 'cyberstudio_plugin_calls_total', { plugin: 'echo' })).toBe(4);
    expect(sampleValue(families, 'cyberstudio_plugin_call_errors_total', 'cyberstudio_plugin_call_errors_total', { plugin: 'echo' })).toBe(1);
    const latency = 'cyberstudio_capability_duration_seconds';
    expect(sampleValue(families, latency, `${latency}_count`, { plugin: 'echo', capability: 'echo.echo' })).toBe(3);
    expect(sampleValue(families, latency, `${latency}_count`, { plugin: 'echo', capability: 'echo.fail' })).toBe(1);
    expect(sampleValue(families, latency, `${latency}_bucket`, { plugin: 'echo', capability: 'echo.echo', le: '+Inf' })).toBe(3);
    expect(sampleValue(families, latency, `${latency}_sum`, { plugin: 'echo', capability: 'echo.echo' })).toBeGreaterThan(0);
  });

  it('shows calls in flight while they run', async () => {
    const gw = await open([echoPlugin()]);
    const controller = new AbortController();
    const slow = gw.kernel.call('echo.slow', { ms: 60_000 }, { signal: controller.signal }).catch(() => undefined);
    while (gw.kernel.bus.load('echo').active === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sampleValue(await scrape(gw), 'cyberstudio_plugin_calls_in_flight', 'cyberstudio_plugin_calls_in_flight', { plugin: 'echo' })).toBe(1);
    controller.abort();
    await slow;
    expect(sampleValue(await scrape(gw), 'cyberstudio_plugin_calls_in_flight', 'cyberstudio_plugin_calls_in_flight', { plugin: 'echo' })).toBe(0);
  });

  it('reports the memory of the plugin process from the latest telemetry sample', async () => {
    const gw = await open([echoPlugin()], { telemetryIntervalMs: 3_600_000 });
    expect((await scrape(gw)).get('cyberstudio_plugin_resident_memory_bytes')!.samples).toEqual([]);
    await gw.kernel.telemetry.sample();
    expect(sampleValue(await scrape(gw), 'cyberstudio_plugin_resident_memory_bytes', 'cyberstudio_plugin_resident_memory_bytes', { plugin: 'echo' })).toBeGreaterThan(1_000_000);
  });

  it('counts automatic restarts', async () => {
    const gw = await open([echoPlugin({ restart: { policy: 'always', backoff: { initialMs: 10, maxMs: 10, jitter: 0 } } })]);
    process.kill(gw.kernel.supervisor('echo').process!.pid!, 'SIGKILL');
    while (gw.kernel.supervisor('echo').restarts === 0 || gw.kernel.supervisor('echo').state !== 'running') await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sampleValue(await scrape(gw), 'cyberstudio_plugin_restarts_total', 'cyberstudio_plugin_restarts_total', { plugin: 'echo' })).toBe(1);
  });

  it('counts gateway requests by matched route, not raw path', async () => {
    const gw = await open([echoPlugin()]);
    await fetch(`${gw.url}/api/plugins/echo/status`);
    await fetch(`${gw.url}/api/plugins/nope/status`);
    const families = await scrape(gw);
    const requests = 'cyberstudio_gateway_requests_total';
    expect(sampleValue(families, requests, requests, { method: 'GET', route: '/api/plugins/:id/status', status: '200' })).toBe(1);
    expect(sampleValue(families, requests, requests, { method: 'GET', route: '/api/plugins/:id/status', status: '404' })).toBe(1);
  });

  it('counts every request exactly at a scrape, however many came before it (they are recorded in batches)', async () => {
    const gw = await open([echoPlugin()]);
    const rpc = () =>
      fetch(`${gw.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo.echo', params: { n: 1 } }) });
    // More than one batch (512), and not a whole number of them.
    for (let round = 0; round < 13; round++) await Promise.all(Array.from({ length: 50 }, rpc));
    const families = await scrape(gw);
    const requests = 'cyberstudio_gateway_requests_total';
    const duration = 'cyberstudio_gateway_request_duration_seconds';
    expect(sampleValue(families, requests, requests, { method: 'POST', route: '/rpc', status: '200' })).toBe(650);
    expect(sampleValue(families, duration, `${duration}_count`, { method: 'POST', route: '/rpc' })).toBe(650);
    expect(sampleValue(families, duration, `${duration}_bucket`, { method: 'POST', route: '/rpc', le: '+Inf' })).toBe(650);
  });

  it("keeps its metrics out of prom-client's global registry", async () => {
    const gw = await open([echoPlugin()]);
    await scrape(gw);
    expect((await globalRegistry.metrics()).includes('cyberstudio_')).toBe(false);
  });
});

describe('public endpoints', () => {
  it('serve /health, /metrics and /api/openapi.json without a credential when auth is on', async () => {
    const gw = await open([authStubPlugin(), echoPlugin()], { gateway: authStubGateway() });
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${gw.url}/api/openapi.json`)).status).toBe(200);
    expect((await fetch(`${gw.url}/api/status`)).status).toBe(401);
  });
});
