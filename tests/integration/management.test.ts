import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { KERNEL_NAME, KERNEL_VERSION, kernelCapabilityDescriptors } from '../../kernel/src/index.ts';
import { rejectionOf } from './support/assertions.ts';
import { ECHO_CAPABILITIES, echoPlugin, helloPlugin } from './support/echo-fixture.ts';
import { startTestKernel, type TestKernel } from './support/test-kernel.ts';

interface CapabilityEntry {
  name: string;
  plugin: string;
  description: string | null;
  params: Record<string, unknown> | null;
  result: unknown;
  stream: boolean | null;
}

describe('kernel management capabilities', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin(),
      helloPlugin,
    ]);
    await test.waitForState('echo', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  it('reports the kernel name, version, process, uptime, memory, files and plugins per state in kernel.status', async () => {
    const status = await test.kernel.call('kernel.status');

    expect(status).toEqual({
      name: KERNEL_NAME,
      version: KERNEL_VERSION,
      pid: process.pid,
      uptimeMs: expect.any(Number),
      cpuPercent: expect.any(Number),
      rssBytes: expect.any(Number),
      registry: test.registryFile,
      dataDir: join(test.dir, 'data'),
      plugins: { running: 1, stopped: 1 },
      logsDropped: 0,
      webSockets: { open: 0, byEndpoint: {} },
    });
    expect((status as { rssBytes: number }).rssBytes).toBeGreaterThan(0);
  });

  it('lists every kernel capability with its params schema', async () => {
    const entries = (await test.kernel.call('kernel.plugins.capabilities')) as CapabilityEntry[];

    const own = entries.filter((entry) => entry.plugin === 'kernel');
    expect(own.map((entry) => entry.name).sort()).toEqual(kernelCapabilityDescriptors().map((descriptor) => descriptor.name).sort());
    expect(own.map((entry) => entry.name)).toEqual(expect.arrayContaining(['kernel.status', 'kernel.plugins.list', 'kernel.plugins.logs', 'kernel.plugins.telemetry']));
    for (const entry of own) expect(entry.params).toMatchObject({ type: 'object' });
  });

  it('lists the capabilities of a started plugin with the schemas from its handshake', async () => {
    const entries = (await test.kernel.call('kernel.plugins.capabilities', { plugin: 'echo' })) as CapabilityEntry[];

    expect(entries.map((entry) => entry.name).sort()).toEqual([...ECHO_CAPABILITIES].sort());
    expect(entries.find((entry) => entry.name === 'echo.slow')).toMatchObject({
      plugin: 'echo',
      description: expect.stringContaining('Waits ms'),
      params: { type: 'object', required: ['ms'] },
      stream: false,
    });
    expect(entries.find((entry) => entry.name === 'echo.stream')?.stream).toBe(true);
  });

  it('lists a lazy plugin that has not run by name, with its schemas unknown until it starts', async () => {
    const before = (await test.kernel.call('kernel.plugins.capabilities', { plugin: 'hello' })) as CapabilityEntry[];
    expect(before).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'hello.stream', plugin: 'hello', params: null })]));

    await test.kernel.call('hello.echo', {});
    const after = (await test.kernel.call('kernel.plugins.capabilities', { plugin: 'hello' })) as CapabilityEntry[];

    expect(after.find((entry) => entry.name === 'hello.stream')).toMatchObject({ stream: true, params: { required: ['count'] } });
  });

  it('lists every plugin with its state and load in kernel.plugins.list', async () => {
    const plugins = (await test.kernel.call('kernel.plugins.list')) as { name: string; state: string; pid: number | null; load: unknown }[];

    expect(plugins.map((plugin) => plugin.name)).toEqual(['echo', 'hello']);
    expect(plugins[0]).toMatchObject({ name: 'echo', state: 'running', pid: test.kernel.supervisor('echo').process!.pid, load: { active: 0, queued: 0 } });
  });

  it.each([
    ['kernel.plugins.get', {}],
    ['kernel.plugins.logs', {}],
    ['kernel.plugins.telemetry', {}],
    ['kernel.plugins.start', {}],
    ['kernel.plugins.stop', {}],
    ['kernel.plugins.restart', {}],
    ['kernel.plugins.setConfig', { config: {} }],
  ])('answers %s for an unknown plugin with PluginNotFound naming it', async (capability, extra) => {
    const error = await rejectionOf(test.kernel.call(capability, { ...extra, plugin: 'ghost' }));

    expect(error.code).toBe(ErrorCode.PluginNotFound);
    expect(error.message).toContain("'ghost'");
  });

  it('names the plugin and the called capability in the data of an unknown-plugin error', async () => {
    const error = await rejectionOf(test.kernel.call('kernel.plugins.get', { plugin: 'ghost' }));

    expect(error.data).toEqual({ plugin: 'ghost', capability: 'kernel.plugins.get' });
  });

  it('answers an unknown kernel capability with CapabilityNotFound', async () => {
    const error = await rejectionOf(test.kernel.call('kernel.nothing', {}));

    expect(error.code).toBe(ErrorCode.CapabilityNotFound);
    expect(error.data).toEqual({ capability: 'kernel.nothing' });
  });

  it('rejects malformed params of a kernel capability with -32007 listing the violations', async () => {
    const error = await rejectionOf(test.kernel.call('kernel.plugins.logs', { limit: 'all' }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ capability: 'kernel.plugins.logs', errors: [expect.objectContaining({ instancePath: '/limit' })] });
  });

  it.each([
    ['kernel.plugins.get', { plugin: 42 }, '/plugin', 'type'],
    ['kernel.plugins.stop', {}, '', 'required'],
    ['kernel.plugins.telemetry', { plugin: 'echo', limit: 0 }, '/limit', 'minimum'],
    ['kernel.plugins.setConfig', { plugin: 'echo', config: 'loud' }, '/config', 'type'],
    ['kernel.status', { verbose: true }, '', 'additionalProperties'],
  ])('answers %s with %j by -32007 naming the ajv violation, before the handler runs', async (capability, params, instancePath, keyword) => {
    const error = await rejectionOf(test.kernel.call(capability, params));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ capability, errors: [expect.objectContaining({ instancePath, keyword })] });
    expect(test.kernel.supervisor('echo').state).toBe('running');
  });
});
