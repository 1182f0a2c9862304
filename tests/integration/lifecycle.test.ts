import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/src/index.ts';
import { failure } from './support/assertions.ts';
import { ECHO_CAPABILITIES } from './support/echo-fixture.ts';
import { fixture, isAlive, startTestKernel, type TestKernel } from './support/test-kernel.ts';

const noRestart = { policy: 'never' };
const echo = (extra: object = {}) => ({ name: 'echo', entrypoint: fixture('echo/main.ts'), capabilities: ECHO_CAPABILITIES, ...extra });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(plugins: object[], options: { start?: boolean; dataDir?: string } = {}): Promise<TestKernel> {
  const testKernel = await startTestKernel(plugins, options);
  cleanups.push(() => testKernel.close());
  return testKernel;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cds-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function pidOf(kernel: Kernel, capability = 'echo.pid'): Promise<number> {
  return ((await kernel.call(capability)) as { pid: number }).pid;
}

interface Summary {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  lastError: string | null;
}

describe('lazy activation', () => {
  it('leaves a lazy plugin stopped until the first call to one of its capabilities starts it', async () => {
    const { kernel, states } = await open([echo()]);
    expect(kernel.supervisor('echo').state).toBe('stopped');
    expect(states.filter((change) => change.plugin === 'echo')).toEqual([]);

    expect(await kernel.call('echo.echo', { text: 'hi' })).toEqual({ text: 'hi' });

    expect(kernel.supervisor('echo').state).toBe('running');
    expect(states.filter((change) => change.plugin === 'echo').map((change) => [change.from, change.to, change.reason])).toEqual([
      ['stopped', 'starting', 'lazy activation by a call'],
      ['starting', 'running', 'lazy activation by a call'],
    ]);
  });
});

describe('dependencies', () => {
  it('starts the dependencies of a plugin, and has them running, before the plugin itself is running', async () => {
    // Listed dependent first, so file order alone would start it first.
    const { kernel, states } = await open(
      [
        { name: 'app', entrypoint: fixture('echo/main.ts'), activation: 'startup', dependencies: ['base'] },
        { name: 'base', entrypoint: fixture('echo/main.ts'), activation: 'startup' },
      ],
      { start: false },
    );

    await kernel.supervisor('app').start();

    const order = states.map((change) => `${change.plugin}:${change.to}`);
    expect(order.indexOf('base:running')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('base:running')).toBeLessThan(order.indexOf('app:running'));
    expect(states.find((change) => change.plugin === 'base' && change.to === 'starting')?.reason).toBe("dependency of 'app'");
  });

  it('rejects a registry whose plugin depends on an unknown plugin with CDS_ERR_DEPENDENCY_MISSING', async () => {
    const dir = await tempDir();
    const registryFile = join(dir, 'plugins.json');
    await writeFile(registryFile, JSON.stringify({ plugins: [{ name: 'app', entrypoint: fixture('echo/main.ts'), activation: 'startup', dependencies: ['ghost'] }] }));

    const error = await failure(Kernel.open({ registryFile, dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }) }));

    expect(error.code).toBe('CDS_ERR_DEPENDENCY_MISSING');
    expect(error.message).toContain("plugin 'app' depends on 'ghost'");
  });
});

describe('config validation', () => {
  it("fails the start with CDS_ERR_HANDSHAKE_FAILED naming the field when plugins.json config violates the plugin's own configSchema", async () => {
    const { kernel } = await open([echo({ config: { level: 'loud' }, restart: noRestart })], { start: false });

    const error = await failure(kernel.supervisor('echo').start());

    expect(error.code).toBe('CDS_ERR_HANDSHAKE_FAILED');
    expect(error.message).toContain('/level');
    expect(error.message).toContain('-32602');
  });

  it('fails the start with CDS_ERR_CONFIG_INVALID before spawning when config violates the manifest configSchema', async () => {
    // crash-on-start writes a line to stderr as soon as it runs: no such line means no process was spawned.
    const { kernel } = await open(
      [
        {
          name: 'strict', entrypoint: fixture('crash-on-start/main.mjs'), capabilities: ['strict.never'], restart: noRestart,
          configSchema: { type: 'object', properties: { port: { type: 'integer' } } }, config: { port: 'eighty' },
        },
      ],
      { start: false },
    );

    const error = await failure(kernel.supervisor('strict').start());

    expect(error.code).toBe('CDS_ERR_CONFIG_INVALID');
    expect(error.message).toContain('/port');
    expect(kernel.logs.recent('strict', 100).filter((record) => record.source !== 'kernel')).toEqual([]);
  });

  it('refuses kernel.plugins.setConfig with a config that violates the schema with -32007, leaving the plugin running as it was', async () => {
    const { kernel } = await open([echo({ activation: 'startup' })]);
    const pid = await pidOf(kernel);

    const error = await failure(kernel.call('kernel.plugins.setConfig', { plugin: 'echo', config: { level: -1 } }));

    expect(error.code).toBe(-32007);
    expect(error.message).toContain('/level');
    expect(await pidOf(kernel)).toBe(pid);
    expect(await kernel.call('echo.config')).toMatchObject({ config: {} });
  });

  it('restarts a running plugin with the config kernel.plugins.setConfig set', async () => {
    const { kernel } = await open([echo({ activation: 'startup' })]);
    const pid = await pidOf(kernel);

    const result = await kernel.call('kernel.plugins.setConfig', { plugin: 'echo', config: { greeting: 'hej' } });

    expect(result).toMatchObject({ plugin: 'echo', restarted: true, state: 'running' });
    expect(await pidOf(kernel)).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
    expect(await kernel.call('echo.config')).toMatchObject({ config: { greeting: 'hej' } });
  });

  it('keeps a config set through kernel.plugins.setConfig for a new kernel opened on the same data directory', async () => {
    const dataDir = await tempDir();
    const first = await open([echo({ config: { greeting: 'from plugins.json' } })], { dataDir });
    await first.kernel.call('kernel.plugins.setConfig', { plugin: 'echo', config: { greeting: 'persisted', level: 2 } });
    await first.close();

    const second = await open([echo({ config: { greeting: 'from plugins.json' } })], { dataDir });

    expect(await second.kernel.call('echo.config')).toMatchObject({ config: { greeting: 'persisted', level: 2 } });
  });
});

describe('management capabilities', () => {
  const plugins = () => [
    echo({ activation: 'startup' }),
    { name: 'crashy', entrypoint: fixture('crash-mid-call/main.mjs'), capabilities: ['crash.now', 'crash.later', 'crash.ok'] },
  ];

  it('lists every registered plugin with its state and pid through kernel.plugins.list', async () => {
    const { kernel } = await open(plugins());

    const list = (await kernel.call('kernel.plugins.list')) as Summary[];

    expect(list.map((plugin) => [plugin.name, plugin.state])).toEqual([['echo', 'running'], ['crashy', 'stopped']]);
    expect(list[0]!.pid).toBe(await pidOf(kernel));
    expect(list[1]!.pid).toBeNull();
  });

  it('describes one plugin with its manifest, handshake and last exit through kernel.plugins.get', async () => {
    const { kernel } = await open(plugins());

    const info = (await kernel.call('kernel.plugins.get', { plugin: 'echo' })) as Summary & { manifest: { entrypoint: string }; handshake: { name: string } | null; lastExit: unknown };

    expect(info).toMatchObject({ name: 'echo', state: 'running', restarts: 0, lastError: null, lastExit: null });
    expect(info.manifest.entrypoint).toBe(fixture('echo/main.ts'));
    expect(info.handshake?.name).toBe('echo');
  });

  it('answers kernel.plugins.get for an unknown plugin with PluginNotFound -32014', async () => {
    const { kernel } = await open(plugins());

    const error = await failure(kernel.call('kernel.plugins.get', { plugin: 'nobody' }));

    expect(error.code).toBe(-32014);
    expect(error.message).toContain('nobody');
  });

  it('stops a running plugin and its process through kernel.plugins.stop', async () => {
    const { kernel } = await open(plugins());
    const pid = await pidOf(kernel);

    const result = (await kernel.call('kernel.plugins.stop', { plugin: 'echo' })) as Summary;

    expect(result).toMatchObject({ name: 'echo', state: 'stopped', pid: null });
    expect(isAlive(pid)).toBe(false);
  });

  it('starts a stopped plugin through kernel.plugins.start', async () => {
    const { kernel } = await open(plugins());

    const result = (await kernel.call('kernel.plugins.start', { plugin: 'crashy' })) as Summary;

    expect(result).toMatchObject({ name: 'crashy', state: 'running' });
    expect(result.pid).toEqual(expect.any(Number));
    expect(isAlive(result.pid!)).toBe(true);
  });

  it('replaces the process of a running plugin through kernel.plugins.restart, passing through stopping and starting', async () => {
    const { kernel, states } = await open(plugins());
    const pid = await pidOf(kernel);
    const before = states.length;

    const result = (await kernel.call('kernel.plugins.restart', { plugin: 'echo' })) as Summary;

    expect(result).toMatchObject({ name: 'echo', state: 'running' });
    expect(result.pid).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
    expect(states.slice(before).filter((change) => change.plugin === 'echo').map((change) => change.to)).toEqual(['stopping', 'stopped', 'starting', 'running']);
  });
});
