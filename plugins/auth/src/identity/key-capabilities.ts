import { defineCapability, type Caller, type CapabilitySpec } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { findKey, insertKey, keyView, listKeys, type IssuedKey, type KeyView } from './api-keys.ts';
import { actorOf, assertSelfOrAdmin, forbidden, isAdmin } from '../caller-access.ts';
import { invalidParam } from '../invalid-param.ts';
import { selfOr } from './caller-checks.ts';
import { requireUser } from './users.ts';

interface CreateParams {
  user?: string;
  name: string;
  expiresAt?: number;
  expiresInDays?: number;
  allowedModels?: string[];
  allowedCapabilities?: string[];
  rpm?: number;
  tpm?: number;
}

const DAY_MS = 86_400_000;
/** A capability pattern as the access rules write them: `*`, `ns.*`, or a capability name. */
const CAPABILITY_PATTERN = '^(\\*|[a-z][a-z0-9-]*(\\.[a-z][a-zA-Z0-9-]*)*(\\.\\*)?)$';
const userRef = { type: 'string', minLength: 1, maxLength: 128, description: 'A user id or username.' };
const list = (items: Record<string, unknown>) => ({ type: ['array', 'null'], items: { type: 'string', ...items } });
const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, userId: { type: 'string' }, name: { type: 'string' }, prefix: { type: 'string' },
    createdAt: { type: 'integer' }, expiresAt: { type: ['integer', 'null'] }, revokedAt: { type: ['integer', 'null'] }, lastUsedAt: { type: ['integer', 'null'] },
    allowedModels: list({}), allowedCapabilities: list({}), rpm: { type: ['integer', 'null'] }, tpm: { type: ['integer', 'null'] },
  },
  required: ['id', 'userId', 'name', 'prefix', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'allowedModels', 'allowedCapabilities', 'rpm', 'tpm'],
};

/** `auth.keys.create`, `.list` and `.revoke`. */
export function keyCapabilities(state: AuthState): Record<string, CapabilitySpec> {
  return {
    'auth.keys.create': defineCapability<CreateParams, IssuedKey>({
      description: 'Creates an API key for `user` (admin) or for the caller (any signed-in user). The answer holds `key`, the only time it is shown; only its SHA-256 digest is kept. A caller limited to capability patterns can only create keys limited as narrowly.',
      params: {
        type: 'object',
        properties: {
          user: userRef,
          name: { type: 'string', minLength: 1, maxLength: 100 },
          expiresAt: { type: 'integer', minimum: 0, description: 'Epoch ms.' },
          expiresInDays: { type: 'number', exclusiveMinimum: 0, maximum: 3650 },
          allowedModels: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 100, uniqueItems: true },
          allowedCapabilities: { type: 'array', items: { type: 'string', pattern: CAPABILITY_PATTERN, maxLength: 200 }, maxItems: 100, uniqueItems: true },
          rpm: { type: 'integer', minimum: 1 },
          tpm: { type: 'integer', minimum: 1 },
        },
        required: ['name'],
        not: { required: ['expiresAt', 'expiresInDays'] },
        additionalProperties: false,
      },
      result: { ...keySchema, properties: { ...keySchema.properties, key: { type: 'string' } }, required: [...keySchema.required, 'key'] },
      async handler(params, ctx) {
        const capability = 'auth.keys.create';
        const { caller } = ctx;
        const owner = await requireUser(state.db, selfOr(caller, params.user, 'user', capability), capability);
        assertSelfOrAdmin(caller, capability, owner.id);
        if (owner.disabled_at !== null) throw invalidParam(capability, 'user', `names a disabled user ('${owner.username}')`);
        const now = state.now();
        const expiresAt = params.expiresAt ?? (params.expiresInDays === undefined ? null : now + Math.round(params.expiresInDays * DAY_MS));
        if (expiresAt !== null && expiresAt <= now) throw invalidParam(capability, 'expiresAt', 'is not in the future');
        const allowedCapabilities = scopesFor(caller, params.allowedCapabilities, capability);
        return state.database.transaction(async (trx) => {
          const issued = await insertKey(state, trx, {
            userId: owner.id, name: params.name, expiresAt, allowedModels: params.allowedModels ?? null, allowedCapabilities, rpm: params.rpm ?? null, tpm: params.tpm ?? null,
          });
          await state.audit({ actor: actorOf(caller), action: 'key.create', target: issued.id, outcome: 'ok', detail: { prefix: issued.prefix, userId: owner.id, name: params.name } }, trx);
          return issued;
        });
      },
    }),

    'auth.keys.list': defineCapability<{ user?: string }, KeyView[]>({
      description: "API keys without their secrets: an admin's call lists everyone's (or `user`'s); a user's call lists their own.",
      params: { type: 'object', properties: { user: userRef }, additionalProperties: false },
      result: { type: 'array', items: keySchema },
      async handler({ user }, ctx) {
        const capability = 'auth.keys.list';
        const { caller } = ctx;
        if (user === undefined) return listKeys(state.db, isAdmin(caller) ? undefined : selfOr(caller, undefined, 'user', capability));
        const owner = await requireUser(state.db, user, capability);
        assertSelfOrAdmin(caller, capability, owner.id);
        return listKeys(state.db, owner.id);
      },
    }),

    'auth.keys.revoke': defineCapability<{ id: string }, KeyView>({
      description: "Revokes an API key (admin, or the key's owner); it stops working within the gateway's cache time (at most 5 s). Revoking a revoked key answers it unchanged.",
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['id'], additionalProperties: false },
      result: keySchema,
      async handler({ id }, ctx) {
        const capability = 'auth.keys.revoke';
        const { caller } = ctx;
        const key = await findKey(state.db, id);
        if (!key) throw invalidParam(capability, 'id', `names no key: '${id}'`);
        assertSelfOrAdmin(caller, capability, key.user_id);
        if (key.revoked_at !== null) return keyView(key);
        return state.database.transaction(async (trx) => {
          const revoked = await trx.updateTable('api_keys').set({ revoked_at: state.now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
          await state.audit({ actor: actorOf(caller), action: 'key.revoke', target: id, outcome: 'ok', detail: { prefix: key.prefix, userId: key.user_id } }, trx);
          return keyView(revoked);
        });
      },
    }),
  };
}

/**
 * The capability patterns a new key gets. A caller that is itself limited (a scoped key) can
 * only hand out what it holds: by default its own scopes, and never a pattern they do not cover;
 * otherwise a scoped key could mint an unscoped one.
 */
function scopesFor(caller: Caller, requested: string[] | undefined, capability: string): string[] | null {
  const held = caller.kind === 'user' ? caller.scopes : undefined;
  if (held === undefined) return requested ?? null;
  if (requested === undefined) return [...held];
  const beyond = requested.filter((pattern) => !held.some((scope) => covers(scope, pattern)));
  if (beyond.length > 0) throw forbidden(capability, caller, `cannot grant ${beyond.join(', ')}: the calling key is limited to ${held.join(', ') || 'nothing'}`);
  return requested;
}

/** True when every capability `pattern` matches is also matched by `scope`. */
function covers(scope: string, pattern: string): boolean {
  if (scope === '*' || scope === pattern) return true;
  return scope.endsWith('.*') && pattern !== '*' && pattern.startsWith(scope.slice(0, -1));
}
