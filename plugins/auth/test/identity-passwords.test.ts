import { describe, expect, it } from 'vitest';
import { hashPassword, verifyNothing, verifyPassword } from '../src/identity/passwords.ts';
import { apiKeyPrefix, digestOf, newApiKey, newSessionToken } from '../src/identity/secrets.ts';

describe('passwords', () => {
  it('verifies the password a hash was made from and no other', async () => {
    const stored = await hashPassword('correct horse battery');

    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('salts each hash: the same password twice gives different 32-byte hashes', async () => {
    const first = await hashPassword('same-password');
    const second = await hashPassword('same-password');

    expect(first.hash).not.toBe(second.hash);
    expect(Buffer.from(first.hash, 'base64')).toHaveLength(32);
    expect(Buffer.from(first.salt, 'base64')).toHaveLength(16);
  });

  it('checks against nothing as a refusal', async () => {
    expect(await verifyNothing('any-password')).toBe(false);
  });
});

describe('secrets', () => {
  it('makes API keys whose prefix is readable back and whose digest is their SHA-256', () => {
    const issued = newApiKey();

    expect(apiKeyPrefix(issued.secret)).toBe(issued.prefix);
    expect(issued.digest).toBe(digestOf(issued.secret));
    expect(apiKeyPrefix(`${issued.secret}x`)).toBeUndefined();
  });

  it('makes a different session token each time', () => {
    expect(newSessionToken().secret).not.toBe(newSessionToken().secret);
  });
});
