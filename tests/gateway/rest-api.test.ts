import { describe, expect, it } from 'vitest';
import { ECHO_CAPABILITIES, echoPlugin } from '../integration/support/echo-fixture.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { gatewayPerTest } from './support/test-gateway.ts';

const open = gatewayPerTest();

async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  getJson(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('plugins', () => {
  it('lists every registered plugin with its state', async () => {
    const gw = await open([echoPlugin(), authStubPlugin({ activation: 'lazy' })]);
    const { status, body } = await getJson(`${gw.url}/api/plugins`);
    expect(status).toBe(200);
    expect(body.map((plugin: { name: string; state: string }) => [plugin.name, plugin.state])).toEqual([['echo', 'running'], ['auth-stub', 'stopped']]);
  });

  it('answers one plugin with its manifest, handshake and recent logs', async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await getJson(`${gw.url}/api/plugins/echo`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'echo', state: 'running', manifest: { name: 'echo', activation: 'startup' }, handshake: { name: 'echo' } });
    expect(Array.isArray(body.recentLogs)).toBe(true);
  });

  it('answers 404 with the error body for an unknown plugin id', async () => {
    const gw = await open([echoPlugin()]);
    for (const path of ['', '/status', '/logs', '/telemetry', '/capabilities']) {
      const { status, body } = await getJson(`${gw.url}/api/plugins/nope${path}`);
      expect(status, path).toBe(404);
      expect(body, path).toEqual({ error: { code: -32014, name: 'PluginNotFound', message: "No plugin named 'nope' is registered", data: { plugin: 'nope' } } });
    }
    expect((await postJson(`${gw.url}/api/plugins/nope/restart`, {})).status).toBe(404);
    expect((await postJson(`${gw.url}/api/plugins/nope/config`, {})).status).toBe(404);
  });

  it('stops, starts and restarts a plugin', async () => {
    const gw = await open([echoPlugin()]);
    const pid = gw.kernel.supervisor('echo').process!.pid;
    const stopped = await postJson(`${gw.url}/api/plugins/echo/stop`, undefined);
    expect([stopped.status, stopped.body.state, gw.kernel.supervisor('echo').state]).toEqual([200, 'stopped', 'stopped']);
    const started = await getJson(`${gw.url}/api/plugins/echo/start`, { method: 'POST' });
    expect([started.status, started.body.state]).toEqual([200, 'running']);
    const restarted = await getJson(`${gw.url}/api/plugins/echo/restart`, { method: 'POST' });
    expect(restarted.status).toBe(200);
    expect(restarted.body.state).toBe('running');
    expect(restarted.body.pid).not.toBe(pid);
    expect(restarted.body.pid).toBe(gw.kernel.supervisor('echo').process!.pid);
  });

  it('answers 503 PluginNotRunning when a plugin cannot start', async () => {
    const gw = await open([echoPlugin(), { name: 'broken', entrypoint: '/nonexistent/main.mjs', activation: 'lazy', capabilities: ['broken.x'] }]);
    const { status, body } = await postJson(`${gw.url}/api/plugins/broken/start`, undefined);
    expect(status).toBe(503);
    expect(body.error).toMatchObject({ code: -32002, name: 'PluginNotRunning', data: { plugin: 'broken' } });
  });

  it('answers a compact status: state, pid, restarts, uptime, last error and load', async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await getJson(`${gw.url}/api/plugins/echo/status`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['lastError', 'load', 'name', 'pid', 'restarts', 'state', 'uptimeMs']);
    expect(body).toMatchObject({ name: 'echo', state: 'running', pid: gw.kernel.supervisor('echo').process!.pid, restarts: 0, lastError: null, load: { active: 0, queued: 0 } });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
    await gw.kernel.supervisor('echo').stop();
    expect((await getJson(`${gw.url}/api/plugins/echo/status`)).body).toMatchObject({ state: 'stopped', pid: null, uptimeMs: null });
  });
});

describe('logs and telemetry', () => {
  it('filters logs by level and text', async () => {
    const gw = await open([echoPlugin()]);
    await gw.kernel.call('echo.log', { level: 'info', msg: 'routine note' });
    await gw.kernel.call('echo.log', { level: 'error', msg: 'boiler on fire' });
    await gw.kernel.call('echo.log', { level: 'warn', msg: 'boiler warm' });
    const { status, body } = await getJson(`${gw.url}/api/plugins/echo/logs?level=WARN&q=boiler`);
    expect(status).toBe(200);
    expect(body.map((record: { level: string; msg: string }) => [record.level, record.msg])).toEqual([['error', 'boiler on fire'], ['warn', 'boiler warm']]);
    const numeric = await getJson(`${gw.url}/api/plugins/echo/logs?level=50&q=boiler&limit=5`);
    expect(numeric.body.map((record: { msg: string }) => record.msg)).toEqual(['boiler on fire']);
  });

  it('takes since and until as epoch milliseconds or ISO dates', async () => {
    const gw = await open([echoPlugin()]);
    await gw.kernel.call('echo.log', { level: 'info', msg: 'timed entry' });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = Date.now() - 3_600_000;
    expect((await getJson(`${gw.url}/api/plugins/echo/logs?q=timed&since=${encodeURIComponent(future)}`)).body).toEqual([]);
    expect((await getJson(`${gw.url}/api/plugins/echo/logs?q=timed&since=${past}`)).body).toHaveLength(1);
    expect((await getJson(`${gw.url}/api/plugins/echo/logs?q=timed&until=${past}`)).body).toEqual([]);
    expect((await getJson(`${gw.url}/api/plugins/echo/logs?q=timed&until=${encodeURIComponent(future)}`)).body).toHaveLength(1);
  });

  it('answers 400 naming each bad or unknown log query parameter', async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await getJson(`${gw.url}/api/plugins/echo/logs?level=loud&since=yesterday&limit=ten&colour=red`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: -32007, name: 'CapabilityInvalidParams', data: { capability: 'kernel.plugins.logs' } });
    expect(body.error.data.errors.map((error: { instancePath: string }) => error.instancePath)).toEqual(['/level', '/since', '/limit', '/colour']);
    const repeated = await getJson(`${gw.url}/api/plugins/echo/logs?q=a&q=b`);
    expect([repeated.status, repeated.body.error.data.errors[0].message]).toEqual([400, 'must be given once']);
    const outOfRange = await getJson(`${gw.url}/api/plugins/echo/logs?limit=0`);
    expect([outOfRange.status, outOfRange.body.error.data.errors[0].instancePath]).toEqual([400, '/limit']);
  });

  it('answers recent telemetry samples, limited by ?limit', async () => {
    const gw = await open([echoPlugin()], { telemetryIntervalMs: 3_600_000 });
    for (let round = 0; round < 3; round++) await gw.kernel.telemetry.sample();
    const { status, body } = await getJson(`${gw.url}/api/plugins/echo/telemetry?limit=2`);
    expect(status).toBe(200);
    expect(body).toHaveLength(2);
    expect(body[1]).toMatchObject({ plugin: 'echo', state: 'running', pid: gw.kernel.supervisor('echo').process!.pid });
    expect((await getJson(`${gw.url}/api/plugins/echo/telemetry`)).body).toHaveLength(3);
    expect((await getJson(`${gw.url}/api/plugins/echo/telemetry?limit=two`)).status).toBe(400);
  });
});

describe('config', () => {
  it('sets a valid config, restarts the running plugin, and the plugin sees it', async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await postJson(`${gw.url}/api/plugins/echo/config`, { greeting: 'hej', level: 2 });
    expect(status).toBe(200);
    expect(body).toEqual({ plugin: 'echo', applied: 'restart', restarted: true, state: 'running' });
    expect(await gw.kernel.call('echo.config')).toMatchObject({ config: { greeting: 'hej', level: 2 } });
  });

  it('does not restart a plugin that is not running', async () => {
    const gw = await open([echoPlugin({ activation: 'lazy' })]);
    const { status, body } = await postJson(`${gw.url}/api/plugins/echo/config`, { greeting: 'later' });
    expect([status, body]).toEqual([200, { plugin: 'echo', applied: 'next-start', restarted: false, state: 'stopped' }]);
  });

  it('answers 400 with the schema errors for an invalid config and keeps the old one', async () => {
    const gw = await open([echoPlugin({ config: { greeting: 'old' } })]);
    const pid = gw.kernel.supervisor('echo').process!.pid;
    const { status, body } = await postJson(`${gw.url}/api/plugins/echo/config`, { level: -1, colour: 'red' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: -32007, name: 'CapabilityInvalidParams', data: { capability: 'kernel.plugins.setConfig' } });
    expect(body.error.data.errors.map((error: { keyword: string }) => error.keyword).sort()).toEqual(['additionalProperties', 'minimum']);
    expect(gw.kernel.supervisor('echo').process!.pid).toBe(pid);
    expect(await gw.kernel.call('echo.config')).toMatchObject({ config: { greeting: 'old' } });
  });

  it('refuses a body that is not a JSON object', async () => {
    const gw = await open([echoPlugin()]);
    expect((await postJson(`${gw.url}/api/plugins/echo/config`, [1, 2])).status).toBe(400);
    expect((await getJson(`${gw.url}/api/plugins/echo/config`, { method: 'POST' })).status).toBe(400);
    const notJson = await getJson(`${gw.url}/api/plugins/echo/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{greeting' });
    expect([notJson.status, notJson.body.error.code]).toEqual([400, -32700]);
    const text = await getJson(`${gw.url}/api/plugins/echo/config`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'greeting=hi' });
    expect(text.status).toBe(415);
  });
});

describe('capabilities and status', () => {
  it("answers a plugin's capabilities with their schemas", async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await getJson(`${gw.url}/api/plugins/echo/capabilities`);
    expect(status).toBe(200);
    expect(body.map((entry: { name: string }) => entry.name).sort()).toEqual([...ECHO_CAPABILITIES].sort());
    expect(body.find((entry: { name: string }) => entry.name === 'echo.slow')).toMatchObject({ plugin: 'echo', stream: false, params: { required: ['ms'] } });
  });

  it("answers every capability, the kernel's included", async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await getJson(`${gw.url}/api/capabilities`);
    expect(status).toBe(200);
    const providers = Object.fromEntries(body.map((entry: { name: string; plugin: string }) => [entry.name, entry.plugin]));
    expect(providers).toMatchObject({ 'kernel.status': 'kernel', 'kernel.plugins.setConfig': 'kernel', 'echo.echo': 'echo' });
  });

  it('answers the kernel status', async () => {
    const gw = await open([echoPlugin()]);
    const { status, body } = await getJson(`${gw.url}/api/status`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'cyberstudio', pid: process.pid, plugins: { running: 1 } });
  });
});

describe('access', () => {
  const openWithAuth = () => open([authStubPlugin(), echoPlugin()], { gateway: authStubGateway(['kernel.status', 'kernel.plugins.list', 'kernel.plugins.get']) });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('answers 401 to a management route without a credential', async () => {
    const gw = await openWithAuth();
    const { status, body, headers } = await getJson(`${gw.url}/api/plugins`);
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: -32012, name: 'Unauthenticated' });
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 401 to an unknown key', async () => {
    const gw = await openWithAuth();
    expect((await getJson(`${gw.url}/api/status`, { headers: as('stolen-key') })).status).toBe(401);
  });

  it('answers 403 when no rule lets the role call the route, and leaves the plugin alone', async () => {
    const gw = await openWithAuth();
    const { status, body } = await postJson(`${gw.url}/api/plugins/echo/stop`, undefined, as('viewer-key'));
    expect(status).toBe(403);
    expect(body.error).toMatchObject({ code: -32008, name: 'Forbidden', data: { capability: 'kernel.plugins.stop' } });
    expect(gw.kernel.supervisor('echo').state).toBe('running');
  });

  it('answers 403 rather than 404 for an unknown plugin the role may not manage', async () => {
    const gw = await openWithAuth();
    expect((await getJson(`${gw.url}/api/plugins/nope/logs`, { headers: as('viewer-key') })).status).toBe(403);
    expect((await getJson(`${gw.url}/api/plugins/nope`, { headers: as('viewer-key') })).status).toBe(404);
  });

  it('lets each role do what its rules allow', async () => {
    const gw = await openWithAuth();
    expect((await getJson(`${gw.url}/api/plugins`, { headers: as('viewer-key') })).status).toBe(200);
    expect((await getJson(`${gw.url}/api/plugins/echo/status`, { headers: as('viewer-key') })).status).toBe(200);
    const stopped = await postJson(`${gw.url}/api/plugins/echo/stop`, undefined, as('admin-key'));
    expect([stopped.status, gw.kernel.supervisor('echo').state]).toEqual([200, 'stopped']);
  });
});
