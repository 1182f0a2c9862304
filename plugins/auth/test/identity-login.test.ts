import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { failureDelayMs } from '../src/identity/login-lockout.ts';
import { identityPerTest, rejectionOf } from './support/identity-harness.ts';

const open = identityPerTest();
const HOUR = 3_600_000;

describe('auth.login', () => {
  it('opens a session lasting sessionTtlHours and answers its token once with the user', async () => {
    const auth = await open({ config: { sessionTtlHours: 2 } });
    const ada = await auth.createUser('ada', 'developer');

    const result = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const row = await auth.state.db.selectFrom('sessions').selectAll().where('user_id', '=', ada.id).executeTakeFirstOrThrow();

    expect(result).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: auth.state.now() + 2 * HOUR, user: { id: ada.id, username: 'ada', role: 'developer' } });
    expect(row.token_hash).not.toBe(result.token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers an unknown user and a wrong password with the same Unauthenticated error', async () => {
    const auth = await open();
    await auth.createUser('ada');

    const unknown = await rejectionOf(auth.plugin.call('auth.login', { username: 'nobody', password: 'whatever-it-is' }));
    const wrong = await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'whatever-it-is' }));

    expect(unknown.code).toBe(ErrorCode.Unauthenticated);
    expect(wrong.code).toBe(ErrorCode.Unauthenticated);
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.data).toEqual(wrong.data);
  });

  it('tells a disabled user with the right password that the account is disabled', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    await auth.plugin.call('auth.users.disable', { user: 'ada' });

    const error = await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: ada.password }));

    expect(error.code).toBe(ErrorCode.Unauthenticated);
    expect(error.data).toEqual({ reason: 'disabled' });
  });

  it('locks the account at maxFailedLogins failures: RateLimited with scope user, even with the right password', async () => {
    const auth = await open({ config: { maxFailedLogins: 3, lockMinutes: 10 } });
    const ada = await auth.createUser('ada');
    const attempt = (password: string) => rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password }));

    const first = await attempt('wrong-password-1');
    const second = await attempt('wrong-password-2');
    const third = await attempt('wrong-password-3');
    const rightButLocked = await attempt(ada.password);

    expect([first.code, second.code]).toEqual([ErrorCode.Unauthenticated, ErrorCode.Unauthenticated]);
    expect(third.code).toBe(ErrorCode.RateLimited);
    expect(third.data).toEqual({ retryAfterSeconds: 600, limit: 3, remaining: 0, resetSeconds: 600, scope: 'user' });
    expect(rightButLocked.code).toBe(ErrorCode.RateLimited);
  });

  it('checks at most maxFailedLogins passwords when 100 wrong logins arrive at once, and locks the account', async () => {
    const auth = await open({ config: { maxFailedLogins: 5 } });
    const ada = await auth.createUser('ada');

    const answers = await Promise.all(Array.from({ length: 100 }, (_, index) => rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: `wrong-password-${index}` }))));
    const checked = (await auth.audit()).filter((row) => row.target === ada.id && row.outcome === 'failed');
    const right = await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: ada.password }));

    expect(checked).toHaveLength(5);
    expect(answers.filter((error) => error.code === ErrorCode.Unauthenticated)).toHaveLength(4);
    expect(right.code).toBe(ErrorCode.RateLimited);
  });

  it('lets 20 parallel logins with the right password all in, and locks nothing', async () => {
    const auth = await open({ config: { maxFailedLogins: 5 } });
    const ada = await auth.createUser('ada');

    const answers = await Promise.all(Array.from({ length: 20 }, () => auth.plugin.call<{ user: { id: string } }>('auth.login', { username: 'ada', password: ada.password })));
    const later = await auth.plugin.call<{ user: { id: string } }>('auth.login', { username: 'ada', password: ada.password });

    expect(answers.map((answer) => answer.user.id)).toEqual(Array.from({ length: 20 }, () => ada.id));
    expect(later.user.id).toBe(ada.id);
  });

  it('lets the right password in again once the lock has passed', async () => {
    const auth = await open({ config: { maxFailedLogins: 2, lockMinutes: 1 } });
    const ada = await auth.createUser('ada');
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-1' }));
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-2' }));

    auth.advance(30_000);
    const stillLocked = await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: ada.password }));
    auth.advance(30_000);
    const result = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });

    expect(stillLocked.data).toMatchObject({ retryAfterSeconds: 30 });
    expect(result.user.username).toBe('ada');
  });

  it('starts the failure count again after a successful login', async () => {
    const auth = await open({ config: { maxFailedLogins: 2 } });
    const ada = await auth.createUser('ada');

    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-1' }));
    await auth.plugin.call('auth.login', { username: 'ada', password: ada.password });
    const afterSuccess = await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-2' }));

    expect(afterSuccess.code).toBe(ErrorCode.Unauthenticated);
  });

  it('locks unknown usernames the same way, so the lock does not tell which names exist', async () => {
    const auth = await open({ config: { maxFailedLogins: 2 } });

    await rejectionOf(auth.plugin.call('auth.login', { username: 'ghost', password: 'wrong-password-1' }));
    const second = await rejectionOf(auth.plugin.call('auth.login', { username: 'ghost', password: 'wrong-password-2' }));

    expect(second.code).toBe(ErrorCode.RateLimited);
    expect(second.data).toMatchObject({ scope: 'user' });
  });

  it('doubles the wait before each further failure answers, from 250 ms up to 4 s', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(failureDelayMs)).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('holds the answer to a failed login for at least its wait', async () => {
    const auth = await open({ config: { maxFailedLogins: 5 } });
    await auth.createUser('ada');
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-1' }));
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-2' }));

    const started = performance.now();
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'wrong-password-3' }));

    // A lower bound only: the third failure must not answer before its 1 s wait, however fast the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(failureDelayMs(3));
  });

  it('audits each attempt without the password and without the name typed for an unknown user', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');

    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada', password: 'typo-password' }));
    await rejectionOf(auth.plugin.call('auth.login', { username: 'ada-secret-typed-here', password: 'typo-password' }));
    await auth.plugin.call('auth.login', { username: 'ada', password: ada.password });
    const entries = (await auth.audit()).filter((entry) => entry.action === 'auth.login');

    expect(entries.map(({ outcome, target, detail }) => ({ outcome, target, reason: detail.reason }))).toEqual([
      { outcome: 'failed', target: ada.id, reason: 'wrong-password' },
      { outcome: 'failed', target: null, reason: 'unknown-user' },
      { outcome: 'ok', target: ada.id, reason: undefined },
    ]);
    const text = JSON.stringify(await auth.audit());
    for (const secret of ['typo-password', 'ada-secret-typed-here', ada.password]) expect(text).not.toContain(secret);
  });

  it('opens sessions that expire after sessionTtlHours', async () => {
    const auth = await open({ config: { sessionTtlHours: 1 } });
    const ada = await auth.createUser('ada');
    const { token } = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });

    auth.advance(HOUR);
    const error = await rejectionOf(auth.authenticate('session', token));

    expect(error.data).toEqual({ reason: 'expired' });
  });
});

describe('auth.logout', () => {
  it("ends the caller's own session", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const { token } = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const { sessionId } = await auth.authenticate('session', token);

    const result = await auth.plugin.call('auth.logout', {}, { caller: { ...ada.caller, sessionId } });
    const error = await rejectionOf(auth.authenticate('session', token));

    expect(result).toEqual({ revoked: true });
    expect(error.data).toEqual({ reason: 'revoked' });
  });

  it('answers revoked false for a caller signed in with a key', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');

    expect(await auth.plugin.call('auth.logout', {}, { caller: { ...ada.caller, keyId: 'k_1' } })).toEqual({ revoked: false });
  });

  it("ends another user's session for an admin, and refuses it to anyone else", async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const bob = await auth.createUser('bob');
    const { token } = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const { sessionId } = await auth.authenticate('session', token);

    const denied = await rejectionOf(auth.plugin.call('auth.logout', { sessionId }, { caller: bob.caller }));
    const result = await auth.plugin.call('auth.logout', { sessionId }, { caller: (await auth.admin()).caller });

    expect(denied.code).toBe(ErrorCode.Forbidden);
    expect(result).toEqual({ revoked: true });
  });
});

describe('the cookie routes', () => {
  const request = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', path: '/auth/login', params: {}, query: {}, headers, body });

  it('auth.http.login sets an HttpOnly, SameSite=Strict session cookie and keeps the token out of the body', async () => {
    const auth = await open({ config: { sessionTtlHours: 2 } });
    const ada = await auth.createUser('ada');

    const answer = await auth.plugin.call<any>('auth.http.login', request({ username: 'ada', password: ada.password }));
    const cookie: string = answer._http.headers['set-cookie'];
    const token = /^cyberstudio_session=([^;]+);/.exec(cookie)![1]!;

    expect(cookie).toBe(`cyberstudio_session=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=7200`);
    expect(answer.body).toEqual({ user: { id: ada.id, username: 'ada', role: 'developer' }, expiresAt: auth.state.now() + 2 * HOUR });
    expect(JSON.stringify(answer.body)).not.toContain(token);
    expect((await auth.authenticate('session', token)).id).toBe(ada.id);
  });

  it('auth.http.login names the cookie after config.sessionCookie', async () => {
    const auth = await open({ config: { sessionCookie: 'studio_sid' } });

    const answer = await auth.plugin.call<any>('auth.http.login', request({ username: 'admin', password: (await auth.admin()).password }));

    expect(answer._http.headers['set-cookie']).toMatch(/^studio_sid=[^;]+; HttpOnly/);
  });

  it('auth.http.login marks the cookie Secure when a proxy says the client used HTTPS', async () => {
    const auth = await open();

    const answer = await auth.plugin.call<any>('auth.http.login', request({ username: 'admin', password: (await auth.admin()).password }, { 'x-forwarded-proto': 'https' }));

    expect(answer._http.headers['set-cookie']).toMatch(/; Secure$/);
  });

  it('auth.http.logout ends the session and clears the cookie', async () => {
    const auth = await open();
    const ada = await auth.createUser('ada');
    const { token } = await auth.plugin.call<any>('auth.login', { username: 'ada', password: ada.password });
    const { sessionId } = await auth.authenticate('session', token);

    const answer = await auth.plugin.call<any>('auth.http.logout', { ...request(null), path: '/auth/logout' }, { caller: { ...ada.caller, sessionId } });

    expect(answer).toEqual({ _http: { headers: { 'set-cookie': 'cyberstudio_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' } }, body: { revoked: true } });
    expect((await rejectionOf(auth.authenticate('session', token))).data).toEqual({ reason: 'revoked' });
  });
});
