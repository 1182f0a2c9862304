import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { identityPerTest, rejectionOf, type IdentityHarness, type TestUser } from './support/identity-harness.ts';

const open = identityPerTest();
const HOUR = 3_600_000;

/** Signs `user` in; answers the token and the caller a gateway would pass for that session. */
async function signIn(auth: IdentityHarness, user: TestUser) {
  const { token } = await auth.plugin.call<{ token: string }>('auth.login', { username: user.username, password: user.password });
  const { sessionId } = await auth.authenticate('session', token);
  return { token, sessionId: sessionId as string, caller: { ...user.caller, sessionId: sessionId as string } };
}

describe('auth.sessions.list', () => {
  it('lists the open sessions newest first with who and when, marks the caller\'s own, and never shows a token', async () => {
    const auth = await open({ config: { sessionTtlHours: 2 } });
    const admin = await auth.admin();
    const ada = await auth.createUser('ada', 'developer');
    const own = await signIn(auth, admin);
    const started = auth.state.now();
    auth.advance(1000);
    const adas = await signIn(auth, ada);

    const sessions = await auth.plugin.call<any[]>('auth.sessions.list', {}, { caller: own.caller });

    expect(sessions).toEqual([
      { id: adas.sessionId, userId: ada.id, username: 'ada', role: 'developer', createdAt: started + 1000, expiresAt: started + 1000 + 2 * HOUR, lastSeenAt: started + 1000, current: false },
      { id: own.sessionId, userId: admin.id, username: admin.username, role: 'admin', createdAt: started, expiresAt: started + 2 * HOUR, lastSeenAt: started, current: true },
    ]);
    const text = JSON.stringify(sessions);
    expect(text).not.toContain(own.token);
    expect(text).not.toContain(adas.token);
  });

  it('leaves out sessions that were ended, have expired, or belong to a disabled user', async () => {
    const auth = await open({ config: { sessionTtlHours: 1 } });
    const ada = await auth.createUser('ada');
    const bob = await auth.createUser('bob');
    const cleo = await auth.createUser('cleo');
    const early = await signIn(auth, ada);
    auth.advance(HOUR / 2);
    const ended = await signIn(auth, bob);
    const cleos = await signIn(auth, cleo);
    await auth.plugin.call('auth.logout', { sessionId: ended.sessionId });
    const disabled = await signIn(auth, bob);
    await auth.plugin.call('auth.users.disable', { user: 'bob' });
    auth.advance(HOUR / 2);

    const ids = (await auth.plugin.call<any[]>('auth.sessions.list', {})).map((session) => session.id);

    expect(ids).toEqual([cleos.sessionId]);
    expect(ids).not.toContain(early.sessionId);
    expect(ids).not.toContain(disabled.sessionId);
  });

  it('narrows the list to one user named by username, and refuses a name that is no user', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const bob = await auth.createUser('bob');
    const adas = await signIn(auth, ada);
    await signIn(auth, bob);

    const sessions = await auth.plugin.call<any[]>('auth.sessions.list', { user: 'ada' });
    const error = await rejectionOf(auth.plugin.call('auth.sessions.list', { user: 'nobody' }));

    expect(sessions.map((session) => session.id)).toEqual([adas.sessionId]);
    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect((error.data as any).errors[0].instancePath).toBe('/user');
  });

  it('refuses callers without the admin role', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada', 'developer');
    const adas = await signIn(auth, ada);

    const error = await rejectionOf(auth.plugin.call('auth.sessions.list', {}, { caller: adas.caller }));

    expect(error.code).toBe(ErrorCode.Forbidden);
  });
});
