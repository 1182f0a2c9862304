import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { ADMIN_PASSWORD, identityPerTest, rejectionOf, startIdentity } from './support/identity-harness.ts';

const open = identityPerTest();

describe('the first admin', () => {
  it('is created with the password from CYBERSTUDIO_ADMIN_PASSWORD, as an unlimited admin named by the config', async () => {
    const auth = await open({ config: { adminUsername: 'root' } });

    const users = await auth.plugin.call<any[]>('auth.users.list');
    const login = await auth.plugin.call<any>('auth.login', { username: 'root', password: ADMIN_PASSWORD });

    expect(users).toEqual([expect.objectContaining({ username: 'root', role: 'admin', unlimited: true, disabledAt: null })]);
    expect(login.user).toMatchObject({ username: 'root', role: 'admin' });
  });

  it('gets a generated password written only to initial-admin-password, readable by its owner alone', async () => {
    const auth = await open({ env: {} });

    const file = join(auth.dataDir, 'initial-admin-password');
    const password = (await readFile(file, 'utf8')).trim();
    const login = await auth.plugin.call<any>('auth.login', { username: 'admin', password });
    await auth.plugin.flush();

    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(login.user.username).toBe('admin');
    expect(JSON.stringify(auth.plugin.logs)).not.toContain(password);
    expect(auth.plugin.logs.some((record) => String(record.msg).includes(file))).toBe(true);
  });

  it('gets an API key written only to operator-key, readable by its owner alone, that authenticates as the admin', async () => {
    const auth = await open({ env: {} });

    const file = join(auth.dataDir, 'operator-key');
    const key = (await readFile(file, 'utf8')).trim();
    const identity = await auth.plugin.call<any>('auth.authenticate', { credential: { kind: 'bearer', value: key } });
    const keys = await auth.plugin.call<any[]>('auth.keys.list');
    await auth.plugin.flush();

    expect(key).toMatch(/^cds_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(identity).toMatchObject({ name: 'admin', roles: ['admin'] });
    expect(keys).toEqual([expect.objectContaining({ name: 'operator', prefix: key.slice(0, 12) })]);
    expect(JSON.stringify(auth.plugin.logs)).not.toContain(key);
  });

  it('is not created again when users exist: a later start keeps the first password', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cds-identity-'));
    try {
      await (await startIdentity({ dataDir })).close();

      const again = await open({ dataDir, env: { CYBERSTUDIO_ADMIN_PASSWORD: 'another-password' } });
      const users = await again.plugin.call<any[]>('auth.users.list');
      const login = await again.plugin.call<any>('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      await again.close();

      expect(users).toHaveLength(1);
      expect(login.user.username).toBe('admin');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start when CYBERSTUDIO_ADMIN_PASSWORD is shorter than 8 characters, without echoing it', async () => {
    const error = await rejectionOf(startIdentity({ env: { CYBERSTUDIO_ADMIN_PASSWORD: 'short' } }));

    expect(error.message).toContain('CYBERSTUDIO_ADMIN_PASSWORD must hold at least 8 characters');
    expect(error.message).not.toContain("'short'");
    expect(error.code).not.toBe(ErrorCode.Unauthenticated);
  });

  it('is audited as user.bootstrap, naming where the password came from but not the password', async () => {
    const auth = await open();

    const [entry] = await auth.audit();

    expect(entry).toMatchObject({ actor: 'auth', action: 'user.bootstrap', outcome: 'ok', detail: { username: 'admin', passwordSource: 'environment' } });
    expect(JSON.stringify(entry)).not.toContain(ADMIN_PASSWORD);
  });
});
