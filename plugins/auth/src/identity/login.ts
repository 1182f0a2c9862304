import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import type { Role } from '../auth-tables.ts';
import { invalidParam } from '../invalid-param.ts';
import { lockedError, type LoginLockout, type LoginSubject } from './login-lockout.ts';
import { verifyNothing, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import type { UserRow } from './users.ts';

/** What a successful login answers; `token` is the session's secret, given this once. */
export interface LoginResult {
  token: string;
  expiresAt: number;
  user: { id: string; username: string; role: Role };
}

/** How long a login may wait: `signal` ends a failure's delay early, `timeout` (ms) caps it. */
export interface WaitOptions {
  signal?: AbortSignal;
  timeout?: number;
}

/** The one message for an unknown user and a wrong password alike, so it does not tell which. */
export const INVALID_LOGIN = 'Not signed in: invalid username or password';

/**
 * Checks a username and password and opens a session. The attempt is counted before the
 * password is checked, so parallel guesses get at most `maxFailedLogins` checks. Unknown users
 * cost a password check too, so timing does not tell whether a name exists. Each failure waits
 * longer before answering; a locked account answers RateLimited (scope 'user') even with the
 * right password. A disabled user with the right password is told so (reason 'disabled').
 */
export async function login(state: AuthState, lockout: LoginLockout, username: string, password: string, wait: WaitOptions = {}): Promise<LoginResult> {
  const user = await state.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const subject: LoginSubject = user ? { username, user } : { username };
  const attempt = await reserveAttempt(state, lockout, subject);
  if (!(await passwordMatches(user, password))) {
    await countFailure(state, lockout, subject, attempt, 'auth.login', wait);
    throw new BusError(ErrorCode.Unauthenticated, INVALID_LOGIN, { reason: 'invalid-credentials' });
  }
  const known = user!;
  if (known.disabled_at !== null) {
    // The password was right: the attempt does not count toward a lock.
    await lockout.recordSuccess(known.id);
    await state.audit({ actor: 'anonymous', action: 'auth.login', target: known.id, outcome: 'denied', detail: { reason: 'disabled' } });
    throw new BusError(ErrorCode.Unauthenticated, 'Not signed in: this account is disabled', { reason: 'disabled' });
  }
  const session = await state.database.transaction(async (trx) => {
    if (!(await lockout.recordSuccess(known.id, trx))) return undefined;
    const opened = await createSession(state, trx, known.id);
    await state.audit({ actor: known.id, action: 'auth.login', target: known.id, outcome: 'ok', detail: { sessionId: opened.id } }, trx);
    return opened;
  });
  if (!session) {
    // A parallel guess locked the account while this password was being checked.
    const locked = await state.db.selectFrom('users').selectAll().where('id', '=', known.id).executeTakeFirstOrThrow();
    throw lockedError(lockout.lockedSeconds(locked), state.config.maxFailedLogins);
  }
  return { token: session.token, expiresAt: session.expiresAt, user: { id: known.id, username: known.username, role: known.role } };
}

/**
 * Checks a signed-in user's current password before they change it, under the same lockout
 * as logins (a stolen session must not become a way to guess the password). Throws
 * CapabilityInvalidParams on `/oldPassword` when it is wrong.
 */
export async function verifyOwnPassword(state: AuthState, lockout: LoginLockout, user: UserRow, password: string, capability: string, wait: WaitOptions = {}): Promise<void> {
  const subject: LoginSubject = { username: user.username, user };
  const attempt = await reserveAttempt(state, lockout, subject);
  if (await passwordMatches(user, password)) {
    await lockout.recordSuccess(user.id);
    return;
  }
  await countFailure(state, lockout, subject, attempt, 'user.password.check', wait);
  throw invalidParam(capability, 'oldPassword', 'is not the current password');
}

async function passwordMatches(user: UserRow | undefined, password: string): Promise<boolean> {
  if (!user || user.password_hash === null || user.password_salt === null) return verifyNothing(password);
  return verifyPassword(password, { hash: user.password_hash, salt: user.password_salt });
}

/** Counts the attempt before any password check; a locked subject is audited and answered RateLimited. */
async function reserveAttempt(state: AuthState, lockout: LoginLockout, subject: LoginSubject): Promise<number> {
  const reserved = await lockout.reserve(subject);
  if ('attempt' in reserved) return reserved.attempt;
  await state.audit({ actor: 'anonymous', action: 'auth.login', target: subject.user?.id ?? null, outcome: 'denied', detail: { reason: 'locked' } });
  throw lockedError(reserved.lockedSeconds, state.config.maxFailedLogins);
}

/** Records and audits the failure of attempt `attempt`, then waits (or throws RateLimited when this failure locked the account). */
async function countFailure(state: AuthState, lockout: LoginLockout, subject: LoginSubject, attempt: number, action: string, wait: WaitOptions): Promise<void> {
  const outcome = await lockout.recordFailure(subject, attempt);
  // The attempted name is not recorded for unknown users: people type passwords into the username field.
  const detail = { reason: subject.user ? 'wrong-password' : 'unknown-user', failures: outcome.failures, locked: outcome.lockedSeconds > 0 };
  await state.audit({ actor: 'anonymous', action, target: subject.user?.id ?? null, outcome: 'failed', detail });
  if (outcome.lockedSeconds > 0) throw lockedError(outcome.lockedSeconds, state.config.maxFailedLogins);
  await lockout.delay(outcome.failures, wait);
}
