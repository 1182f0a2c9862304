import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pidsWithArg, run, type RunResult } from './support/processes.ts';
import { fixture, isAlive, repoRoot } from './support/test-kernel.ts';

const cli = join(repoRoot, 'kernel', 'bin', 'cyberstudio.mjs');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cds-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function registry(plugins: object[]): Promise<string> {
  const file = join(await tempDir(), 'plugins.json');
  await writeFile(file, JSON.stringify({ plugins }, null, 2));
  return file;
}

/** Runs the CLI from the repository root to its exit, with this process's environment and no stdin. */
function runCli(args: string[]): Promise<RunResult> {
  return run([cli, ...args], undefined, { stdin: 'ignore' });
}

describe('cyberstudio --help', () => {
  it('exits 0 and describes the commands and the exit codes', async () => {
    const result = await runCli(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('start');
    expect(result.stdout).toContain('plugins validate');
    expect(result.stdout).toContain('Exit codes');
    expect(result.stdout).toContain('3  plugins.json missing or invalid');
  });

  it('describes the options of start with start --help', async () => {
    const result = await runCli(['start', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: cyberstudio start');
    expect(result.stdout).toContain('--plugins <file>');
    expect(result.stdout).toContain('--data <dir>');
    expect(result.stdout).toContain('Exit codes');
  });

  it('exits 2 naming an unknown command', async () => {
    const result = await runCli(['frobnicate']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('cyberstudio plugins validate', () => {
  it('exits 0 for a valid registry', async () => {
    const file = await registry([{ name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup' }]);

    const result = await runCli(['plugins', 'validate', file]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid, 1 plugin(s): echo (startup)');
  });

  it('exits 3 naming the plugin and the misspelt field of an invalid registry', async () => {
    const file = await registry([{ name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup', autostrat: true }]);

    const result = await runCli(['plugins', 'validate', file]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain("plugin 'echo': unknown field 'autostrat' (did you mean 'autostart'?)");
  });
});

describe('cyberstudio start', () => {
  it('exits 3 naming a registry file that does not exist', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'nowhere.json');

    const result = await runCli(['start', '--plugins', missing, '--data', join(dir, 'data')]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain('does not exist');
  });

  it('logs JSON lines, runs the startup plugins, and on SIGINT stops them and exits 0', async () => {
    const token = `cds-test-${randomUUID()}`;
    const file = await registry([{ name: 'echo', entrypoint: fixture('echo/main.ts'), args: [token], activation: 'startup' }]);
    const child = spawn(process.execPath, [cli, 'start', '--plugins', file, '--data', join(file, '..', 'data'), '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const messages = () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);

    await vi.waitFor(() => expect(messages()).toContain('kernel ready'), { timeout: 20_000, interval: 50 });
    const [pid] = pidsWithArg(token);
    expect(pid).toEqual(expect.any(Number));
    cleanups.push(() => void (isAlive(pid!) && process.kill(pid!, 'SIGKILL')));

    child.kill('SIGINT');

    expect(await exited, stderr).toBe(0);
    expect(messages()).toEqual(expect.arrayContaining(['kernel starting', 'kernel ready', 'stopping plugins', 'kernel stopped']));
    expect(lines.find((line) => line.includes('"plugin":"echo"'))).toBeDefined();
    expect(isAlive(pid!)).toBe(false);
  });
});
