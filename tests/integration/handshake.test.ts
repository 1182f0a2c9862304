import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, repoRoot, startTestKernel, type TestKernel } from './support/test-kernel.ts';

const echoCapabilities = [
  'echo.echo', 'echo.slow', 'echo.aborts', 'echo.stream', 'echo.call', 'echo.emit', 'echo.subscribe',
  'echo.unsubscribe', 'echo.events', 'echo.log', 'echo.fail', 'echo.whoami', 'echo.config', 'echo.pid',
];
// A failed start must not be retried behind the test's back.
const noRestart = { policy: 'never' };

let current: TestKernel | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function open(plugins: object[]): Promise<TestKernel> {
  current = await startTestKernel(plugins, { start: false });
  return current;
}

/** The error `promise` rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: unknown; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: unknown; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

/** Pids of live processes with `token` among their arguments (Linux /proc). */
function pidsWithArg(token: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(token)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Runs `args` under node with `env`, collecting its output; resolves when it exits. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function envWithoutCookie(): NodeJS.ProcessEnv {
  const { CYBERSTUDIO_PLUGIN_COOKIE: _cookie, ...env } = process.env;
  return env;
}

describe('handshake', () => {
  it('brings a well-behaved plugin to running and records the capabilities of its handshake', async () => {
    const { kernel, waitForState } = await open([{ name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup' }]);
    await kernel.start();
    await waitForState('echo', 'running');

    const info = (await kernel.call('kernel.plugins.get', { plugin: 'echo' })) as { handshake: { name: string; protocolVersion: number; capabilities: { name: string }[] } };
    expect(info.handshake.name).toBe('echo');
    expect(info.handshake.protocolVersion).toBe(1);
    expect(info.handshake.capabilities.map((capability) => capability.name).sort()).toEqual([...echoCapabilities].sort());
    const listed = (await kernel.call('kernel.plugins.capabilities', { plugin: 'echo' })) as { name: string; description: string | null }[];
    expect(listed.find((entry) => entry.name === 'echo.echo')?.description).toBe('Returns its params (without _meta).');
  });

  it('fails the start with CDS_ERR_HANDSHAKE_MISMATCH naming the undeclared and the missing capability', async () => {
    const { kernel } = await open([
      { name: 'mismatch', entrypoint: fixture('mismatch/main.mjs'), capabilities: ['mismatch.a', 'mismatch.b'], restart: noRestart },
    ]);

    const error = await failure(kernel.supervisor('mismatch').start());

    expect(error.code).toBe('CDS_ERR_HANDSHAKE_MISMATCH');
    expect(error.message).toContain('mismatch.extra');
    expect(error.message).toContain('mismatch.b');
    expect(kernel.supervisor('mismatch').state).toBe('crashed');
  });

  it('fails a plugin that does not answer initialize in time with CDS_ERR_HANDSHAKE_TIMEOUT and kills it', async () => {
    const token = `cds-test-${randomUUID()}`;
    const { kernel } = await open([
      {
        name: 'sleepy', entrypoint: fixture('slow-init/main.mjs'), args: [token], capabilities: ['slowinit.ping'],
        env: { FIXTURE_INIT_DELAY_MS: '20000' }, healthcheck: { startTimeoutSeconds: 0.5 }, restart: noRestart,
      },
    ]);

    const started = Date.now();
    const error = await failure(kernel.supervisor('sleepy').start());

    expect(error.code).toBe('CDS_ERR_HANDSHAKE_TIMEOUT');
    expect(error.message).toContain('500 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(pidsWithArg(token)).toEqual([]);
  });

  it('reports the exit code of a plugin that exits before the handshake', async () => {
    const { kernel } = await open([
      { name: 'crasher', entrypoint: fixture('crash-on-start/main.mjs'), capabilities: ['crasher.never'], env: { FIXTURE_EXIT_CODE: '5' }, restart: noRestart },
    ]);

    const error = await failure(kernel.supervisor('crasher').start());

    expect(error.code).toBe('CDS_ERR_HANDSHAKE_FAILED');
    expect(error.message).toContain('exited with code 5');
  });

  it("reports a plugin's -32010 refusal of the offered protocol versions, not just its exit", async () => {
    const { kernel } = await open([{ name: 'old', entrypoint: fixture('bad-version/main.mjs'), capabilities: ['old.never'], restart: noRestart }]);

    const error = await failure(kernel.supervisor('old').start());

    expect(error.code).toBe('CDS_ERR_HANDSHAKE_FAILED');
    // The fixture's refusal reads "Plugin speaks protocol 99..99, kernel offered {...}".
    expect(error.message).toContain('Plugin speaks protocol 99..99');
    expect(error.details).toMatchObject({ code: -32010, data: { supported: { min: 99, max: 99 } } });
  });

  it('fails a plugin whose entrypoint file does not exist with an error naming the file', async () => {
    const missing = fixture('echo/no-such-file.mjs');
    const { kernel } = await open([{ name: 'ghost', entrypoint: missing, capabilities: ['ghost.never'], restart: noRestart }]);

    const error = await failure(kernel.supervisor('ghost').start());

    expect(error.message).toContain(missing);
  });

  it('fails a plugin whose entrypoint directory does not exist with an error naming the entrypoint, not the interpreter', async () => {
    const missing = fixture('no-such-folder/main.mjs');
    const { kernel } = await open([{ name: 'ghost', entrypoint: missing, capabilities: ['ghost.never'], restart: noRestart }]);

    const error = await failure(kernel.supervisor('ghost').start());

    expect(error.message).toContain(missing);
  });

  it('makes an SDK plugin run by hand without the cookie explain itself on stderr and exit 1', async () => {
    const result = await run(['--import', 'tsx', fixture('echo/main.ts')], envWithoutCookie());

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('CyberDevStudio plugin');
    expect(result.stderr).toContain('plugins.json');
  });

  it('makes a raw-protocol plugin run by hand without the cookie explain itself on stderr and exit 1', async () => {
    const result = await run([fixture('crash-mid-call/main.mjs')], envWithoutCookie());

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('CyberDevStudio plugin');
    expect(result.stderr).toContain('cyberstudio start');
  });
});
