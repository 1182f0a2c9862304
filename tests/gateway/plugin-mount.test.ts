import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { webPlugin } from './support/web-fixture.ts';

const open = gatewayPerTest();

/** What the web fixture's HTTP server answers: what it received. */
interface Seen {
  plugin: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** 'web' mounted at /web and 'studio' (the same fixture) at the root. */
const mounted = (web: Record<string, unknown> = {}, gateway: Record<string, unknown> = {}) =>
  open([webPlugin({ http: { mount: '/web' }, ...web }), webPlugin({ name: 'studio', http: { mount: '/' } })], { gateway });

/** The HTTP status an upgrade to `url` is refused with; rejects when it is accepted. */
const refusedStatus = (url: string) =>
  new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.on('error', () => {});
    socket.on('open', () => {
      socket.terminate();
      reject(new Error(`the upgrade to ${url} was accepted`));
    });
  });

/** Resolves with the next message of `socket` as text. */
const nextMessage = async (socket: WebSocket) => String((await once(socket, 'message'))[0]);

describe('plugin mounts over HTTP', () => {
  it('proxies a request under the prefix with the prefix stripped', async () => {
    const { url } = await mounted();
    const response = await fetch(`${url}/web/assets/app.js?v=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ plugin: 'web', method: 'GET', url: '/assets/app.js?v=1' });
  });

  it('sends a request to exactly the prefix to the plugin root', async () => {
    const { url } = await mounted();
    expect(await (await fetch(`${url}/web?tab=1`)).json()).toMatchObject({ plugin: 'web', url: '/?tab=1' });
  });

  it('tells the plugin the client address, host, scheme and prefix in x-forwarded headers', async () => {
    const { url } = await mounted();
    const seen = (await (await fetch(`${url}/web/page`, { headers: { 'x-forwarded-for': '6.6.6.6' } })).json()) as Seen;
    expect(seen.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': new URL(url).host,
      'x-forwarded-proto': 'http',
      'x-forwarded-prefix': '/web',
    });
  });

  it('serves what no route or longer mount matched from the root mount, without a prefix header', async () => {
    const { url } = await mounted();
    const seen = (await (await fetch(`${url}/webby/page`)).json()) as Seen;
    expect(seen).toMatchObject({ plugin: 'studio', url: '/webby/page' });
    expect(seen.headers).not.toHaveProperty('x-forwarded-prefix');
  });

  it("never sends the gateway's own paths to the root mount", async () => {
    const { url } = await mounted();
    const response = await fetch(`${url}/api/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('studio');
  });

  it('streams a request body to the plugin', async () => {
    const { url } = await mounted();
    const response = await fetch(`${url}/web/upload`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(200_000) });
    const seen = (await response.json()) as Seen;
    expect(seen).toMatchObject({ method: 'POST', url: '/upload' });
    expect(seen.body).toHaveLength(200_000);
  });

  it("passes the plugin's status and headers through", async () => {
    const { url } = await mounted();
    const response = await fetch(`${url}/web/status/418`);
    expect(response.status).toBe(418);
    expect(response.headers.get('x-fixture')).toBe('web');
  });

  it('needs no credential even when gateway.auth is configured', async () => {
    const { url } = await mounted({}, { auth: { capability: 'web.respond' } });
    expect((await fetch(`${url}/web/`)).status).toBe(200);
  });

  it('starts a mounted plugin that is not running on its first request', async () => {
    const test = await mounted({ activation: 'lazy' });
    expect(test.kernel.supervisor('web').state).toBe('stopped');
    expect(await (await fetch(`${test.url}/web/`)).json()).toMatchObject({ plugin: 'web' });
    expect(test.kernel.supervisor('web').state).toBe('running');
  });

  it('answers 503 with the error body when the mounted plugin cannot run', async () => {
    const { url } = await mounted({ enabled: false, activation: 'lazy' });
    const response = await fetch(`${url}/web/`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: -32002, name: 'PluginNotRunning', data: { plugin: 'web' } } });
  });

  it('answers 502 naming the problem when the plugin reports no HTTP port', async () => {
    const { url } = await open([echoPlugin({ http: { mount: '/echo' } })]);
    const response = await fetch(`${url}/echo/`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining('reported no HTTP port'), data: { plugin: 'echo', reason: 'no http port' } } });
  });

  it('answers 502 when nothing listens on the port the plugin reported', async () => {
    const { url } = await mounted({ env: { FIXTURE_CLOSE_HTTP: 'true' } });
    const response = await fetch(`${url}/web/`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { data: { plugin: 'web', reason: 'ECONNREFUSED' } } });
  });
});

describe('plugin mounts over WebSocket', () => {
  it('proxies an upgrade under the prefix and pipes messages both ways', async () => {
    const { wsUrl } = await mounted();
    const socket = new WebSocket(`${wsUrl}/web/socket?room=1`);
    const hello = JSON.parse(await nextMessage(socket)) as Seen;
    expect(hello).toMatchObject({ plugin: 'web', url: '/socket?room=1', headers: { 'x-forwarded-prefix': '/web', 'x-forwarded-for': '127.0.0.1' } });
    socket.send('ping');
    expect(await nextMessage(socket)).toBe('ping');
    socket.close();
  });

  it('proxies an upgrade no longer mount matched to the root mount', async () => {
    const { wsUrl } = await mounted();
    const socket = new WebSocket(`${wsUrl}/live`);
    expect(JSON.parse(await nextMessage(socket))).toMatchObject({ plugin: 'studio', url: '/live' });
    socket.close();
  });

  it("refuses an upgrade on the gateway's own paths instead of proxying it", async () => {
    const { wsUrl } = await mounted();
    expect(await refusedStatus(`${wsUrl}/ws/no-such-stream`)).toBe(404);
  });

  it('refuses an upgrade with 503 when the mounted plugin cannot run', async () => {
    const { wsUrl } = await mounted({ enabled: false, activation: 'lazy' });
    expect(await refusedStatus(`${wsUrl}/web/socket`)).toBe(503);
  });

  it('closes proxied WebSockets when the gateway closes', async () => {
    const { wsUrl, gateway } = await mounted();
    const socket = new WebSocket(`${wsUrl}/web/socket`);
    await nextMessage(socket);
    const closed = once(socket, 'close');
    await gateway.close();
    await closed;
  });
});
