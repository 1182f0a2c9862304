import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { rejectionOf } from './support/assertions.ts';
import { echoPlugin, helloPlugin } from './support/echo-fixture.ts';
import { startTestKernel, type TestKernel } from './support/test-kernel.ts';

interface SeenEvent {
  topic: string;
  data: unknown;
  source: string;
}

describe('permissions', () => {
  let test: TestKernel;
  const seen: SeenEvent[] = [];

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin({
        permissions: {
          call: ['hello.echo', 'kernel.plugins.list'],
          subscribe: ['allowed.*'],
          // kernel.* is granted on purpose: the kernel must refuse it anyway.
          publish: ['out.*', 'kernel.*'],
        },
      }),
      helloPlugin,
    ]);
    await test.waitForState('echo', 'running');
    test.kernel.topics.subscribe('test-all', '*', (topic, data, source) => seen.push({ topic, data, source }));
  });

  afterAll(async () => {
    await test?.close();
  });

  /** Publishes a marker from echo and waits for it: events echo published before it have been routed by then. */
  async function flushPublications(marker: string): Promise<void> {
    await test.kernel.call('echo.emit', { topic: `out.${marker}` });
    await expect.poll(() => seen.some((event) => event.topic === `out.${marker}`), { timeout: 3000, interval: 10 }).toBe(true);
  }

  it('refuses a plugin call outside permissions.call with Forbidden naming the fix, without starting the provider', async () => {
    const error = await rejectionOf(test.kernel.call('echo.call', { capability: 'hello.stream', params: { count: 1 } }));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('permissions.call');
    expect(error.data).toEqual({ capability: 'hello.stream', caller: { kind: 'plugin', name: 'echo' } });
    expect(test.kernel.supervisor('hello').state).toBe('stopped');
  });

  it('lets a plugin call a capability that permissions.call lists', async () => {
    await expect(test.kernel.call('echo.call', { capability: 'hello.echo', params: { ok: 1 } })).resolves.toEqual({ ok: 1 });
  });

  it('refuses a kernel capability the plugin was not granted', async () => {
    const error = await rejectionOf(test.kernel.call('echo.call', { capability: 'kernel.status' }));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.data).toMatchObject({ capability: 'kernel.status', caller: { kind: 'plugin', name: 'echo' } });
  });

  it('lets a plugin call a kernel capability that permissions.call lists', async () => {
    const plugins = await test.kernel.call('echo.call', { capability: 'kernel.plugins.list' });

    expect(plugins).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'echo', state: 'running' })]));
  });

  it('refuses a subscription outside permissions.subscribe with Forbidden', async () => {
    const error = await rejectionOf(test.kernel.call('echo.subscribe', { topic: 'secret.*' }));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('permissions.subscribe');
    expect(test.kernel.topics.patternsOf('plugin:echo')).not.toContain('secret.*');
  });

  it('accepts a subscription inside permissions.subscribe', async () => {
    await expect(test.kernel.call('echo.subscribe', { topic: 'allowed.news' })).resolves.toEqual({ subscribed: 'allowed.news' });
    expect(test.kernel.topics.patternsOf('plugin:echo')).toContain('allowed.news');
  });

  it('drops and logs a publication outside permissions.publish', async () => {
    await test.kernel.call('echo.emit', { topic: 'elsewhere.leak', data: { secret: true } });
    await flushPublications('after-leak');

    expect(seen.filter((event) => event.topic === 'elsewhere.leak')).toEqual([]);
    const logs = (await test.kernel.call('kernel.plugins.logs', { plugin: 'echo', q: 'elsewhere.leak' })) as { level: string; msg: string }[];
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('refused') })]);
  });

  it('refuses a plugin publishing on a kernel.* topic even when permissions.publish lists it', async () => {
    const forged = { plugin: 'hello', from: 'running', to: 'crashed', reason: 'forged', time: Date.now() };

    await test.kernel.call('echo.emit', { topic: 'kernel.plugin.state', data: forged });
    await flushPublications('after-forgery');

    expect(seen.filter((event) => event.topic.startsWith('kernel.') && event.source === 'echo')).toEqual([]);
    expect(test.states.filter((change) => change.reason === 'forged')).toEqual([]);
    const logs = (await test.kernel.call('kernel.plugins.logs', { plugin: 'echo', q: 'publish to kernel.plugin.state refused' })) as unknown[];
    expect(logs).toHaveLength(1);
  });
});
