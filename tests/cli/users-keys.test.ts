import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../gateway/support/test-gateway.ts';
import { fixture } from '../integration/support/test-kernel.ts';
import { cliEnv, cliPath, closedPort, runCli, type CliResult, type CliRunOptions } from './support/run-cli.ts';

// The auth-admin-stub fixture stands in for plugins/auth: the admin capabilities in memory,
// and the gateway's identity provider. Bearer "root-key" is its seeded admin "root"; keys it
// creates sign in as their owner. One kernel serves the file, so every test uses its own users.
const ROOT_KEY = 'root-key';
const API_KEY = /^cds_[0-9a-f]{8}_[A-Za-z0-9_-]{43}\n$/;
const TIME = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`;
const DAY_MS = 86_400_000;

const authAdminStub = {
  name: 'auth',
  entrypoint: fixture('auth-admin-stub/main.ts'),
  activation: 'startup',
  capabilities: [
    'auth.authenticate', 'auth.login', 'auth.users.list', 'auth.users.create', 'auth.users.update', 'auth.users.disable',
    'auth.balance.set', 'auth.keys.create', 'auth.keys.list', 'auth.keys.revoke',
  ],
};

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway([authAdminStub], {
    gateway: {
      // cacheSeconds 0: a revoked key is refused on its next request.
      auth: { capability: 'auth.authenticate', cacheSeconds: 0 },
      access: [
        { roles: ['admin'], call: ['*'], subscribe: ['*'] },
        { roles: ['developer', 'viewer'], call: ['auth.*'], subscribe: [] },
      ],
    },
  });
});
afterAll(async () => {
  await test?.close();
});

/** Runs the CLI against the test gateway as root, unless `options.env` sets another key. */
function cli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  return runCli([...args, '--url', test.url], { ...options, env: { CYBERSTUDIO_API_KEY: ROOT_KEY, ...options.env } });
}

async function addUser(username: string, ...flags: string[]): Promise<void> {
  const result = await cli(['users', 'add', username, ...flags]);
  expect(result.exitCode, result.stderr).toBe(0);
}

async function usersJson(): Promise<Record<string, unknown>[]> {
  return JSON.parse((await cli(['users', 'list', '--json'])).stdout) as Record<string, unknown>[];
}

async function createKey(username: string): Promise<string> {
  const result = await cli(['keys', 'create', '--user', username, '--quiet']);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

function login(username: string, password: string): Promise<unknown> {
  return test.kernel.bus.call('auth.login', { username, password }, { caller: { kind: 'kernel' } });
}

describe('cyberstudio users', () => {
  it('add creates a user with the given role and balance and prints it', async () => {
    const result = await cli(['users', 'add', 'ada', '--role', 'developer', '--balance', '1000']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ada \(id u\d+\): developer, balance 1000, enabled$/);
    expect(await usersJson()).toContainEqual(expect.objectContaining({ username: 'ada', role: 'developer', balance: 1000, unlimited: false }));
  });

  it('add on a pipe without --password-stdin creates a user without a password', async () => {
    const result = await cli(['users', 'add', 'kenneth']);

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('no password: kenneth signs in with API keys only');
    await expect(login('kenneth', '')).rejects.toMatchObject({ code: -32012 });
  });

  it('add --password-stdin sends the password from stdin and never prints it', async () => {
    const password = 'correct horse battery staple';

    const result = await cli(['users', 'add', 'margaret', '--password-stdin'], { input: `${password}\n` });

    expect(result.exitCode).toBe(0);
    expect(await login('margaret', password)).toMatchObject({ user: { username: 'margaret' } });
    expect(result.stdout).not.toContain(password);
    expect(result.stderr).not.toContain(password);
  });

  it('add on a terminal asks for the password twice without echoing it', async () => {
    const password = 'typed at the prompt';
    // python's pty.spawn gives the CLI a terminal and relays it to our pipes.
    const terminal = execa('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', process.execPath, cliPath, 'users', 'add', 'joan', '--url', test.url], {
      env: cliEnv({ CYBERSTUDIO_API_KEY: ROOT_KEY }), extendEnv: false, reject: false, encoding: 'utf8', timeout: 25_000,
    });
    let screen = '';
    terminal.stdout.on('data', (chunk: string) => (screen += chunk));
    const shown = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!screen.includes(text)) return;
          terminal.stdout.off('data', check);
          resolve();
        };
        terminal.stdout.on('data', check);
        check();
      });

    await shown('Password for joan');
    terminal.stdin.write(`${password}\r`);
    await shown('Repeat the password');
    terminal.stdin.write(`${password}\r`);
    await shown('joan (id');
    terminal.stdin.end();
    const result = await terminal;

    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain(password);
    expect(await login('joan', password)).toMatchObject({ user: { username: 'joan' } });
  });

  it('set-password --password-stdin sets a new password', async () => {
    await addUser('alonzo');

    const result = await cli(['users', 'set-password', 'alonzo', '--password-stdin'], { input: 'lambda calculus' });

    expect(result.exitCode).toBe(0);
    expect(await login('alonzo', 'lambda calculus')).toMatchObject({ user: { username: 'alonzo' } });
  });

  it('refuses a --password flag without repeating its value', async () => {
    const result = await cli(['users', 'add', 'mallory', '--password=hunter2hunter2']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('there is no --password flag');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('list prints a table with one row per user', async () => {
    await addUser('grace', '--role', 'viewer', '--balance', '5');

    const result = await cli(['users', 'list']);

    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.split('\n');
    expect(header).toMatch(/^USERNAME\s+ROLE\s+BALANCE\s+STATUS\s+CREATED$/);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^root\\s+admin\\s+unlimited\\s+enabled\\s+${TIME}$`)));
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^grace\\s+viewer\\s+5\\s+enabled\\s+${TIME}$`)));
  });

  it('list --json prints the auth.users.list array', async () => {
    const result = await cli(['users', 'list', '--json']);

    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toContainEqual(expect.objectContaining({ id: 'u0', username: 'root', role: 'admin', unlimited: true }));
  });

  it('set-role changes a user\'s role', async () => {
    await addUser('linus', '--role', 'viewer');

    const result = await cli(['users', 'set-role', 'linus', 'admin']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^linus \(id u\d+\): admin, /);
    expect(await usersJson()).toContainEqual(expect.objectContaining({ username: 'linus', role: 'admin' }));
  });

  it('set-balance <n> sets the balance', async () => {
    await addUser('barbara', '--balance', '10');

    const result = await cli(['users', 'set-balance', 'barbara', '500']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('barbara: balance 500');
  });

  it('set-balance --add adds to the balance, and a negative --add takes from it', async () => {
    await addUser('frances', '--balance', '100');

    const added = await cli(['users', 'set-balance', 'frances', '--add', '25']);
    const taken = await cli(['users', 'set-balance', 'frances', '--add=-50']);

    expect(added.stdout).toBe('frances: balance 125');
    expect(taken.stdout).toBe('frances: balance 75');
  });

  it('set-balance --unlimited lifts the limit and --limited restores it', async () => {
    await addUser('radia', '--balance', '40');

    const lifted = await cli(['users', 'set-balance', 'radia', '--unlimited']);
    const listed = await cli(['users', 'list']);
    const restored = await cli(['users', 'set-balance', 'radia', '--limited', '--json']);

    expect(lifted.stdout).toBe('radia: balance unlimited');
    expect(listed.stdout).toMatch(/^radia\s+developer\s+unlimited\s+enabled\s+/m);
    expect(JSON.parse(restored.stdout)).toMatchObject({ balance: 40, unlimited: false });
  });

  it('disable shows the user as disabled', async () => {
    await addUser('edsger');

    const result = await cli(['users', 'disable', 'edsger']);
    const listed = await cli(['users', 'list']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^edsger \(id u\d+\): developer, balance 0, disabled$/);
    expect(listed.stdout).toMatch(/^edsger\s+developer\s+0\s+disabled\s+/m);
  });

  it('enable lets a disabled user in again', async () => {
    await addUser('donald');
    await cli(['users', 'disable', 'donald']);

    const result = await cli(['users', 'enable', 'donald']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/, enabled$/);
    expect(await usersJson()).toContainEqual(expect.objectContaining({ username: 'donald', disabledAt: null }));
  });

  it('exits 2 for an unknown role without creating the user', async () => {
    const result = await cli(['users', 'add', 'tony', '--role', 'superuser']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("the role must be one of admin, developer, viewer, not 'superuser'");
    expect(result.stderr).toContain("Run 'cyberstudio users --help' for usage.");
    expect(await usersJson()).not.toContainEqual(expect.objectContaining({ username: 'tony' }));
  });

  it('exits 2 for a flag of another subcommand', async () => {
    const result = await cli(['users', 'list', '--role', 'admin']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--role does not apply to 'users list'");
  });

  it('exits 1 with the kernel\'s message for a user that does not exist', async () => {
    const result = await cli(['users', 'set-role', 'nobody', 'viewer']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Invalid params for auth.users.update: /user names no user: 'nobody' [CapabilityInvalidParams -32007]");
  });

  it('exits 1 with a hint at --key when the key lacks the admin role', async () => {
    await addUser('alan', '--role', 'developer');
    const key = await createKey('alan');

    const result = await cli(['users', 'list'], { env: { CYBERSTUDIO_API_KEY: key } });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('[Forbidden -32008]');
    expect(result.stderr).toContain('hint: the API key in use (--key / CYBERSTUDIO_API_KEY) lacks the role this needs');
  });

  it('exits 6 when no kernel answers at the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const result = await runCli(['users', 'list', '--url', url]);

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toBe(`cyberstudio: no kernel answering at ${url} (start one with: npm start)`);
  });
});

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

describe('help of users and keys', () => {
  it('cyberstudio --help lists users and keys', async () => {
    const result = await runCli(['--help']);

    expect(result.stdout).toContain('users add|list|set-role|set-balance|disable|enable');
    expect(result.stdout).toContain('keys create|list|revoke');
  });

  it.each([
    [['users', '--help'], 'Usage: cyberstudio users <subcommand>', 'There is deliberately no --password flag'],
    [['users', 'add', '-h'], 'Usage: cyberstudio users <subcommand>', '--password-stdin'],
    [['keys', '--help'], 'Usage: cyberstudio keys <subcommand>', 'KEY=$(cyberstudio keys create --user ada)'],
  ])('%j prints its usage, the common options and the exit codes', async (args, usage, text) => {
    const result = await runCli(args);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(usage);
    expect(result.stdout).toContain(text);
    expect(result.stdout).toContain('--key <key>');
    expect(result.stdout).toContain('2  usage error');
    expect(result.stdout).toContain('6  no running kernel answered at the gateway URL');
  });
});
