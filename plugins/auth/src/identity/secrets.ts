import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Every API key starts with this, so secret scanners and people recognise one. */
export const API_KEY_SCHEME = 'cds_';

// cds_<8 lowercase hex>_<32 random bytes as base64url: 43 characters>
const API_KEY_PATTERN = /^cds_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;
// 32 random bytes as base64url.
const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A new secret and what the database keeps of it. */
export interface IssuedSecret {
  /** Shown once to whoever asked for it, never stored. */
  secret: string;
  /** SHA-256 (hex) of the secret: the lookup key in the database. */
  digest: string;
}

/** SHA-256 (hex) of `value`; keys and tokens are long random strings, so a plain digest is enough (no salt, no stretching). */
export function digestOf(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A new API key `cds_<8 hex>_<32 random bytes base64url>`, its digest and its visible prefix `cds_<8 hex>`. */
export function newApiKey(): IssuedSecret & { prefix: string } {
  const prefix = `${API_KEY_SCHEME}${randomBytes(4).toString('hex')}`;
  const secret = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { secret, digest: digestOf(secret), prefix };
}

/** A new session token: 32 random bytes, base64url. */
export function newSessionToken(): IssuedSecret {
  const secret = randomBytes(32).toString('base64url');
  return { secret, digest: digestOf(secret) };
}

/** The visible prefix of a well-formed API key, or undefined when `value` is not one. */
export function apiKeyPrefix(value: string): string | undefined {
  return API_KEY_PATTERN.test(value) ? value.slice(0, API_KEY_SCHEME.length + 8) : undefined;
}

/** True when `value` has the shape of an API key (it may still be unknown). */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_SCHEME);
}

/** True when `value` has the shape of a session token. */
export function isSessionTokenShaped(value: string): boolean {
  return SESSION_TOKEN_PATTERN.test(value);
}

/** A random password of `length` characters without look-alikes (0/O, 1/l/I), for the first admin. */
export function randomPassword(length = 24): string {
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}
