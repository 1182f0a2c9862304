import type { Generated } from '@cyberstudio/database';
import type { Role } from './identity/identity-views.ts';

export type { Role } from './identity/identity-views.ts';

/** `users`: one account. Times are epoch ms; booleans are 0/1. */
export interface UsersTable {
  id: string;
  username: string;
  role: Role;
  /** scrypt hash (base64) of the password with `password_salt`; null: no password login (key-only user). */
  password_hash: string | null;
  password_salt: string | null;
  /** Tokens the user may still spend; never below zero. */
  balance: number;
  /** 1: metering records usage but never refuses for balance (an explicit admin setting). */
  unlimited: Generated<number>;
  created_at: number;
  disabled_at: number | null;
  failed_logins: Generated<number>;
  locked_until: number | null;
  /** Sliding-window limits for the user across all keys; null: no limit. */
  rpm_limit: number | null;
  tpm_limit: number | null;
}

/** `sessions`: opaque studio session tokens, stored as SHA-256 digests. */
export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_seen_at: number;
}

/** `api_keys`: keys stored as SHA-256 digests with a visible prefix. */
export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  /** The visible start of the key (`cds_ab12cd34`), shown in lists. */
  prefix: string;
  key_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  /** JSON array of model ids; null: any model. */
  allowed_models: string | null;
  /** JSON array of capability patterns; null: whatever the user's role allows. */
  allowed_capabilities: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
}

/** `reservations`: tokens held for one generation until it is committed or released. */
export interface ReservationsTable {
  id: string;
  user_id: string;
  key_id: string | null;
  model: string;
  tokens: number;
  /** 1: made for an unlimited user, so `tokens` were not taken from the balance and settling gives none back. */
  unlimited: Generated<number>;
  state: 'open' | 'committed' | 'released' | 'expired';
  created_at: number;
  expires_at: number;
  settled_at: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** The plugin that reserved it (caller kind plugin); null for users and the kernel. */
  holder: string | null;
  /** Tokens the holder has reported delivered so far (auth.usage.progress); charged if the holder's process dies. */
  delivered_prompt_tokens: Generated<number>;
  delivered_completion_tokens: Generated<number>;
}

/** `usage_daily`: spent tokens per user, key, model and UTC day (YYYY-MM-DD). */
export interface UsageDailyTable {
  user_id: string;
  key_id: string;
  model: string;
  day: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
}

/** `audit`: admin actions and authentication failures. Never holds a password, key or token. */
export interface AuditTable {
  id: Generated<number>;
  time: number;
  /** Who acted: a user id, `kernel`, a plugin name, or `anonymous`. */
  actor: string;
  action: string;
  /** What it acted on: a user id, key id, ...; null when none. */
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  /** JSON object with details (never secrets). */
  detail: string | null;
}

/** Every table of the auth database. */
export interface AuthTables {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  reservations: ReservationsTable;
  usage_daily: UsageDailyTable;
  audit: AuditTable;
}
