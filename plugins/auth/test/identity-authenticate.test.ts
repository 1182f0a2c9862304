import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { identityPerTest, rejectionOf } from './support/identity-harness.ts';

const open = identityPerTest();

describe('auth.authenticate', () => {
  it('turns an API key into its owner with the key id and the key allowed capabilities as scopes', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada', 'developer');
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'ada', name: 'ci', allowedCapabilities: ['llm.*'] });

    const user = await auth.authenticate('bearer', issued.key);

    expect(user).toEqual({ id: ada.id, name: 'ada', roles: ['developer'], keyId: issued.id, scopes: ['llm.*'] });
  });

  it('turns a session token into its user with the session id, from the cookie or as a bearer', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada', 'viewer');
    const { token } = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });

    const fromCookie = await auth.authenticate('session', token);
    const fromBearer = await auth.authenticate('bearer', token);

    expect(fromCookie).toEqual({ id: ada.id, name: 'ada', roles: ['viewer'], sessionId: expect.stringMatching(/^s_/) });
    expect(fromBearer).toEqual(fromCookie);
  });

  it('refuses unknown, malformed, revoked, expired and disabled credentials with the reason in data', async () => {
    const auth = await open();
    await auth.createUser('ada');
    await auth.createUser('bob');
    const revoked = await auth.plugin.call<any>('auth.keys.create', { user: 'ada', name: 'old' });
    await auth.plugin.call('auth.keys.revoke', { id: revoked.id });
    const expiring = await auth.plugin.call<any>('auth.keys.create', { user: 'ada', name: 'soon', expiresInDays: 1 });
    const bobs = await auth.plugin.call<any>('auth.keys.create', { user: 'bob', name: 'bob' });
    await auth.plugin.call('auth.users.disable', { user: 'bob' });
    auth.advance(86_400_000);

    const reasons = await Promise.all([
      `cds_00000000_${'A'.repeat(43)}`, 'cds_not-a-key', revoked.key, expiring.key, bobs.key,
    ].map(async (key) => (await rejectionOf(auth.authenticate('bearer', key))).data));

    expect(reasons).toEqual([{ reason: 'unknown' }, { reason: 'malformed' }, { reason: 'revoked' }, { reason: 'expired' }, { reason: 'disabled' }]);
  });

  it('answers every refusal with the same Unauthenticated message', async () => {
    const auth = await open();

    const unknown = await rejectionOf(auth.authenticate('bearer', `cds_00000000_${'A'.repeat(43)}`));
    const malformed = await rejectionOf(auth.authenticate('session', 'x'));

    expect(unknown.code).toBe(ErrorCode.Unauthenticated);
    expect(malformed.code).toBe(ErrorCode.Unauthenticated);
    expect(unknown.message).toBe(malformed.message);
  });

  it('refuses callers other than the kernel: a credential oracle would let anyone test stolen keys', async () => {
    const auth = await open();
    const admin = await auth.admin();
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'admin', name: 'k' });

    const asUser = await rejectionOf(auth.plugin.call('auth.authenticate', { credential: { kind: 'bearer', value: issued.key } }, { caller: admin.caller }));
    const asPlugin = await rejectionOf(auth.plugin.call('auth.authenticate', { credential: { kind: 'bearer', value: issued.key } }, { caller: { kind: 'plugin', name: 'llm' } }));

    expect(asUser.code).toBe(ErrorCode.Forbidden);
    expect(asUser.data).toMatchObject({ capability: 'auth.authenticate' });
    expect(asPlugin.code).toBe(ErrorCode.Forbidden);
  });

  it('tells the gateway to cache no longer than the seconds left when a key expires within 5 s', async () => {
    const auth = await open();
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'admin', name: 'k', expiresAt: auth.state.now() + 10_000 });

    const early = await auth.authenticate('bearer', issued.key);
    auth.advance(7_500);
    const late = await auth.authenticate('bearer', issued.key);

    expect(early.ttlSeconds).toBeUndefined();
    expect(late.ttlSeconds).toBe(2.5);
  });

  it('notes when a key was last used, at most once a minute', async () => {
    const auth = await open();
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'admin', name: 'k' });
    const start = auth.state.now();
    const lastUsed = async () => (await auth.plugin.call<any[]>('auth.keys.list')).find((key) => key.id === issued.id).lastUsedAt;

    await auth.authenticate('bearer', issued.key);
    auth.advance(30_000);
    await auth.authenticate('bearer', issued.key);
    const withinMinute = await lastUsed();
    auth.advance(30_000);
    await auth.authenticate('bearer', issued.key);

    expect(withinMinute).toBe(start);
    expect(await lastUsed()).toBe(start + 60_000);
  });

  it('notes when a session was last seen, at most once a minute', async () => {
    const auth = await open();
    const { token, user } = await auth.plugin.call<any>('auth.login', { username: 'admin', password: (await auth.admin()).password });
    const start = auth.state.now();
    const lastSeen = async () => (await auth.state.db.selectFrom('sessions').select('last_seen_at').where('user_id', '=', user.id).executeTakeFirstOrThrow()).last_seen_at;

    auth.advance(59_000);
    await auth.authenticate('session', token);
    const withinMinute = await lastSeen();
    auth.advance(1_000);
    await auth.authenticate('session', token);

    expect(withinMinute).toBe(start);
    expect(await lastSeen()).toBe(start + 60_000);
  });

  it('audits a refused key as auth.failed with its visible prefix, never the key', async () => {
    const auth = await open();
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'admin', name: 'k' });
    await auth.plugin.call('auth.keys.revoke', { id: issued.id });

    await rejectionOf(auth.authenticate('bearer', issued.key));
    const entries = (await auth.audit()).filter((entry) => entry.action === 'auth.failed');

    expect(entries).toEqual([{ actor: 'anonymous', action: 'auth.failed', target: issued.id, outcome: 'failed', detail: { kind: 'bearer', reason: 'revoked', prefix: issued.prefix } }]);
    expect(JSON.stringify(await auth.audit())).not.toContain(issued.key);
  });
});
