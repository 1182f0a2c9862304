import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { shippedPlugin } from '../integration/support/test-kernel.ts';
import { gatewayPerTest, type TestGateway } from './support/test-gateway.ts';
import { WsTestClient } from './support/ws-test-client.ts';

const open = gatewayPerTest();
const ADMIN_PASSWORD = 'system-admin-password-4d1b';

/** The real auth plugin, run by the kernel from its source, with its sign-in route. */
const authPlugin = {
  name: 'auth',
  entrypoint: shippedPlugin('auth'),
  activation: 'startup',
  env: { CYBERSTUDIO_ADMIN_PASSWORD: ADMIN_PASSWORD },
  http: { routes: { 'POST /auth/login': 'auth.http.login', 'POST /auth/logout': 'auth.http.logout' } },
};

/** As the repository's plugins.json: developers may read kernel.status, but not kernel.connections. */
const gateway = {
  auth: { capability: 'auth.authenticate' },
  access: [
    { roles: ['anonymous'], call: ['auth.http.login'], subscribe: [] },
    { roles: ['admin'], call: ['*'], subscribe: ['*'] },
    { roles: ['developer'], call: ['kernel.status', 'auth.*'], subscribe: [] },
  ],
};

async function rpc(url: string, method: string, headers: Record<string, string>, params: object = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return { status: response.status, json: await response.json() };
}

/** Signs in through POST /auth/login; answers the Cookie header that carries the session. */
async function signIn(url: string, username: string, password: string): Promise<Record<string, string>> {
  const response = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(response.status).toBe(200);
  return { cookie: /^[^;]+/.exec(response.headers.get('set-cookie') ?? '')![0] };
}

/** The kernel with auth behind the gateway, the admin's session and a developer with an API key. */
async function studio(): Promise<{ test: TestGateway; admin: Record<string, string>; developer: Record<string, string>; keyId: string; developerId: string }> {
  const test = await open([authPlugin], { gateway });
  await test.waitForState('auth', 'running');
  const admin = await signIn(test.url, 'admin', ADMIN_PASSWORD);
  const created = await rpc(test.url, 'auth.users.create', admin, { username: 'devi', role: 'developer', password: 'devi-password-1' });
  const key = await rpc(test.url, 'auth.keys.create', admin, { user: 'devi', name: 'laptop' });
  return { test, admin, developer: { authorization: `Bearer ${key.json.result.key}` }, keyId: key.json.result.id, developerId: created.json.result.id };
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 10 s`);
    await sleep(50);
  }
}

describe('kernel.status, kernel.connections and auth.sessions.list behind the gateway', () => {
  it("reports the kernel process's CPU and the open WebSockets per endpoint in kernel.status", async () => {
    const { test, admin, developer } = await studio();
    const rpcSocket = await WsTestClient.open(`${test.wsUrl}/ws`, { headers: admin });
    const stream = await WsTestClient.open(`${test.wsUrl}/ws/plugins/auth/status`, { headers: admin });

    const during = await rpc(test.url, 'kernel.status', developer);
    rpcSocket.socket.close();
    stream.socket.close();
    await until(async () => (await rpc(test.url, 'kernel.status', admin)).json.result.webSockets.open === 0, 'the closed sockets leaving kernel.status');

    expect(during.status).toBe(200);
    expect(during.json.result).toMatchObject({ pid: process.pid, webSockets: { open: 2, byEndpoint: { '/ws': 1, '/ws/plugins': 1 } } });
    expect(during.json.result.cpuPercent).toEqual(expect.any(Number));
    expect(during.json.result.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('lists each open WebSocket with the user, session or key it signed in with, and no credential, in kernel.connections', async () => {
    const { test, admin, developer, keyId, developerId } = await studio();
    const before = Date.now();
    const adminSocket = await WsTestClient.open(`${test.wsUrl}/ws`, { headers: admin });
    const developerSocket = await WsTestClient.open(`${test.wsUrl}/ws`, { headers: developer });
    const [session] = (await rpc(test.url, 'auth.sessions.list', admin, { user: 'admin' })).json.result;

    const answer = await rpc(test.url, 'kernel.connections', admin);

    expect(answer.json.result).toEqual([
      { endpoint: '/ws', userId: session.userId, name: 'admin', roles: ['admin'], sessionId: session.id, keyId: null, openedAt: expect.any(Number) },
      { endpoint: '/ws', userId: developerId, name: 'devi', roles: ['developer'], sessionId: null, keyId, openedAt: expect.any(Number) },
    ]);
    expect(answer.json.result[0].openedAt).toBeGreaterThanOrEqual(before);
    expect(JSON.stringify(answer.json.result)).not.toContain(admin.cookie!.split('=')[1]);
    adminSocket.socket.close();
    developerSocket.socket.close();
  });

  it('refuses kernel.connections to a developer (403)', async () => {
    const { test, developer } = await studio();

    const answer = await rpc(test.url, 'kernel.connections', developer);

    expect(answer.status).toBe(403);
    expect(answer.json.error).toMatchObject({ code: -32008 });
  });

  it("lists the signed-in admin's own session as current in auth.sessions.list, and refuses a developer", async () => {
    const { test, admin, developer } = await studio();
    await signIn(test.url, 'devi', 'devi-password-1');

    const sessions = await rpc(test.url, 'auth.sessions.list', admin);
    const refused = await rpc(test.url, 'auth.sessions.list', developer);

    expect(sessions.json.result.map((entry: any) => [entry.username, entry.role, entry.current])).toEqual([['devi', 'developer', false], ['admin', 'admin', true]]);
    expect(refused.status).toBe(403);
  });
});
