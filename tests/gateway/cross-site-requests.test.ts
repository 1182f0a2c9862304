import { describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { rawRequest } from './support/raw-request.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { WsTestClient, refusedUpgrade } from './support/ws-test-client.ts';
import { webPlugin } from './support/web-fixture.ts';

const open = gatewayPerTest();

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const rpcBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo.echo', params: { hi: 1 } });

/** Another port on the same loopback address: a different origin, though cookies would still be sent to the gateway. */
const otherPort = (url: string) => `http://127.0.0.1:${Number(new URL(url).port) === 1 ? 2 : 1}`;

describe('state-changing requests from another site', () => {
  it('refuses a cross-site form POST to a REST action with 403, and the plugin keeps running', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/api/plugins/echo/stop`, { method: 'POST', headers: { origin: 'http://evil.example', ...FORM }, body: 'a=1' });

    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ error: { code: -32008, name: 'Forbidden', data: { reason: 'cross-site', origin: 'http://evil.example' } } });
    expect(kernel.supervisor('echo').state).toBe('running');
  });

  it('refuses a bodiless POST to a REST action from a page on another port of 127.0.0.1', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/api/plugins/echo/stop`, { method: 'POST', headers: { origin: otherPort(url) } });

    expect(answer.status).toBe(403);
    expect(answer.json.error.message).toMatch(/gateway\.allowedOrigins/);
    expect(kernel.supervisor('echo').state).toBe('running');
  });

  it('refuses a POST the browser marks Sec-Fetch-Site: cross-site or same-site when it carries no Origin', async () => {
    const { url } = await open([echoPlugin()]);

    const crossSite = await rawRequest(`${url}/api/plugins/echo/restart`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    const sameSite = await rawRequest(`${url}/rpc`, { method: 'POST', headers: { 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, body: rpcBody });

    expect(crossSite.status).toBe(403);
    expect(crossSite.json.error.data).toEqual({ reason: 'cross-site', secFetchSite: 'cross-site' });
    expect(sameSite.status).toBe(403);
    expect(sameSite.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32008, data: { reason: 'cross-site' } } });
  });

  it('reads Sec-Fetch-Site in any letter case', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/api/plugins/echo/stop`, { method: 'POST', headers: { 'sec-fetch-site': 'Cross-Site' } });

    expect(answer.status).toBe(403);
    expect(kernel.supervisor('echo').state).toBe('running');
  });

  it('refuses a cross-origin /rpc call with an admin session cookie when auth is on', async () => {
    const { url } = await open([echoPlugin(), authStubPlugin()], { gateway: authStubGateway() });

    const answer = await rawRequest(`${url}/rpc`, {
      method: 'POST',
      headers: { origin: otherPort(url), cookie: 'cyberstudio_session=admin-key', 'content-type': 'application/json' },
      body: rpcBody,
    });

    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32008, data: { reason: 'cross-site' } } });
  });

  it('serves a POST from its own origin (the studio) and from an origin in gateway.allowedOrigins', async () => {
    const { url } = await open([echoPlugin()], { gateway: { allowedOrigins: ['http://tools.example:8080'] } });

    const own = await rawRequest(`${url}/rpc`, { method: 'POST', headers: { origin: url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: rpcBody });
    const listed = await rawRequest(`${url}/rpc`, { method: 'POST', headers: { origin: 'http://tools.example:8080', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: rpcBody });

    expect(own.status).toBe(200);
    expect(own.json.result).toEqual({ hi: 1 });
    expect(listed.status).toBe(200);
    expect(listed.json.result).toEqual({ hi: 1 });
  });

  it('refuses an Origin with the right host but another scheme', async () => {
    const { url } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/rpc`, { method: 'POST', headers: { origin: url.replace('http:', 'https:'), 'content-type': 'application/json' }, body: rpcBody });

    expect(answer.status).toBe(403);
  });

  it('refuses a cross-site POST to a mounted plugin, but passes its own forms through', async () => {
    const { url } = await open([webPlugin({ http: { mount: '/web' } })]);

    const crossSite = await rawRequest(`${url}/web/form`, { method: 'POST', headers: { origin: 'http://evil.example', ...FORM }, body: 'a=1' });
    const ownForm = await rawRequest(`${url}/web/form`, { method: 'POST', headers: { origin: url, ...FORM }, body: 'a=1' });

    expect(crossSite.status).toBe(403);
    expect(crossSite.json.error.data.reason).toBe('cross-site');
    expect(ownForm.status).toBe(200);
    expect(ownForm.json).toMatchObject({ plugin: 'web', method: 'POST', body: 'a=1' });
  });

  it('lets GET through from any site: reads change nothing', async () => {
    const { url } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/api/plugins/echo/status`, { headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } });

    expect(answer.status).toBe(200);
    expect(answer.json.state).toBe('running');
  });
});

describe('JSON endpoints and form content types', () => {
  it('answers 415 naming application/json for a form POST without Origin to a REST action, and does not act', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/api/plugins/echo/stop`, { method: 'POST', headers: FORM, body: 'a=1' });

    expect(answer.status).toBe(415);
    expect(answer.json.error).toMatchObject({ code: -32600, data: { reason: 'content-type', contentType: 'application/x-www-form-urlencoded', expected: 'application/json' } });
    expect(answer.json.error.message).toContain('application/json');
    expect(kernel.supervisor('echo').state).toBe('running');
  });

  it('answers 415 for a form POST to the REST API in another letter case, which the router serves as the same route', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/API/plugins/echo/stop`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });

    expect(answer.status).toBe(415);
    expect(kernel.supervisor('echo').state).toBe('running');
  });

  it.each(['text/plain', 'multipart/form-data; boundary=x'])('answers 415 for %s on /rpc, even with an empty body', async (type) => {
    const { url } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/rpc`, { method: 'POST', headers: { 'content-type': type, 'content-length': '0' } });

    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, data: { reason: 'content-type', expected: 'application/json' } } });
  });

  it('answers 415 for text/plain on a plugin route', async () => {
    const { url } = await open([webPlugin({ http: { routes: { 'POST /respond': 'web.respond' } } })]);

    const answer = await rawRequest(`${url}/respond`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"body":{"ok":true}}' });

    expect(answer.status).toBe(415);
    expect(answer.json.error.data.expected).toBe('application/json');
  });

  it('still serves a bodiless POST without Origin or Content-Type, as the CLI sends it', async () => {
    const { url, kernel } = await open([echoPlugin()]);

    const answer = await rawRequest(`${url}/api/plugins/echo/restart`, { method: 'POST' });

    expect(answer.status).toBe(200);
    expect(answer.json.name).toBe('echo');
    expect(kernel.supervisor('echo').state).toBe('running');
  });
});

describe('WebSocket origins', () => {
  it('refuses an upgrade from another port of 127.0.0.1 and from another scheme, and accepts its own origin', async () => {
    const { wsUrl, url } = await open([echoPlugin()]);

    const otherPortAnswer = await refusedUpgrade(`${wsUrl}/ws`, { origin: otherPort(url) });
    const otherScheme = await refusedUpgrade(`${wsUrl}/ws`, { origin: url.replace('http:', 'https:') });
    const own = await WsTestClient.open(`${wsUrl}/ws`, { headers: { origin: url } });

    expect(otherPortAnswer.status).toBe(403);
    expect(otherScheme.status).toBe(403);
    expect((await own.request('echo.echo', { hi: 1 })).result).toEqual({ hi: 1 });
    await own.close();
  });
});
