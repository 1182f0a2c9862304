import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { identityPerTest, rejectionOf } from './support/identity-harness.ts';

const open = identityPerTest();

describe('auth.audit.list', () => {
  it('answers the audit log newest first, with details as objects, filtered by an action prefix', async () => {
    const auth = await open();
    const admin = await auth.admin();
    await auth.plugin.call('auth.users.create', { username: 'ada', role: 'developer' }, { caller: admin.caller });
    await auth.plugin.call('auth.users.create', { username: 'bob', role: 'viewer' }, { caller: admin.caller });

    const users = await auth.plugin.call<any[]>('auth.audit.list', { action: 'user.' }, { caller: admin.caller });
    const latest = await auth.plugin.call<any[]>('auth.audit.list', { limit: 1 }, { caller: admin.caller });

    expect(users.map((entry) => entry.action)).toEqual(['user.create', 'user.create', 'user.bootstrap']);
    expect(users[0]).toMatchObject({ actor: admin.id, outcome: 'ok', detail: expect.objectContaining({ username: 'bob' }) });
    expect(latest).toHaveLength(1);
    expect(latest[0].id).toBe(Math.max(...users.map((entry) => entry.id)));
  });

  it('refuses callers without the admin role', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');

    const error = await rejectionOf(auth.plugin.call('auth.audit.list', {}, { caller: ada.caller }));

    expect(error.code).toBe(ErrorCode.Forbidden);
  });
});
