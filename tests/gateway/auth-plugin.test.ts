import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '@cyberstudio/database';
import { shippedPlugin } from '../integration/support/test-kernel.ts';
import { gatewayPerTest, type TestGateway } from './support/test-gateway.ts';

const open = gatewayPerTest();
const ADMIN_PASSWORD = 'e2e-admin-password-7f3a';

/** The real auth plugin, run by the kernel from its source, with its cookie routes. */
function authPlugin(config: Record<string, unknown> = {}): object {
  return {
    name: 'auth',
    entrypoint: shippedPlugin('auth'),
    activation: 'startup',
    env: { CYBERSTUDIO_ADMIN_PASSWORD: ADMIN_PASSWORD },
    config,
    http: { routes: { 'POST /auth/login': 'auth.http.login', 'POST /auth/logout': 'auth.http.logout' } },
    restart: { backoff: { initialMs: 100, maxMs: 1000, jitter: 0 } },
  };
}

/** Anonymous callers may only sign in; the auth plugin itself checks who may do what among its own capabilities. */
function authGateway(auth: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auth: { capability: 'auth.authenticate', ...auth },
    access: [
      { roles: ['anonymous'], call: ['auth.http.login'], subscribe: [] },
      { roles: ['admin'], call: ['*'], subscribe: ['*'] },
      { roles: ['developer', 'viewer'], call: ['kernel.status', 'auth.*'], subscribe: [] },
    ],
  };
}

/** Everything secret a test used; each one is looked for in the logs and the database at its end. */
class Secrets {
  readonly values = new Set<string>([ADMIN_PASSWORD]);
  add<T extends string>(value: T): T {
    this.values.add(value);
    return value;
  }
}

interface RpcAnswer {
  status: number;
  headers: Headers;
  json: any;
}

async function rpc(url: string, method: string, params: object = {}, headers: Record<string, string> = {}): Promise<RpcAnswer> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

/** POST /auth/login; `cookie` is the Cookie header value to send back (`cyberstudio_session=<token>`). */
async function login(url: string, username: string, password: string) {
  const response = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const setCookie = response.headers.get('set-cookie') ?? '';
  const token = /^cyberstudio_session=([^;]*)/.exec(setCookie)?.[1] ?? '';
  return { status: response.status, headers: response.headers, body: (await response.json()) as any, setCookie, token, cookie: { cookie: `cyberstudio_session=${token}` } };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Calls `probe` until it answers true; fails after `timeoutMs`. */
async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Signs in as the first admin and creates a user with `role` and a key for them; answers the user's key. */
async function userWithKey(url: string, secrets: Secrets, username: string, role: string): Promise<{ key: string; keyId: string; admin: Record<string, string> }> {
  const admin = await login(url, 'admin', ADMIN_PASSWORD);
  secrets.add(admin.token);
  const password = secrets.add(`${username}-password-91c2`);
  const created = await rpc(url, 'auth.users.create', { username, role, password }, admin.cookie);
  expect(created.status).toBe(200);
  const key = await rpc(url, 'auth.keys.create', { user: username, name: 'e2e' }, admin.cookie);
  expect(key.status).toBe(200);
  return { key: secrets.add(key.json.result.key), keyId: key.json.result.id, admin: admin.cookie };
}

/**
 * No secret in the kernel's log store, nor anywhere in the auth database files: the audit
 * table, and every other byte (passwords are scrypt hashes, keys and tokens SHA-256 digests).
 */
async function expectNoSecretsLeaked(test: TestGateway, secrets: Secrets): Promise<void> {
  const logs = JSON.stringify(await test.kernel.logs.query({ limit: 10_000 }));
  await test.kernel.supervisor('auth').stop();
  const dataDir = join(test.dir, 'data', 'plugins', 'auth');
  const database = await openDatabase<any>({ dialect: 'sqlite', file: join(dataDir, 'auth.sqlite') });
  const audit = JSON.stringify(await database.db.selectFrom('audit').selectAll().execute());
  await database.close();
  const files = await Promise.all((await readdir(dataDir)).filter((name) => name.startsWith('auth.sqlite')).map((name) => readFile(join(dataDir, name), 'latin1')));
  // Both places hold what the test did: the bootstrap log line and its audit entry at least.
  expect(logs).toContain('created the first admin');
  expect(audit).toContain('user.bootstrap');
  for (const secret of secrets.values) {
    expect(secret.length).toBeGreaterThan(0);
    expect(logs, 'kernel log store').not.toContain(secret);
    expect(audit, 'audit table').not.toContain(secret);
    for (const bytes of files) expect(bytes.includes(secret), 'auth database files').toBe(false);
  }
}

describe('the auth plugin behind the gateway', () => {
  it('creates a user and a key through /rpc as the admin, and the key authenticates as that user', async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();

    const { key } = await userWithKey(test.url, secrets, 'ada', 'developer');
    const keys = await rpc(test.url, 'auth.keys.list', {}, bearer(key));

    expect(keys.status).toBe(200);
    expect(keys.json.result).toEqual([expect.objectContaining({ name: 'e2e', prefix: key.slice(0, 12) })]);
    await expectNoSecretsLeaked(test, secrets);
  });

  it('answers 401 without a credential and with a bad key', async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();
    const forged = secrets.add(`cds_0badc0de_${'x'.repeat(43)}`);

    const none = await rpc(test.url, 'kernel.status');
    const bad = await rpc(test.url, 'kernel.status', {}, bearer(forged));

    expect(none.status).toBe(401);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(bad.json.error).toMatchObject({ code: -32012, data: { reason: 'unknown' } });
    await expectNoSecretsLeaked(test, secrets);
  });

  it('answers 403 when a viewer calls an admin capability', async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();
    const { key } = await userWithKey(test.url, secrets, 'val', 'viewer');

    const allowed = await rpc(test.url, 'kernel.status', {}, bearer(key));
    const denied = await rpc(test.url, 'auth.users.create', { username: 'mallory', role: 'admin' }, bearer(key));

    expect(allowed.status).toBe(200);
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: -32008, data: { capability: 'auth.users.create' } });
    await expectNoSecretsLeaked(test, secrets);
  });

  it('signs in with an HttpOnly session cookie that works on /rpc, keeping the token out of the body', async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();

    const session = await login(test.url, 'admin', ADMIN_PASSWORD);
    secrets.add(session.token);
    const users = await rpc(test.url, 'auth.users.list', {}, session.cookie);

    expect(session.status).toBe(200);
    expect(session.setCookie).toMatch(/^cyberstudio_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    expect(JSON.stringify(session.body)).not.toContain(session.token);
    expect(session.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(users.status).toBe(200);
    expect(users.json.result.map((user: any) => user.username)).toEqual(['admin']);
    await expectNoSecretsLeaked(test, secrets);
  });

  it('ends the session at logout: the cookie is cleared and stops working', async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();
    const session = await login(test.url, 'admin', ADMIN_PASSWORD);
    secrets.add(session.token);
    expect((await rpc(test.url, 'kernel.status', {}, session.cookie)).status).toBe(200);

    const response = await fetch(`${test.url}/auth/logout`, { method: 'POST', headers: session.cookie });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revoked: true });
    expect(response.headers.get('set-cookie')).toMatch(/^cyberstudio_session=; .*Max-Age=0/);
    // The gateway may serve its cached answer for up to cacheSeconds (5 s).
    await until(async () => (await rpc(test.url, 'kernel.status', {}, session.cookie)).status === 401, 7000, 'the logged-out session being refused');
    await expectNoSecretsLeaked(test, secrets);
  });

  it('stops accepting a revoked key within the 5 s the gateway may cache it', async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();
    const { key, keyId, admin } = await userWithKey(test.url, secrets, 'ada', 'developer');
    expect((await rpc(test.url, 'kernel.status', {}, bearer(key))).status).toBe(200);

    const revoked = await rpc(test.url, 'auth.keys.revoke', { id: keyId }, admin);

    expect(revoked.json.result.revokedAt).toEqual(expect.any(Number));
    await until(async () => (await rpc(test.url, 'kernel.status', {}, bearer(key))).status === 401, 6000, 'the revoked key being refused');
    await expectNoSecretsLeaked(test, secrets);
  });

  it("answers 429 with Retry-After and x-ratelimit headers at a key's rpm limit, and 402 past the balance", async () => {
    const test = await open([authPlugin()], { gateway: authGateway() });
    const secrets = new Secrets();
    const admin = await login(test.url, 'admin', ADMIN_PASSWORD);
    secrets.add(admin.token);
    const user = await rpc(test.url, 'auth.users.create', { username: 'bo', role: 'developer', balance: 100 }, admin.cookie);
    const created = await rpc(test.url, 'auth.keys.create', { user: 'bo', name: 'limited', rpm: 2 }, admin.cookie);
    const key = secrets.add(created.json.result.key as string);
    const reserve = (tokens: number) => rpc(test.url, 'auth.usage.reserve', { user: user.json.result.id, keyId: created.json.result.id, model: 'tiny', tokens }, bearer(key));

    const answers = [await reserve(10), await reserve(10), await reserve(10)];

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answers[2]!.headers.get('x-ratelimit-limit')).toBe('2');
    expect(answers[2]!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(answers[2]!.json.error).toMatchObject({ code: 1002, data: { scope: 'key' } });
    const unlimitedKey = await rpc(test.url, 'auth.keys.create', { user: 'bo', name: 'open' }, admin.cookie);
    const tooMuch = await rpc(test.url, 'auth.usage.reserve', { user: user.json.result.id, keyId: unlimitedKey.json.result.id, model: 'tiny', tokens: 1000 }, bearer(secrets.add(unlimitedKey.json.result.key as string)));
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.json.error).toMatchObject({ code: 1001, data: { requested: 1000 } });
    await expectNoSecretsLeaked(test, secrets);
  });

  it('locks the account after maxFailedLogins bad logins: 429 with Retry-After, even for the right password', async () => {
    const test = await open([authPlugin({ maxFailedLogins: 3, lockMinutes: 2 })], { gateway: authGateway() });
    const secrets = new Secrets();

    const first = await login(test.url, 'admin', secrets.add('wrong-password-one'));
    const second = await login(test.url, 'admin', secrets.add('wrong-password-two'));
    const third = await login(test.url, 'admin', secrets.add('wrong-password-three'));
    const right = await login(test.url, 'admin', ADMIN_PASSWORD);

    expect([first.status, second.status]).toEqual([401, 401]);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('120');
    expect(third.body.error).toMatchObject({ code: 1002, data: { scope: 'user' } });
    expect(right.status).toBe(429);
    expect(right.setCookie).toBe('');
    await expectNoSecretsLeaked(test, secrets);
  });

  it('loses no committed row when the plugin is killed with SIGKILL mid-write, and the kernel restarts it', async () => {
    // No cache: after the restart the key must be checked against the database again.
    const test = await open([authPlugin()], { gateway: authGateway({ cacheSeconds: 0 }) });
    const secrets = new Secrets();
    const { key } = await userWithKey(test.url, secrets, 'ada', 'admin');
    const victim = test.kernel.supervisor('auth').process!.pid!;
    const committed: string[] = [];
    let killed = false;
    const writer = async (lane: number) => {
      for (let i = 0; !killed || i < 3; i++) {
        const username = `w${lane}-${i}`;
        const answer = await rpc(test.url, 'auth.users.create', { username, role: 'viewer' }, bearer(key));
        // JSON-RPC over HTTP answers 200 with an error member for PluginExited: only a result means committed.
        if (answer.json.result !== undefined) committed.push(username);
        else if (killed) return;
      }
    };

    const writers = [0, 1, 2, 3].map(writer);
    await until(async () => committed.length >= 12, 15_000, 'a dozen committed writes');
    process.kill(victim, 'SIGKILL');
    killed = true;
    await Promise.all(writers);
    await until(async () => test.kernel.supervisor('auth').state === 'running' && test.kernel.supervisor('auth').process?.pid !== victim, 15_000, 'the restart');
    const users = await rpc(test.url, 'auth.users.list', {}, bearer(key));

    expect(users.status).toBe(200);
    const stored = new Set(users.json.result.map((user: any) => user.username));
    expect(committed.filter((username) => !stored.has(username))).toEqual([]);
    expect(test.kernel.supervisor('auth').restarts).toBeGreaterThanOrEqual(1);
    await expectNoSecretsLeaked(test, secrets);
  });
});
