import type { Kysely } from '@cyberstudio/database';
import type { AuthState } from '../auth-state.ts';
import type { AuthTables } from '../auth-tables.ts';
import { TOUCH_INTERVAL_MS, shortTtl, type AuthenticatedUser, type Rejection } from './authenticated-user.ts';
import { digestOf, isSessionTokenShaped, newSessionToken } from './secrets.ts';

/** A new session: the token (given to the client once, stored only as a digest), its id and expiry. */
export interface IssuedSession {
  id: string;
  token: string;
  expiresAt: number;
}

/** Opens a session for `userId` lasting `sessionTtlHours`, inside `trx`. */
export async function createSession(state: AuthState, trx: Kysely<AuthTables>, userId: string): Promise<IssuedSession> {
  const now = state.now();
  const { secret, digest } = newSessionToken();
  const session = { id: state.newId('s'), token: secret, expiresAt: now + Math.round(state.config.sessionTtlHours * 3_600_000) };
  await trx.insertInto('sessions').values({
    id: session.id, user_id: userId, token_hash: digest, created_at: now, expires_at: session.expiresAt, revoked_at: null, last_seen_at: now,
  }).execute();
  return session;
}

/** The user a session token belongs to, or why it is refused. Notes the session as seen at most once a minute. */
export async function authenticateSession(state: AuthState, token: string): Promise<AuthenticatedUser | Rejection> {
  if (!isSessionTokenShaped(token)) return { rejected: 'malformed' };
  const row = await state.db.selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as sessionId', 'sessions.expires_at', 'sessions.revoked_at', 'sessions.last_seen_at', 'users.id as userId', 'users.username', 'users.role', 'users.disabled_at'])
    .where('sessions.token_hash', '=', digestOf(token))
    .executeTakeFirst();
  if (!row) return { rejected: 'unknown' };
  const now = state.now();
  if (row.revoked_at !== null) return { rejected: 'revoked', target: row.sessionId };
  if (row.expires_at <= now) return { rejected: 'expired', target: row.sessionId };
  if (row.disabled_at !== null) return { rejected: 'disabled', target: row.sessionId };
  if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
    await state.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.sessionId).execute();
  }
  const user: AuthenticatedUser = { id: row.userId, name: row.username, roles: [row.role], sessionId: row.sessionId };
  const ttlSeconds = shortTtl(row.expires_at, now);
  if (ttlSeconds !== undefined) user.ttlSeconds = ttlSeconds;
  return user;
}

/** The owner of session `id`, or undefined when there is no such session. */
export async function sessionOwner(db: Kysely<AuthTables>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('sessions').select('user_id').where('id', '=', id).executeTakeFirst();
  return row?.user_id;
}

/** Ends session `id`; true when it was open (not yet revoked) and now is not. */
export async function revokeSession(state: AuthState, trx: Kysely<AuthTables>, id: string): Promise<boolean> {
  const result = await trx.updateTable('sessions').set({ revoked_at: state.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends every open session of `userId` except `keep`; answers how many it ended. */
export async function revokeUserSessions(state: AuthState, trx: Kysely<AuthTables>, userId: string, keep?: string): Promise<number> {
  let query = trx.updateTable('sessions').set({ revoked_at: state.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (keep !== undefined) query = query.where('id', '!=', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The Set-Cookie value that stores `token` in cookie `name` for `maxAgeSeconds`; `secure` when the client came over HTTPS. */
export function sessionCookie(name: string, token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that makes the browser forget session cookie `name`. */
export function clearedSessionCookie(name: string, secure: boolean): string {
  return sessionCookie(name, '', 0, secure);
}
