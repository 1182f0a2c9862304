import type { Kysely, Selectable } from '@cyberstudio/database';
import type { AuthState } from '../auth-state.ts';
import type { ApiKeysTable, AuthTables } from '../auth-tables.ts';
import { TOUCH_INTERVAL_MS, shortTtl, type AuthenticatedUser, type Rejection } from './authenticated-user.ts';
import type { IssuedKey, KeyView } from './identity-views.ts';
import { apiKeyPrefix, digestOf, newApiKey } from './secrets.ts';

export type { IssuedKey, KeyView } from './identity-views.ts';

/** What a new key is made of, already checked. */
export interface KeySpec {
  userId: string;
  name: string;
  expiresAt: number | null;
  allowedModels: string[] | null;
  allowedCapabilities: string[] | null;
  rpm: number | null;
  tpm: number | null;
}

/** The public view of a key row. */
export function keyView(row: Selectable<ApiKeysTable>): KeyView {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    allowedModels: parseList(row.allowed_models),
    allowedCapabilities: parseList(row.allowed_capabilities),
    rpm: row.rpm_limit,
    tpm: row.tpm_limit,
  };
}

/** Stores a new key (only its digest) inside `trx` and returns it with its secret. */
export async function insertKey(state: AuthState, trx: Kysely<AuthTables>, spec: KeySpec): Promise<IssuedKey> {
  const { secret, digest, prefix } = newApiKey();
  const row = await trx.insertInto('api_keys').values({
    id: state.newId('k'),
    user_id: spec.userId,
    name: spec.name,
    prefix,
    key_hash: digest,
    created_at: state.now(),
    expires_at: spec.expiresAt,
    revoked_at: null,
    last_used_at: null,
    allowed_models: spec.allowedModels === null ? null : JSON.stringify(spec.allowedModels),
    allowed_capabilities: spec.allowedCapabilities === null ? null : JSON.stringify(spec.allowedCapabilities),
    rpm_limit: spec.rpm,
    tpm_limit: spec.tpm,
  }).returningAll().executeTakeFirstOrThrow();
  return { key: secret, ...keyView(row) };
}

/** Keys of `userId`, or of everyone without one; oldest first. */
export async function listKeys(db: Kysely<AuthTables>, userId?: string): Promise<KeyView[]> {
  let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return (await query.execute()).map(keyView);
}

/** The key row with id `id`, or undefined. */
export async function findKey(db: Kysely<AuthTables>, id: string): Promise<Selectable<ApiKeysTable> | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The user an API key belongs to, or why it is refused. Notes the key as used at most once a minute. */
export async function authenticateKey(state: AuthState, key: string): Promise<AuthenticatedUser | Rejection> {
  const prefix = apiKeyPrefix(key);
  if (prefix === undefined) return { rejected: 'malformed' };
  const row = await state.db.selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['api_keys.id as keyId', 'api_keys.expires_at', 'api_keys.revoked_at', 'api_keys.last_used_at', 'api_keys.allowed_capabilities', 'users.id as userId', 'users.username', 'users.role', 'users.disabled_at'])
    .where('api_keys.key_hash', '=', digestOf(key))
    .executeTakeFirst();
  if (!row) return { rejected: 'unknown', prefix };
  const now = state.now();
  if (row.revoked_at !== null) return { rejected: 'revoked', target: row.keyId, prefix };
  if (row.expires_at !== null && row.expires_at <= now) return { rejected: 'expired', target: row.keyId, prefix };
  if (row.disabled_at !== null) return { rejected: 'disabled', target: row.keyId, prefix };
  if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) {
    await state.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.keyId).execute();
  }
  const user: AuthenticatedUser = { id: row.userId, name: row.username, roles: [row.role], keyId: row.keyId };
  const scopes = parseList(row.allowed_capabilities);
  if (scopes !== null) user.scopes = scopes;
  const ttlSeconds = shortTtl(row.expires_at, now);
  if (ttlSeconds !== undefined) user.ttlSeconds = ttlSeconds;
  return user;
}

function parseList(json: string | null): string[] | null {
  return json === null ? null : (JSON.parse(json) as string[]);
}
