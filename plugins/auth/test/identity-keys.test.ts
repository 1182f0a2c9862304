import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { identityPerTest, rejectionOf } from './support/identity-harness.ts';

const open = identityPerTest();
const DAY = 86_400_000;

describe('auth.keys.create', () => {
  it('answers a cds_ key once and stores only its SHA-256 digest and visible prefix', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');

    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'ada', name: 'laptop', allowedModels: ['gpt-x'], rpm: 30, tpm: 5000 });
    const row = await auth.state.db.selectFrom('api_keys').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();

    expect(issued.key).toMatch(/^cds_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(issued).toMatchObject({ id: expect.stringMatching(/^k_/), userId: ada.id, name: 'laptop', prefix: issued.key.slice(0, 12), expiresAt: null, allowedModels: ['gpt-x'], allowedCapabilities: null, rpm: 30, tpm: 5000 });
    expect(row.key_hash).toBe(createHash('sha256').update(issued.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(issued.key);
  });

  it('makes a key for the calling user when no user is named', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada', 'viewer');

    const issued = await auth.plugin.call<any>('auth.keys.create', { name: 'mine' }, { caller: ada.caller });

    expect(issued.userId).toBe(ada.id);
  });

  it("refuses a user making a key for someone else, and an admin's call succeeds", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const bob = await auth.createUser('bob');

    const denied = await rejectionOf(auth.plugin.call('auth.keys.create', { user: 'bob', name: 'theft' }, { caller: ada.caller }));
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'bob', name: 'given' }, { caller: (await auth.admin()).caller });

    expect(denied.code).toBe(ErrorCode.Forbidden);
    expect(issued.userId).toBe(bob.id);
  });

  it('expires a key after expiresInDays', async () => {
    const auth = await open();
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'admin', name: 'week', expiresInDays: 7 });

    auth.advance(7 * DAY - 1);
    const before = await auth.authenticate('bearer', issued.key);
    auth.advance(1);
    const after = await rejectionOf(auth.authenticate('bearer', issued.key));

    expect(issued.expiresAt).toBe(auth.state.now());
    expect(before.keyId).toBe(issued.id);
    expect(after.data).toEqual({ reason: 'expired' });
  });

  it('refuses an expiry in the past, and expiresAt together with expiresInDays', async () => {
    const auth = await open();

    const past = await rejectionOf(auth.plugin.call('auth.keys.create', { user: 'admin', name: 'k', expiresAt: auth.state.now() - 1 }));
    const both = await rejectionOf(auth.plugin.call('auth.keys.create', { user: 'admin', name: 'k', expiresAt: auth.state.now() + DAY, expiresInDays: 1 }));

    expect(past.data).toMatchObject({ errors: [{ instancePath: '/expiresAt' }] });
    expect(both.code).toBe(ErrorCode.CapabilityInvalidParams);
  });

  it('lets a scoped key mint only keys as narrow as itself, inheriting its scopes by default', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const caller = { ...ada.caller, keyId: 'k_parent', scopes: ['auth.keys.*', 'llm.*'] };

    const inherited = await auth.plugin.call<any>('auth.keys.create', { name: 'child' }, { caller });
    const narrower = await auth.plugin.call<any>('auth.keys.create', { name: 'child', allowedCapabilities: ['llm.chat'] }, { caller });
    const wider = await rejectionOf(auth.plugin.call('auth.keys.create', { name: 'child', allowedCapabilities: ['*'] }, { caller }));

    expect(inherited.allowedCapabilities).toEqual(['auth.keys.*', 'llm.*']);
    expect(narrower.allowedCapabilities).toEqual(['llm.chat']);
    expect(wider.code).toBe(ErrorCode.Forbidden);
  });

  it('audits key.create with the prefix and never the key', async () => {
    const auth = await open();
    const admin = await auth.admin();

    const issued = await auth.plugin.call<any>('auth.keys.create', { name: 'k' }, { caller: admin.caller });
    const entry = (await auth.audit()).find((row) => row.action === 'key.create' && row.target === issued.id);

    expect(entry).toEqual({ actor: admin.id, action: 'key.create', target: issued.id, outcome: 'ok', detail: { prefix: issued.prefix, userId: admin.id, name: 'k' } });
    expect(JSON.stringify(await auth.audit())).not.toContain(issued.key);
  });
});

describe('auth.keys.list', () => {
  it("shows a user their own keys and an admin everyone's, never a secret or digest", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const bob = await auth.createUser('bob');
    const adas = await auth.plugin.call<any>('auth.keys.create', { name: 'a' }, { caller: ada.caller });
    await auth.plugin.call<any>('auth.keys.create', { name: 'b' }, { caller: bob.caller });

    const own = await auth.plugin.call<any[]>('auth.keys.list', {}, { caller: ada.caller });
    const all = await auth.plugin.call<any[]>('auth.keys.list', {}, { caller: (await auth.admin()).caller });
    const others = await rejectionOf(auth.plugin.call('auth.keys.list', { user: 'bob' }, { caller: ada.caller }));

    expect(own.map((key) => key.id)).toEqual([adas.id]);
    expect(all.map((key) => key.name).sort()).toEqual(['a', 'b', 'operator']);
    expect(JSON.stringify(all)).not.toMatch(/key_hash|cds_[0-9a-f]{8}_/);
    expect(others.code).toBe(ErrorCode.Forbidden);
  });
});

describe('auth.keys.revoke', () => {
  it("lets the key's owner revoke it, after which it no longer authenticates", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const issued = await auth.plugin.call<any>('auth.keys.create', { name: 'k' }, { caller: ada.caller });

    const revoked = await auth.plugin.call<any>('auth.keys.revoke', { id: issued.id }, { caller: ada.caller });

    expect(revoked.revokedAt).toBe(auth.state.now());
    expect((await rejectionOf(auth.authenticate('bearer', issued.key))).data).toEqual({ reason: 'revoked' });
  });

  it("refuses a user revoking someone else's key", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const bob = await auth.createUser('bob');
    const issued = await auth.plugin.call<any>('auth.keys.create', { name: 'k' }, { caller: bob.caller });

    const error = await rejectionOf(auth.plugin.call('auth.keys.revoke', { id: issued.id }, { caller: ada.caller }));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect((await auth.authenticate('bearer', issued.key)).id).toBe(bob.id);
  });

  it('answers a revoked key unchanged when revoked again, and audits only the first revocation', async () => {
    const auth = await open();
    const issued = await auth.plugin.call<any>('auth.keys.create', { user: 'admin', name: 'k' });
    const first = await auth.plugin.call<any>('auth.keys.revoke', { id: issued.id });
    auth.advance(1000);

    const second = await auth.plugin.call<any>('auth.keys.revoke', { id: issued.id });

    expect(second).toEqual(first);
    expect((await auth.audit()).filter((row) => row.action === 'key.revoke')).toEqual([
      { actor: 'kernel', action: 'key.revoke', target: issued.id, outcome: 'ok', detail: { prefix: issued.prefix, userId: issued.userId } },
    ]);
  });

  it('names the field when no key has that id', async () => {
    const auth = await open();

    const error = await rejectionOf(auth.plugin.call('auth.keys.revoke', { id: 'k_missing' }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ errors: [{ instancePath: '/id' }] });
  });
});
