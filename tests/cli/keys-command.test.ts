import { describe, expect, it } from 'vitest';
import { API_KEY, DAY_MS, TIME, useAuthAdminCli } from './support/auth-admin-cli.ts';

const { cli, addUser, createKey } = useAuthAdminCli();

describe('cyberstudio keys', () => {
  it('create prints only the new key and a newline on stdout, and its details on stderr', async () => {
    await addUser('hedy');

    const result = await cli(['keys', 'create', '--user', 'hedy'], { keepFinalNewline: true });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(API_KEY);
    expect(result.stderr).toMatch(/^created key k\d+ \(cds_[0-9a-f]{8}\) for hedy, never expires\n$/);
    expect(result.stderr).toContain(result.stdout.slice(0, 12));
  });

  it('create --quiet prints nothing on stderr', async () => {
    await addUser('katherine');

    const result = await cli(['keys', 'create', '--user', 'katherine', '-q'], { keepFinalNewline: true });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(API_KEY);
    expect(result.stderr).toBe('');
  });

  it('a created key signs in as its user', async () => {
    await addUser('john', '--role', 'admin');
    const key = await createKey('john');

    const result = await cli(['users', 'list', '--key', key]);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^john\s+admin\s+/m);
  });

  it('create --json prints the creation result, key included', async () => {
    await addUser('barbara-l');

    const result = await cli(['keys', 'create', '--user', 'barbara-l', '--name', 'laptop', '--json']);

    expect(result.exitCode).toBe(0);
    const created = JSON.parse(result.stdout) as { key: string; prefix: string; name: string };
    expect(`${created.key}\n`).toMatch(API_KEY);
    expect(created).toMatchObject({ name: 'laptop', prefix: created.key.slice(0, 12), revokedAt: null });
  });

  it('create sends the expiry in days, the models, the capabilities and the limits', async () => {
    await addUser('sophie');

    const result = await cli([
      'keys', 'create', '--user', 'sophie', '--name', 'ci', '--expires', '30d', '--models', 'qwen,llama',
      '--capabilities', 'llm.*,hello.echo', '--rpm', '60', '--tpm', '10000', '--json',
    ]);

    expect(result.exitCode).toBe(0);
    const created = JSON.parse(result.stdout) as { createdAt: number; expiresAt: number };
    expect(created).toMatchObject({ name: 'ci', allowedModels: ['qwen', 'llama'], allowedCapabilities: ['llm.*', 'hello.echo'], rpm: 60, tpm: 10000 });
    expect(created.expiresAt - created.createdAt).toBe(30 * DAY_MS);
  });

  it('create --expires with an ISO date expires the key then', async () => {
    await addUser('ida');

    const result = await cli(['keys', 'create', '--user', 'ida', '--expires', '2099-01-31', '--json']);

    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ expiresAt: Date.parse('2099-01-31') });
  });

  it('create exits 2 for an --expires it cannot read', async () => {
    const result = await cli(['keys', 'create', '--user', 'ida', '--expires', 'next week']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--expires must be a number of days (30d) or an ISO date (2026-01-31), not 'next week'");
  });

  it('list prints a table of keys', async () => {
    await addUser('claude');
    const key = await createKey('claude');

    const result = await cli(['keys', 'list']);

    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.split('\n');
    expect(header).toMatch(/^ID\s+PREFIX\s+NAME\s+USER\s+CREATED\s+EXPIRES\s+LAST USED\s+STATUS$/);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^k\\d+\\s+${key.slice(0, 12)}\\s+cli\\s+u\\d+\\s+${TIME}\\s+never\\s+never\\s+active$`)));
  });

  it('list --user lists only that user\'s keys', async () => {
    await addUser('niklaus');
    const key = await createKey('niklaus');

    const result = await cli(['keys', 'list', '--user', 'niklaus', '--json']);

    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ prefix: key.slice(0, 12), name: 'cli' })]);
  });

  it('revoke revokes a key, which then no longer signs in', async () => {
    await addUser('dennis', '--role', 'admin');
    const key = await createKey('dennis');
    const [listed] = JSON.parse((await cli(['keys', 'list', '--user', 'dennis', '--json'])).stdout) as { id: string }[];

    const result = await cli(['keys', 'revoke', listed!.id]);
    const table = await cli(['keys', 'list', '--user', 'dennis']);
    const refused = await cli(['users', 'list'], { env: { CYBERSTUDIO_API_KEY: key } });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`revoked key ${listed!.id} (${key.slice(0, 12)})`);
    expect(table.stdout.split('\n')[1]).toMatch(/\srevoked$/);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('[Unauthenticated -32012]');
  });

  it('revoke exits 1 with the kernel\'s message for an unknown key', async () => {
    const result = await cli(['keys', 'revoke', 'k-none']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("names no key: 'k-none' [CapabilityInvalidParams -32007]");
  });
});
