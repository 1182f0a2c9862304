import { describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { rawRequest } from './support/raw-request.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { WsTestClient, refusedUpgrade } from './support/ws-test-client.ts';
import { webPlugin } from './support/web-fixture.ts';

const open = gatewayPerTest();

/** A gateway with auth (the auth stub), echo, and the web fixture mounted at the root as a studio would be. */
const withAuth = (gateway: Record<string, unknown> = {}) =>
  open([echoPlugin(), authStubPlugin(), webPlugin({ name: 'studio', http: { mount: '/' } })], { gateway: { ...authStubGateway(), ...gateway } });

const portOf = (url: string) => new URL(url).port;

describe('Host check with auth on', () => {
  it('refuses a rebinding name with 421 and a JSON error on /metrics, the studio and /rpc', async () => {
    const { url } = await withAuth();
    const host = `evil.example:${portOf(url)}`;

    const metrics = await rawRequest(`${url}/metrics`, { headers: { host } });
    const studio = await rawRequest(`${url}/`, { headers: { host } });
    const login = await rawRequest(`${url}/rpc`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'authstub.authenticate', params: { credential: { kind: 'bearer', value: 'guess' } } }),
    });

    expect(metrics.status).toBe(421);
    expect(metrics.json).toMatchObject({ error: { code: -32008, data: { reason: 'host', host } } });
    expect(metrics.json.error.message).toContain('gateway.allowedHosts');
    expect(studio.status).toBe(421);
    expect(studio.json.error.data.reason).toBe('host');
    expect(login.status).toBe(421);
    expect(login.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { data: { reason: 'host' } } });
  });

  it('refuses a WebSocket upgrade addressed to a rebinding name', async () => {
    const { url, wsUrl } = await withAuth();

    const answer = await refusedUpgrade(`${wsUrl}/ws`, { host: `evil.example:${portOf(url)}` });

    expect(answer.status).toBe(421);
  });

  it('serves loopback names, the bind address and names in gateway.allowedHosts', async () => {
    const { url, wsUrl } = await withAuth({ allowedHosts: ['studio.example.org', '[fd00::1]'] });
    const port = portOf(url);

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `studio.example.org:${port}`, `STUDIO.example.org`, `[fd00::1]:${port}`]) {
      const answer = await rawRequest(`${url}/api/status`, { headers: { host, authorization: 'Bearer admin-key' } });
      expect(answer.status, host).toBe(200);
    }
    const socket = await WsTestClient.open(`${wsUrl}/ws`, { headers: { host: `studio.example.org:${port}` } });
    await socket.close();
  });
});

describe('Host check without auth', () => {
  it('serves only loopback names, whatever gateway.allowedHosts lists', async () => {
    const { url } = await open([echoPlugin()], { gateway: { allowedHosts: ['studio.example.org'] } });

    const listed = await rawRequest(`${url}/api/status`, { headers: { host: `studio.example.org:${portOf(url)}` } });
    const loopback = await rawRequest(`${url}/api/status`, { headers: { host: `localhost:${portOf(url)}` } });

    expect(listed.status).toBe(421);
    expect(listed.json.error.message).toContain('without gateway.auth');
    expect(loopback.status).toBe(200);
  });
});
