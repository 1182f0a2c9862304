import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { Defaults, ErrorCode } from '@cyberstudio/sdk';
import type { Failure } from './support/assertions.ts';
import { startCli } from './support/processes.ts';
import { fixture, isAlive, kernelPerTest, repoRoot } from './support/test-kernel.ts';

const COOKIE = { CYBERSTUDIO_PLUGIN_COOKIE: 'cyberstudio-plugin-v1-7f3a9c' };

/** Opens and starts a kernel, closed after the test. */
const open = kernelPerTest();

const settle = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ settledAt: Date.now(), error: undefined as Failure | undefined }),
    (error: Failure) => ({ settledAt: Date.now(), error }),
  );

describe('kernel shutdown', () => {
  it('stops plugins in reverse dependency order and leaves no plugin process behind', async () => {
    // top -> mid -> bottom, listed so that neither file order nor its reverse is the stop order.
    const plugin = (name: string, dependencies: string[]) => ({ name, entrypoint: fixture('echo/main.ts'), activation: 'startup', dependencies });
    const { kernel, states } = await open([plugin('mid', ['bottom']), plugin('top', ['mid']), plugin('bottom', [])]);
    const pids = kernel.supervisors.map((supervisor) => supervisor.process!.pid!);
    expect(pids.every(isAlive)).toBe(true);
    const before = states.length;

    await kernel.close();

    const stopping = states.slice(before).filter((change) => change.to === 'stopping').map((change) => change.plugin);
    const stopped = states.slice(before).filter((change) => change.to === 'stopped').map((change) => change.plugin);
    expect(stopping).toEqual(['top', 'mid', 'bottom']);
    expect(stopped).toEqual(['top', 'mid', 'bottom']);
    // Each dependent is fully stopped before its dependency is asked to stop.
    const order = states.slice(before).map((change) => `${change.plugin}:${change.to}`);
    expect(order.indexOf('top:stopped')).toBeLessThan(order.indexOf('mid:stopping'));
    expect(order.indexOf('mid:stopped')).toBeLessThan(order.indexOf('bottom:stopping'));
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('SIGKILLs a plugin that ignores shutdown, stdin EOF and SIGTERM once shutdownTimeoutSeconds and the kill grace have passed', async () => {
    const { kernel, states } = await open([
      { name: 'wedged', entrypoint: fixture('hang/main.mjs'), capabilities: ['hang.call'], activation: 'startup', shutdownTimeoutSeconds: 0.5 },
    ]);
    const pid = kernel.supervisor('wedged').process!.pid!;
    const started = Date.now();

    await kernel.close();

    const elapsed = Date.now() - started;
    // 0.5 s for the shutdown answer and the exit at stdin EOF together, then SIGTERM and the kill grace.
    expect(elapsed).toBeGreaterThanOrEqual(500 + Defaults.killGraceMs - 100);
    expect(elapsed).toBeLessThan(500 + Defaults.killGraceMs + 3000);
    expect(states.at(-1)).toMatchObject({ plugin: 'wedged', to: 'stopped', reason: expect.stringContaining('killed by SIGKILL') });
    expect(isAlive(pid)).toBe(false);
  });

  it('stops independent plugins in parallel, so one that ignores SIGTERM holds back only the plugins it depends on', async () => {
    // wedged -> base; free depends on nothing. Listed so that the serial stop order is wedged, base, free:
    // serially, free would wait for wedged's whole budget.
    const echo = (name: string) => ({ name, entrypoint: fixture('echo/main.ts'), activation: 'startup', shutdownTimeoutSeconds: 1 });
    const { kernel, states } = await open([
      echo('free'),
      echo('base'),
      { name: 'wedged', entrypoint: fixture('hang/main.mjs'), capabilities: ['hang.call'], activation: 'startup', dependencies: ['base'], shutdownTimeoutSeconds: 1 },
    ]);
    const pids = kernel.supervisors.map((supervisor) => supervisor.process!.pid!);
    const before = states.length;
    const started = Date.now();

    await kernel.close();

    const elapsed = Date.now() - started;
    const budget = 1000 + Defaults.killGraceMs;
    const changes = states.slice(before);
    const at = (plugin: string, to: string) => changes.find((change) => change.plugin === plugin && change.to === to)!.time - started;
    expect(at('free', 'stopped')).toBeLessThan(budget / 2);
    expect(at('wedged', 'stopped')).toBeGreaterThanOrEqual(budget - 100);
    // Dependency order still holds: base is asked to stop only once wedged, which uses it, has stopped.
    expect(at('base', 'stopping')).toBeGreaterThanOrEqual(at('wedged', 'stopped'));
    expect(changes.find((change) => change.plugin === 'base' && change.to === 'stopped')?.reason).toContain('exited with code 0');
    expect(elapsed).toBeLessThan(budget + Defaults.killGraceMs + 1500);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('keeps the whole stop within the longest single budget and one kill grace when a chain of plugins ignores SIGTERM', async () => {
    const hang = (name: string, dependencies: string[], capabilities: string[]) => ({ name, entrypoint: fixture('hang/main.mjs'), capabilities, activation: 'startup', dependencies, shutdownTimeoutSeconds: 3 });
    // Both announce hang.call; the upper one declares no capabilities, so its handshake is not compared with plugins.json.
    const { kernel } = await open([hang('lower', [], ['hang.call']), hang('upper', ['lower'], [])]);
    const pids = kernel.supervisors.map((supervisor) => supervisor.process!.pid!);
    const started = Date.now();

    await kernel.close();

    const elapsed = Date.now() - started;
    const budget = 3000 + Defaults.killGraceMs;
    // Serially the chain would take two budgets (10 s); the cap kills what still runs after one budget and one kill grace (7 s).
    expect(elapsed).toBeGreaterThanOrEqual(budget);
    expect(elapsed).toBeLessThan(budget + Defaults.killGraceMs + 1500);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

describe('calls during kernel shutdown', () => {
  it('cancels a plugin still starting instead of waiting out its handshake, and does not restart it', async () => {
    const slow = { name: 'slow', entrypoint: fixture('slow-init/main.mjs'), activation: 'startup', capabilities: ['slowinit.ping'], shutdownTimeoutSeconds: 1, env: { FIXTURE_INIT_DELAY_MS: '20000' } };
    const { kernel, waitForState } = await open([slow], { start: false });
    const starting = kernel.start();
    await waitForState('slow', 'starting');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const closing = Date.now();
    await kernel.close();
    const took = Date.now() - closing;
    await starting;

    // Waiting out the handshake took about 20 s; cancelled, the stop is the kill of one process.
    expect(took).toBeLessThan(5000);
    expect(kernel.supervisor('slow').state).toBe('stopped');
  });

  it('lets SIGTERM stop cyberstudio start while a plugin is still starting, at once and with exit code 0', async () => {
    const registry = join(await mkdtemp(join(tmpdir(), 'cds-stop-starting-')), 'plugins.json');
    const slow = { name: 'slow', entrypoint: fixture('slow-init/main.mjs'), activation: 'startup', capabilities: ['slowinit.ping'], shutdownTimeoutSeconds: 1, env: { FIXTURE_INIT_DELAY_MS: '20000' } };
    await writeFile(registry, JSON.stringify({ plugins: [slow] }));
    const cli = await startCli(['--plugins', registry, '--data', join(registry, '..', 'data'), '--port', '0'], { until: 'kernel starting' });

    const signalled = Date.now();
    cli.child.kill('SIGTERM');
    const code = await cli.exited;

    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(cli.records.map((record) => record.msg)).not.toContain('kernel ready');
    await rm(join(registry, '..'), { recursive: true, force: true });
  });

  it('answers a call to a plugin that is not running with -32011 ShuttingDown instead of starting it', async () => {
    const { kernel } = await open([
      { name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup' },
      { name: 'crasher', entrypoint: fixture('crash-mid-call/main.mjs'), activation: 'lazy', capabilities: ['crash.now', 'crash.later', 'crash.ok'] },
    ]);

    const closing = kernel.close();
    const call = settle(kernel.call('crash.ok', {}));

    expect((await call).error).toMatchObject({ code: ErrorCode.ShuttingDown, data: { plugin: 'crasher' } });
    await closing;
    expect(kernel.supervisor('crasher').lastExit).toBeUndefined();
  });
});

describe('a plugin told its stop budget', () => {
  it.each([
    ['an SDK plugin', { name: 'echo', entrypoint: fixture('echo/main.ts') }, 'echo.slow', { ms: 20_000 }],
    ['a standard-library Python plugin', { name: 'pyecho', entrypoint: fixture('python-echo/plugin.py'), capabilities: ['pyecho.echo', 'pyecho.stream', 'pyecho.sleep', 'pyecho.whoami'] }, 'pyecho.sleep', { ms: 20_000 }],
  ])('%s answers a call still running at shutdown with -32011 ShuttingDown after half of shutdownTimeoutSeconds, then exits 0', async (_kind, manifest, capability, params) => {
    const { kernel } = await open([{ ...manifest, activation: 'startup', shutdownTimeoutSeconds: 1 }]);
    expect(kernel.supervisor(manifest.name).process!.handshake).toBeDefined();
    const call = settle(kernel.call(capability, params));
    await vi.waitFor(() => expect(kernel.bus.load(manifest.name).active).toBe(1));
    const started = Date.now();

    await kernel.supervisor(manifest.name).stop('test');

    const { settledAt, error } = await call;
    expect(error).toMatchObject({ code: ErrorCode.ShuttingDown, data: { plugin: manifest.name } });
    expect(settledAt - started).toBeGreaterThanOrEqual(400);
    expect(settledAt - started).toBeLessThan(1000);
    expect(kernel.supervisor(manifest.name).lastExit).toMatchObject({ exitCode: 0, signal: null });
  });
});

describe('a plugin killed mid-call', () => {
  it('fails every call in flight at once with -32003 PluginExited naming SIGKILL', async () => {
    const { kernel } = await open([{ name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup', restart: { policy: 'never' } }]);
    const pid = kernel.supervisor('echo').process!.pid!;
    const calls = ['a', 'b', 'c'].map((id) => settle(kernel.call('echo.slow', { ms: 20_000, id })));
    await vi.waitFor(() => expect(kernel.bus.load('echo').active).toBe(3), { timeout: 10_000, interval: 10 });

    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const results = await Promise.all(calls);

    for (const { settledAt, error } of results) {
      expect(settledAt - killedAt).toBeLessThan(2000);
      expect(error?.code).toBe(-32003);
      expect(error?.message).toContain('SIGKILL');
      expect(error?.data).toMatchObject({ plugin: 'echo', signal: 'SIGKILL', exitCode: null });
    }
  });
});

describe('a plugin whose stdin closes', () => {
  it('exits with code 0 at stdin EOF', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('echo/main.ts')], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, ...COOKIE, CYBERSTUDIO_PLUGIN_NAME: 'echo' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const answer = new Promise<unknown>((resolve) => lines.once('line', (line) => resolve(JSON.parse(line))));
      const initialize = { protocolVersions: { min: 1, max: 1 }, kernel: { name: 'test', version: '0' }, plugin: { name: 'echo' }, config: {}, dataDir: tmpdir() };
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: initialize }) + '\n');
      // It serves: the handshake is answered, so EOF (not a startup failure) is what ends it.
      expect(await answer).toMatchObject({ id: 1, result: { name: 'echo' } });

      child.stdin.end();

      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
