/** The roles the auth plugin knows: admin (everything), developer (LLM, scripts, executor, repoagent), viewer (read-only). */
export const ROLES = ['admin', 'developer', 'viewer'] as const;

/** One of ROLES. */
export type Role = (typeof ROLES)[number];

/** A user as auth.users.* answers it (times are epoch ms). */
export interface UserRecord {
  id: string;
  username: string;
  role: string;
  balance: number;
  unlimited: boolean | number;
  createdAt: number;
  disabledAt: number | null;
  lockedUntil: number | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

/** What auth.balance.get / auth.balance.set answer. */
export interface BalanceRecord {
  userId: string;
  balance: number;
  unlimited: boolean | number;
  reserved?: number;
}

/** An API key as auth.keys.* answers it: never the key itself, except `key` once from auth.keys.create. */
export interface KeyRecord {
  id: string;
  prefix: string;
  name: string;
  userId: string;
  username?: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt?: number | null;
  revokedAt?: number | null;
}

/** auth.keys.create's answer: the key record plus the key, shown this one time. */
export interface CreatedKey extends KeyRecord {
  key: string;
}

/** `disabled`, `locked` (failed logins, until lockedUntil), or `enabled`. */
export function userStatus(user: UserRecord, now: number = Date.now()): 'enabled' | 'disabled' | 'locked' {
  if (user.disabledAt !== null && user.disabledAt !== undefined) return 'disabled';
  if (user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil > now) return 'locked';
  return 'enabled';
}

/** `revoked`, `expired`, or `active`. */
export function keyStatus(key: KeyRecord, now: number = Date.now()): 'active' | 'revoked' | 'expired' {
  if (key.revokedAt !== null && key.revokedAt !== undefined) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt !== undefined && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** The balance as people read it: `unlimited`, or the number of tokens left. */
export function balanceText(record: { balance: number; unlimited: boolean | number }): string {
  return record.unlimited ? 'unlimited' : String(record.balance);
}

/** One line describing a user: `ada (id u_1): developer, balance 1000, enabled`. */
export function describeUser(user: UserRecord): string {
  return `${user.username} (id ${user.id}): ${user.role}, balance ${balanceText(user)}, ${userStatus(user)}`;
}

/** `YYYY-MM-DD HH:MM` in local time; `fallback` for a missing time. */
export function formatTime(epochMs: number | null | undefined, fallback = '-'): string {
  if (epochMs === null || epochMs === undefined) return fallback;
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
