import { describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { revocableKeysGateway, revocableKeysPlugin } from './support/revocable-keys.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { WsTestClient, refusedUpgrade } from './support/ws-test-client.ts';

const open = gatewayPerTest();
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

describe('GET /ws identity', () => {
  it('refuses the upgrade with 401 and WWW-Authenticate when the key is rejected', async () => {
    const { wsUrl } = await open([authStubPlugin(), echoPlugin()], { gateway: authStubGateway() });

    const refused = await refusedUpgrade(`${wsUrl}/ws`, { authorization: 'Bearer wrong-key' });

    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="cyberstudio"');
  });

  it('refuses the upgrade with 503 when the identity provider fails for another reason', async () => {
    // echo.fail is no identity provider: it refuses the credential params with CapabilityInvalidParams.
    const { wsUrl } = await open([echoPlugin()], { gateway: { ...authStubGateway(), auth: { capability: 'echo.fail' } } });

    const refused = await refusedUpgrade(`${wsUrl}/ws`, { authorization: 'Bearer some-key' });

    expect(refused.status).toBe(503);
  });

  it('lets an anonymous client connect and answers its calls the policy refuses with Unauthenticated', async () => {
    const { wsUrl } = await open([authStubPlugin(), echoPlugin()], { gateway: authStubGateway() });
    const client = await WsTestClient.open(`${wsUrl}/ws`);

    const response = await client.request('echo.echo', {});

    expect(response.error?.code).toBe(-32012);
    await client.close();
  });

  it('calls as the user of the key, answering Forbidden for what the user may not call', async () => {
    const { wsUrl } = await open([authStubPlugin(), echoPlugin()], { gateway: authStubGateway(['echo.whoami']) });
    const client = await WsTestClient.open(`${wsUrl}/ws`, bearer('viewer-key'));

    const whoami = await client.request('echo.whoami', {});
    const forbidden = await client.request('echo.echo', {});

    expect(whoami.result).toMatchObject({ caller: { kind: 'user', id: 'u2', roles: ['viewer'] } });
    expect(forbidden.error?.code).toBe(-32008);
    await client.close();
  });

  it('answers calls on an open socket with Unauthenticated once its key is revoked', async () => {
    const { wsUrl, kernel } = await open([revocableKeysPlugin({ k1: { id: 'u1', roles: ['admin'] } }), echoPlugin()], { gateway: revocableKeysGateway() });
    const client = await WsTestClient.open(`${wsUrl}/ws`, bearer('k1'));
    expect((await client.request('echo.echo', { before: true })).result).toEqual({ before: true });

    await kernel.call('keys.revoke', { key: 'k1' });

    expect((await client.request('echo.echo', { after: true })).error?.code).toBe(-32012);
    await client.close();
  });

  it('closes an open socket with 1008 at the next heartbeat once its key is revoked', async () => {
    const { wsUrl, kernel } = await open([revocableKeysPlugin({ k1: { id: 'u1', roles: ['admin'] } })], { gateway: revocableKeysGateway(1) });
    const client = await WsTestClient.open(`${wsUrl}/ws`, bearer('k1'));

    await kernel.call('keys.revoke', { key: 'k1' });

    expect(await client.closed).toEqual({ code: 1008, reason: 'credential no longer valid' });
  });
});
