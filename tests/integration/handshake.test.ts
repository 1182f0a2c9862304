import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { failure } from './support/assertions.ts';
import { ECHO_CAPABILITIES } from './support/echo-fixture.ts';
import { pidsWithArg, run } from './support/processes.ts';
import { fixture, kernelPerTest } from './support/test-kernel.ts';

// A failed start must not be retried behind the test's back.
const noRestart = { policy: 'never' };

/** Opens a kernel that is not started yet, closed after the test. */
const open = kernelPerTest({ start: false });

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
    expect(info.handshake.capabilities.map((capability) => capability.name).sort()).toEqual([...ECHO_CAPABILITIES].sort());
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
