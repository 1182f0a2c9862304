import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import type { Updateable } from '@cyberstudio/database';
import type { AuthState } from '../auth-state.ts';
import type { Role, UsersTable } from '../auth-tables.ts';
import { actorOf, assertAdmin, forbidden, isAdmin } from '../caller-access.ts';
import { invalidParam } from '../invalid-param.ts';
import { isUser } from './caller-checks.ts';
import { verifyOwnPassword } from './login.ts';
import type { LoginLockout } from './login-lockout.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from './passwords.ts';
import { revokeUserSessions } from './sessions.ts';
import { ROLES, USERNAME_PATTERN, assertNotLastAdmin, listUsers, requireUser, userView, type UserView } from './users.ts';

interface CreateParams {
  username: string;
  role: Role;
  password?: string;
  balance?: number;
  unlimited?: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

interface UpdateParams {
  user: string;
  role?: Role;
  password?: string;
  oldPassword?: string;
  unlimited?: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

const password = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH };
const limit = { type: ['integer', 'null'], minimum: 1 };
const userRef = { type: 'string', minLength: 1, maxLength: 128, description: 'A user id or username.' };
const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, username: { type: 'string' }, role: { enum: ROLES }, balance: { type: 'integer' }, unlimited: { type: 'boolean' },
    createdAt: { type: 'integer' }, disabledAt: { type: ['integer', 'null'] }, lockedUntil: { type: ['integer', 'null'] },
    rpmLimit: { type: ['integer', 'null'] }, tpmLimit: { type: ['integer', 'null'] },
  },
  required: ['id', 'username', 'role', 'balance', 'unlimited', 'createdAt', 'disabledAt', 'lockedUntil', 'rpmLimit', 'tpmLimit'],
};
/** Fields only an admin may change; a user may change their own password and nothing else. */
const ADMIN_FIELDS = ['role', 'unlimited', 'rpmLimit', 'tpmLimit'] as const;

/** `auth.users.list`, `.create`, `.update` and `.disable`. */
export function userCapabilities(state: AuthState, lockout: LoginLockout): Record<string, CapabilitySpec> {
  /** The user row with id `id`, as the view capabilities answer. */
  const reload = async (id: string): Promise<UserView> =>
    userView(await state.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), state.now());

  return {
    'auth.users.list': defineCapability<Record<string, never>, UserView[]>({
      description: 'Every user (admin): id, username, role, balance, unlimited, createdAt, disabledAt, lockedUntil, rpmLimit, tpmLimit.',
      params: { type: 'object', additionalProperties: false },
      result: { type: 'array', items: userSchema },
      async handler(_params, ctx) {
        assertAdmin(ctx.caller, 'auth.users.list');
        return listUsers(state.db, state.now());
      },
    }),

    'auth.users.create': defineCapability<CreateParams, UserView>({
      description: 'Creates a user (admin). Without a password the user can only use API keys. balance defaults to the config\'s defaultBalance.',
      params: {
        type: 'object',
        properties: {
          username: { type: 'string', pattern: USERNAME_PATTERN }, role: { enum: ROLES }, password,
          balance: { type: 'integer', minimum: 0 }, unlimited: { type: 'boolean' }, rpmLimit: limit, tpmLimit: limit,
        },
        required: ['username', 'role'],
        additionalProperties: false,
      },
      result: userSchema,
      async handler(params, ctx) {
        assertAdmin(ctx.caller, 'auth.users.create');
        const hashed = params.password === undefined ? undefined : await hashPassword(params.password);
        const id = state.newId('u');
        await state.database.transaction(async (trx) => {
          if (await trx.selectFrom('users').select('id').where('username', '=', params.username).executeTakeFirst()) throw invalidParam('auth.users.create', 'username', `is taken: a user '${params.username}' already exists`);
          await trx.insertInto('users').values({
            id,
            username: params.username,
            role: params.role,
            password_hash: hashed?.hash ?? null,
            password_salt: hashed?.salt ?? null,
            balance: params.balance ?? state.config.defaultBalance,
            unlimited: params.unlimited ? 1 : 0,
            created_at: state.now(),
            disabled_at: null,
            locked_until: null,
            rpm_limit: params.rpmLimit ?? null,
            tpm_limit: params.tpmLimit ?? null,
          }).execute();
          const detail = { username: params.username, role: params.role, hasPassword: hashed !== undefined, unlimited: params.unlimited === true };
          await state.audit({ actor: actorOf(ctx.caller), action: 'user.create', target: id, outcome: 'ok', detail }, trx);
        });
        return reload(id);
      },
    }),

    'auth.users.update': defineCapability<UpdateParams, UserView>({
      description: 'Changes a user (admin): role, password, unlimited, rpmLimit, tpmLimit (null clears a limit). A user may change their own password with `oldPassword`; a new password ends the user\'s other sessions. The last enabled admin cannot be demoted.',
      params: {
        type: 'object',
        properties: { user: userRef, role: { enum: ROLES }, password, oldPassword: { type: 'string', maxLength: MAX_PASSWORD_LENGTH }, unlimited: { type: 'boolean' }, rpmLimit: limit, tpmLimit: limit },
        required: ['user'],
        additionalProperties: false,
      },
      result: userSchema,
      async handler(params, ctx) {
        const capability = 'auth.users.update';
        const { caller } = ctx;
        const target = await requireUser(state.db, params.user, capability);
        const self = isUser(caller, target.id);
        if (!isAdmin(caller)) {
          if (!self) throw forbidden(capability, caller, "may change another user only for an admin");
          const adminOnly = ADMIN_FIELDS.filter((field) => params[field] !== undefined);
          if (adminOnly.length > 0) throw forbidden(capability, caller, `may change ${adminOnly.join(', ')} only for an admin`);
          if (params.password === undefined) throw invalidParam(capability, 'password', 'is required: it is the only field you may change');
          if (params.oldPassword === undefined) throw invalidParam(capability, 'oldPassword', 'is required to change your own password');
        }
        if (params.oldPassword !== undefined) await verifyOwnPassword(state, lockout, target, params.oldPassword, capability, { signal: ctx.signal });
        const hashed = params.password === undefined ? undefined : await hashPassword(params.password);
        const changes: Updateable<UsersTable> = {};
        if (params.role !== undefined) changes.role = params.role;
        if (params.unlimited !== undefined) changes.unlimited = params.unlimited ? 1 : 0;
        if (params.rpmLimit !== undefined) changes.rpm_limit = params.rpmLimit;
        if (params.tpmLimit !== undefined) changes.tpm_limit = params.tpmLimit;
        if (hashed) Object.assign(changes, { password_hash: hashed.hash, password_salt: hashed.salt });
        const fields = Object.keys(params).filter((field) => field !== 'user' && field !== 'oldPassword');
        await state.database.transaction(async (trx) => {
          const current = await requireUser(trx, target.id, capability);
          if (params.role !== undefined && params.role !== 'admin') await assertNotLastAdmin(trx, current, capability, 'role', 'demote');
          if (Object.keys(changes).length > 0) await trx.updateTable('users').set(changes).where('id', '=', target.id).execute();
          // A new password shuts out whoever knew the old one, except the session making the change.
          const ended = hashed ? await revokeUserSessions(state, trx, target.id, self && caller.kind === 'user' ? caller.sessionId : undefined) : 0;
          await state.audit({ actor: actorOf(caller), action: 'user.update', target: target.id, outcome: 'ok', detail: { fields, sessionsEnded: ended } }, trx);
        });
        return reload(target.id);
      },
    }),

    'auth.users.disable': defineCapability<{ user: string; disabled?: boolean }, UserView>({
      description: 'Disables a user (admin; default) or enables one again (`disabled: false`). Disabling ends the user\'s sessions and stops their keys; enabling clears a login lock. The last enabled admin cannot be disabled.',
      params: { type: 'object', properties: { user: userRef, disabled: { type: 'boolean' } }, required: ['user'], additionalProperties: false },
      result: userSchema,
      async handler({ user, disabled = true }, ctx) {
        const capability = 'auth.users.disable';
        assertAdmin(ctx.caller, capability);
        const id = await state.database.transaction(async (trx) => {
          const target = await requireUser(trx, user, capability);
          if (disabled) {
            await assertNotLastAdmin(trx, target, capability, 'user', 'disable');
            if (target.disabled_at === null) await trx.updateTable('users').set({ disabled_at: state.now() }).where('id', '=', target.id).execute();
            const ended = await revokeUserSessions(state, trx, target.id);
            await state.audit({ actor: actorOf(ctx.caller), action: 'user.disable', target: target.id, outcome: 'ok', detail: { sessionsEnded: ended } }, trx);
          } else {
            await trx.updateTable('users').set({ disabled_at: null, failed_logins: 0, locked_until: null }).where('id', '=', target.id).execute();
            await state.audit({ actor: actorOf(ctx.caller), action: 'user.enable', target: target.id, outcome: 'ok' }, trx);
          }
          return target.id;
        });
        return reload(id);
      },
    }),
  };
}
