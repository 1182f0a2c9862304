import { describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { gatewayPerTest } from './support/test-gateway.ts';

const open = gatewayPerTest();

async function rpc(url: string, method: string, headers: Record<string, string> = {}, params: object = {}) {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const plugins = () => [authStubPlugin(), echoPlugin()];

describe('/rpc with an auth provider', () => {
  it('answers 401 with WWW-Authenticate when the request has no credential', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway() });

    const { status, headers, json } = await rpc(url, 'kernel.status');

    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(json).toMatchObject({ id: 1, error: { code: -32012 } });
  });

  it('answers 401 for a key the provider rejects and for a malformed Authorization header', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway() });

    const unknown = await rpc(url, 'kernel.status', bearer('stolen-key'));
    const malformed = await rpc(url, 'kernel.status', { authorization: 'Basic dXNlcjpwYXNz' });

    expect(unknown.status).toBe(401);
    expect(unknown.json.error.code).toBe(-32012);
    expect(malformed.status).toBe(401);
    expect(malformed.json.error.message).toContain('Bearer');
  });

  it('answers 403 when the user is signed in but no rule for the role allows the capability', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway(['kernel.status']) });

    const allowed = await rpc(url, 'kernel.status', bearer('viewer-key'));
    const denied = await rpc(url, 'kernel.plugins.stop', bearer('viewer-key'), { plugin: 'echo' });

    expect(allowed.status).toBe(200);
    expect(allowed.json.result.name).toBe('cyberstudio');
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: -32008, data: { capability: 'kernel.plugins.stop' } });
  });

  it('passes the authenticated user to the provider as _meta.caller', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway(['echo.whoami']) });

    const { json } = await rpc(url, 'echo.whoami', bearer('viewer-key'));

    expect(json.result.caller).toEqual({ kind: 'user', id: 'u2', roles: ['viewer'], name: 'viewer user' });
  });

  it('accepts the session cookie when there is no Authorization header', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway(['echo.whoami']) });

    const { status, json } = await rpc(url, 'echo.whoami', { cookie: 'theme=dark; cyberstudio_session=viewer-key' });

    expect(status).toBe(200);
    expect(json.result.caller.id).toBe('u2');
  });

  it('answers 429 with Retry-After and x-ratelimit headers when a provider reports a rate limit', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway(['authstub.quota']) });

    const { status, headers, json } = await rpc(url, 'authstub.quota', bearer('viewer-key'));

    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('7');
    expect(headers.get('x-ratelimit-limit')).toBe('60');
    expect(headers.get('x-ratelimit-remaining')).toBe('0');
    expect(headers.get('x-ratelimit-reset')).toBe('7');
    expect(json.error).toMatchObject({ code: 1002, data: { retryAfterSeconds: 6.2 } });
  });

  it('answers 429 when the identity provider itself rate-limits the key', async () => {
    const { url } = await open(plugins(), { gateway: authStubGateway() });

    const { status, headers } = await rpc(url, 'kernel.status', bearer('busy-key'));

    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('7');
  });

  it('lets anonymous callers reach only what a rule for the anonymous role allows', async () => {
    const gateway = authStubGateway();
    gateway.access = [...(gateway.access as object[]), { roles: ['anonymous'], call: ['echo.echo'] }];
    const { url } = await open(plugins(), { gateway });

    const open_ = await rpc(url, 'echo.echo', {}, { hi: 1 });
    const closed = await rpc(url, 'echo.whoami');

    expect(open_.json.result).toEqual({ hi: 1 });
    expect(closed.status).toBe(401);
  });
});
