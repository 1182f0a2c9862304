import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Shortest password accepted anywhere (create, update, bootstrap). */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest password accepted: enough for any passphrase, short enough that hashing stays cheap. */
export const MAX_PASSWORD_LENGTH = 1024;

// OWASP's scrypt baseline: N=2^14, r=8, p=1 costs ~16 MiB and tens of ms per hash.
const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** A password as the users table keeps it: scrypt output and salt, both base64. */
export interface PasswordHash {
  hash: string;
  salt: string;
}

/** Hashes `password` with a fresh random salt. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt);
  return { hash: hash.toString('base64'), salt: salt.toString('base64') };
}

/** True when `password` matches the stored hash; compared in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(password, Buffer.from(stored.salt, 'base64'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// Verifying against this costs what a real check costs, so a login for an unknown user takes as long as a wrong password.
const dummy: Promise<PasswordHash> = hashPassword(randomBytes(16).toString('hex'));

/** Spends the time of one password check and answers false: for users that do not exist or have no password. */
export async function verifyNothing(password: string): Promise<false> {
  await verifyPassword(password, await dummy);
  return false;
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
