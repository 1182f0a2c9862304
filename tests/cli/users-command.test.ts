import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cliEnv, cliPath, closedPort, runCli } from './support/run-cli.ts';
import { ROOT_KEY, TIME, useAuthAdminCli } from './support/auth-admin-cli.ts';

const setup = useAuthAdminCli();
const { cli, addUser, usersJson, createKey, login } = setup;

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
    const terminal = execa('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', process.execPath, cliPath, 'users', 'add', 'joan', '--url', setup.test.url], {
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
