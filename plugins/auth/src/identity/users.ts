import type { Kysely, Selectable } from '@cyberstudio/database';
import type { AuthTables, Role, UsersTable } from '../auth-tables.ts';
import { invalidParam } from '../invalid-param.ts';
import type { UserView } from './identity-views.ts';

export type { UserView } from './identity-views.ts';

/** One row of `users`. */
export type UserRow = Selectable<UsersTable>;

/** The roles there are, most powerful first. */
export const ROLES: readonly Role[] = ['admin', 'developer', 'viewer'];

/** What a username must look like: lowercase, starts with a letter, 2..64 characters. */
export const USERNAME_PATTERN = '^[a-z][a-z0-9._-]{1,63}$';

/** The public view of a user row at time `now`. */
export function userView(row: UserRow, now: number): UserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    balance: row.balance,
    unlimited: row.unlimited === 1,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    lockedUntil: row.locked_until !== null && row.locked_until > now ? row.locked_until : null,
    rpmLimit: row.rpm_limit,
    tpmLimit: row.tpm_limit,
  };
}

/** The user whose id or username is `ref` (an id wins when both match), or undefined. */
export async function findUser(db: Kysely<AuthTables>, ref: string): Promise<UserRow | undefined> {
  const rows = await db.selectFrom('users').selectAll().where((where) => where.or([where('id', '=', ref), where('username', '=', ref)])).execute();
  return rows.find((row) => row.id === ref) ?? rows[0];
}

/** The user `ref` names; throws CapabilityInvalidParams on `/<field>` when there is none. */
export async function requireUser(db: Kysely<AuthTables>, ref: string, capability: string, field = 'user'): Promise<UserRow> {
  const user = await findUser(db, ref);
  if (!user) throw invalidParam(capability, field, `names no user: no user has the id or username '${ref}'`);
  return user;
}

/**
 * Throws CapabilityInvalidParams on `/<field>` when `user` is the last enabled admin: someone
 * must always be able to administer the studio, so the last admin can be neither disabled nor demoted.
 */
export async function assertNotLastAdmin(db: Kysely<AuthTables>, user: UserRow, capability: string, field: string, action: string): Promise<void> {
  if (user.role !== 'admin' || user.disabled_at !== null) return;
  const { others } = await db.selectFrom('users')
    .select((select) => select.fn.countAll<number>().as('others'))
    .where('role', '=', 'admin').where('disabled_at', 'is', null).where('id', '!=', user.id)
    .executeTakeFirstOrThrow();
  if (Number(others) === 0) {
    throw invalidParam(capability, field, `cannot ${action} '${user.username}': it is the last enabled admin; make another user admin first`);
  }
}

/** Every user, oldest first. */
export async function listUsers(db: Kysely<AuthTables>, now: number): Promise<UserView[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('username').execute();
  return rows.map((row) => userView(row, now));
}
