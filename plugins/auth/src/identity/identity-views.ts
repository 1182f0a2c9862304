// The shapes the identity capabilities answer with. No imports: the studio's browser build
// checks its users and keys pages against these types.

/** A role: admin (everything), developer (LLM, scripts, executor, repoagent), viewer (read-only). */
export type Role = 'admin' | 'developer' | 'viewer';

/** A user as capabilities answer it: no password hash, no salt, booleans as booleans. */
export interface UserView {
  id: string;
  username: string;
  role: Role;
  balance: number;
  unlimited: boolean;
  createdAt: number;
  disabledAt: number | null;
  /** Epoch ms until which logins are refused; null when not locked (or the lock has passed). */
  lockedUntil: number | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
}

/** An API key as capabilities answer it: everything but the secret and its digest. */
export interface KeyView {
  id: string;
  userId: string;
  name: string;
  /** The visible start of the key, `cds_<8 hex>`, to tell keys apart. */
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** Model ids the key may spend tokens on; null: any model. */
  allowedModels: string[] | null;
  /** Capability patterns the key may call; null: whatever the owner's role allows. */
  allowedCapabilities: string[] | null;
  rpm: number | null;
  tpm: number | null;
}

/** A new key: the view plus the key itself, shown this once. */
export interface IssuedKey extends KeyView {
  key: string;
}
