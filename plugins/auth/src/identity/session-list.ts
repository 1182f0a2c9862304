import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import type { Role } from '../auth-tables.ts';
import { assertAdmin } from '../caller-access.ts';
import { requireUser } from './users.ts';

/** One open studio session as `auth.sessions.list` answers it: who and when, never the token or its digest. */
export interface SessionView {
  id: string;
  userId: string;
  username: string;
  role: Role;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  /** When the session was last used; updated at most once a minute. */
  lastSeenAt: number;
  /** True for the session the caller itself signed in with. */
  current: boolean;
}

interface ListParams {
  user?: string;
  limit?: number;
}

const DEFAULT_LIMIT = 200;

const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, userId: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' },
    createdAt: { type: 'integer' }, expiresAt: { type: 'integer' }, lastSeenAt: { type: 'integer' }, current: { type: 'boolean' },
  },
  required: ['id', 'userId', 'username', 'role', 'createdAt', 'expiresAt', 'lastSeenAt', 'current'],
} as const;

/**
 * `auth.sessions.list` (admin): the studio sessions still open (neither ended, expired, nor of a
 * disabled user), newest first, optionally of one user. Ending one is `auth.logout { sessionId }`.
 */
export function sessionListCapabilities(state: AuthState): Record<string, CapabilitySpec> {
  return {
    'auth.sessions.list': defineCapability<ListParams, SessionView[]>({
      description: 'Open studio sessions, newest first (admin): id, userId, username, role, createdAt, expiresAt, lastSeenAt (updated at most once a minute) and current (the caller\'s own). `user` (id or username) narrows it to one user. No tokens.',
      params: {
        type: 'object',
        properties: {
          user: { type: 'string', minLength: 1, maxLength: 128, description: 'A user id or username.' },
          limit: { type: 'integer', minimum: 1, maximum: 1000 },
        },
        additionalProperties: false,
      },
      result: { type: 'array', items: sessionSchema },
      async handler({ user, limit = DEFAULT_LIMIT }, ctx) {
        const capability = 'auth.sessions.list';
        assertAdmin(ctx.caller, capability);
        const userId = user === undefined ? undefined : (await requireUser(state.db, user, capability)).id;
        let query = state.db.selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .select(['sessions.id', 'sessions.user_id', 'users.username', 'users.role', 'sessions.created_at', 'sessions.expires_at', 'sessions.last_seen_at'])
          .where('sessions.revoked_at', 'is', null)
          .where('sessions.expires_at', '>', state.now())
          .where('users.disabled_at', 'is', null);
        if (userId !== undefined) query = query.where('sessions.user_id', '=', userId);
        const rows = await query.orderBy('sessions.created_at', 'desc').orderBy('sessions.id').limit(limit).execute();
        const own = ctx.caller.kind === 'user' ? ctx.caller.sessionId : undefined;
        return rows.map((row) => ({
          id: row.id,
          userId: row.user_id,
          username: row.username,
          role: row.role,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          lastSeenAt: row.last_seen_at,
          current: row.id === own,
        }));
      },
    }),
  };
}
