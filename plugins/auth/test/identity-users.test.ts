import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { identityPerTest, rejectionOf } from './support/identity-harness.ts';

const open = identityPerTest();

describe('auth.users.create and auth.users.list', () => {
  it('creates a user with the given settings and lists it without any password material', async () => {
    const auth = await open({ config: { defaultBalance: 500 } });
    auth.advance(1000);

    const created = await auth.plugin.call<any>('auth.users.create', { username: 'ada', role: 'developer', password: 'ada-password', rpmLimit: 60 });
    const users = await auth.plugin.call<any[]>('auth.users.list');

    expect(created).toEqual({
      id: expect.stringMatching(/^u_/), username: 'ada', role: 'developer', balance: 500, unlimited: false,
      createdAt: auth.state.now(), disabledAt: null, lockedUntil: null, rpmLimit: 60, tpmLimit: null,
    });
    expect(users.map((user) => user.username)).toEqual(['admin', 'ada']);
    expect(JSON.stringify(users)).not.toMatch(/hash|salt|ada-password/);
  });

  it('refuses a username that is taken, naming the field', async () => {
    const auth = await open();
    await auth.createUser('ada');

    const error = await rejectionOf(auth.plugin.call('auth.users.create', { username: 'ada', role: 'viewer' }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ errors: [{ instancePath: '/username' }] });
    expect(error.message).toContain('taken');
  });

  it('refuses passwords shorter than 8 characters and usernames that do not match the pattern', async () => {
    const auth = await open();

    const short = await rejectionOf(auth.plugin.call('auth.users.create', { username: 'ada', role: 'viewer', password: 'short' }));
    const badName = await rejectionOf(auth.plugin.call('auth.users.create', { username: 'Ada Lovelace', role: 'viewer' }));

    expect(short.data).toMatchObject({ errors: [{ instancePath: '/password', keyword: 'minLength' }] });
    expect(badName.data).toMatchObject({ errors: [{ instancePath: '/username', keyword: 'pattern' }] });
  });

  it('lets only admins create or list users', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada', 'developer');

    const create = await rejectionOf(auth.plugin.call('auth.users.create', { username: 'eve', role: 'admin' }, { caller: ada.caller }));
    const list = await rejectionOf(auth.plugin.call('auth.users.list', {}, { caller: ada.caller }));

    expect(create.code).toBe(ErrorCode.Forbidden);
    expect(create.data).toEqual({ capability: 'auth.users.create', caller: ada.caller });
    expect(list.code).toBe(ErrorCode.Forbidden);
  });

  it('audits user.create with the acting admin as actor', async () => {
    const auth = await open();
    const admin = await auth.admin();

    const created = await auth.plugin.call<any>('auth.users.create', { username: 'ada', role: 'viewer', password: 'ada-password' }, { caller: admin.caller });
    const entry = (await auth.audit()).find((row) => row.action === 'user.create');

    expect(entry).toEqual({ actor: admin.id, action: 'user.create', target: created.id, outcome: 'ok', detail: { username: 'ada', role: 'viewer', hasPassword: true, unlimited: false } });
  });
});

describe('auth.users.update', () => {
  it('changes role and limits for an admin, by username or id, and null clears a limit', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada', 'viewer');
    await auth.plugin.call('auth.users.update', { user: 'ada', role: 'developer', rpmLimit: 10, tpmLimit: 1000 });

    const updated = await auth.plugin.call<any>('auth.users.update', { user: ada.id, tpmLimit: null, unlimited: true });

    expect(updated).toMatchObject({ role: 'developer', rpmLimit: 10, tpmLimit: null, unlimited: true });
    expect((await auth.audit()).filter((row) => row.action === 'user.update').map((row) => row.detail.fields)).toEqual([['role', 'rpmLimit', 'tpmLimit'], ['tpmLimit', 'unlimited']]);
  });

  it('refuses to demote the last enabled admin', async () => {
    const auth = await open();

    const error = await rejectionOf(auth.plugin.call('auth.users.update', { user: 'admin', role: 'developer' }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ errors: [{ instancePath: '/role' }] });
    expect(error.message).toContain('last enabled admin');
  });

  it('demotes an admin while another enabled admin remains', async () => {
    const auth = await open();
    await auth.createUser('root', 'admin');

    expect(await auth.plugin.call('auth.users.update', { user: 'admin', role: 'viewer' })).toMatchObject({ role: 'viewer' });
  });

  it("lets a user change their own password with the old one, ending their other sessions but not the current one", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const current = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const other = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const { sessionId } = await auth.authenticate('session', current.token);

    await auth.plugin.call('auth.users.update', { user: 'ada', oldPassword: ada.password, password: 'new-ada-password' }, { caller: { ...ada.caller, sessionId } });

    expect((await auth.plugin.call<any>('auth.login', { username: 'ada', password: 'new-ada-password' })).user.id).toBe(ada.id);
    expect((await auth.authenticate('session', current.token)).id).toBe(ada.id);
    expect((await rejectionOf(auth.authenticate('session', other.token))).data).toEqual({ reason: 'revoked' });
  });

  it('refuses a wrong old password, naming the field', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');

    const error = await rejectionOf(auth.plugin.call('auth.users.update', { user: 'ada', oldPassword: 'not-the-password', password: 'new-ada-password' }, { caller: ada.caller }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ errors: [{ instancePath: '/oldPassword' }] });
  });

  it('refuses a user changing their own password without the old one, their own role, or anyone else', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    await auth.createUser('bob');

    const noOld = await rejectionOf(auth.plugin.call('auth.users.update', { user: 'ada', password: 'new-ada-password' }, { caller: ada.caller }));
    const role = await rejectionOf(auth.plugin.call('auth.users.update', { user: 'ada', role: 'admin' }, { caller: ada.caller }));
    const other = await rejectionOf(auth.plugin.call('auth.users.update', { user: 'bob', password: 'bob-new-password' }, { caller: ada.caller }));

    expect(noOld.data).toMatchObject({ errors: [{ instancePath: '/oldPassword' }] });
    expect(role.code).toBe(ErrorCode.Forbidden);
    expect(other.code).toBe(ErrorCode.Forbidden);
  });

  it('names the field when the user does not exist', async () => {
    const auth = await open();

    const error = await rejectionOf(auth.plugin.call('auth.users.update', { user: 'nobody', role: 'viewer' }));

    expect(error.data).toMatchObject({ errors: [{ instancePath: '/user' }] });
  });
});

describe('auth.users.disable', () => {
  it("disables a user, ending their sessions and stopping their keys", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const { token } = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const { key } = await auth.plugin.call<any>('auth.keys.create', { user: 'ada', name: 'k' });

    const disabled = await auth.plugin.call<any>('auth.users.disable', { user: 'ada' });

    expect(disabled.disabledAt).toBe(auth.state.now());
    expect((await rejectionOf(auth.authenticate('session', token))).data).toEqual({ reason: 'revoked' });
    expect((await rejectionOf(auth.authenticate('bearer', key))).data).toEqual({ reason: 'disabled' });
  });

  it('enables a user again, keys working again and a login lock cleared', async () => {
    const auth = await open({ config: { maxFailedLogins: 1 } });
    const ada = await auth.createUser('ada');
    const { key } = await auth.plugin.call<any>('auth.keys.create', { user: 'ada', name: 'k' });
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password' }));
    await auth.plugin.call('auth.users.disable', { user: 'ada' });

    const enabled = await auth.plugin.call<any>('auth.users.disable', { user: 'ada', disabled: false });

    expect(enabled).toMatchObject({ disabledAt: null, lockedUntil: null });
    expect((await auth.authenticate('bearer', key)).id).toBe(ada.id);
    expect((await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password })).user.id).toBe(ada.id);
    expect((await auth.audit()).filter((row) => row.action.startsWith('user.') && row.target === ada.id).map((row) => row.action)).toEqual(['user.create', 'user.disable', 'user.enable']);
  });

  it('refuses to disable the last enabled admin', async () => {
    const auth = await open();

    const error = await rejectionOf(auth.plugin.call('auth.users.disable', { user: 'admin' }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain('last enabled admin');
  });

  it('lets only admins disable users', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    await auth.createUser('bob');

    const error = await rejectionOf(auth.plugin.call('auth.users.disable', { user: 'bob' }, { caller: ada.caller }));

    expect(error.code).toBe(ErrorCode.Forbidden);
  });
});
