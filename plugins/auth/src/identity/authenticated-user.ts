import type { Role } from '../auth-tables.ts';

/** Within this many seconds of a credential's expiry, `auth.authenticate` tells the gateway to cache its answer no longer. */
export const SHORT_TTL_SECONDS = 5;

/** `last_used_at` / `last_seen_at` are written at most this often per key or session. */
export const TOUCH_INTERVAL_MS = 60_000;

/** What `auth.authenticate` answers for a valid credential; the gateway turns it into the caller. */
export interface AuthenticatedUser {
  id: string;
  name: string;
  roles: Role[];
  /** The API key used (bearer), by id. */
  keyId?: string;
  /** The studio session used, by id. */
  sessionId?: string;
  /** The key's allowed capability patterns; absent: whatever the roles allow. */
  scopes?: string[];
  /** Seconds until the credential expires, when that is under SHORT_TTL_SECONDS. */
  ttlSeconds?: number;
}

/** Why a credential was refused (`data.reason` of Unauthenticated). */
export type RejectionReason = 'unknown' | 'expired' | 'revoked' | 'disabled' | 'malformed';

/** A refused credential: the reason, and for the audit log what is safe to name (never the secret). */
export interface Rejection {
  rejected: RejectionReason;
  /** The key or session id when the credential was found. */
  target?: string;
  /** The visible prefix of an API key. */
  prefix?: string;
}

/** `ttlSeconds` for a credential that expires at `expiresAt` (epoch ms, null: never), or undefined when it is far off. */
export function shortTtl(expiresAt: number | null, now: number): number | undefined {
  if (expiresAt === null) return undefined;
  const left = (expiresAt - now) / 1000;
  return left < SHORT_TTL_SECONDS ? Math.max(0, left) : undefined;
}
