import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { rejectionOf } from './support/assertions.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { fixture, startTestKernel, type TestKernel } from './support/test-kernel.ts';

describe('cancellation', () => {
  let test: TestKernel;
  /** `echo.aborted` events (published by echo.slow when its handler's signal aborts), by id. */
  const aborted = new Map<string, { id: string; reason: string }>();

  beforeAll(async () => {
    test = await startTestKernel([echoPlugin({ permissions: { call: ['echo.slow'] } })]);
    await test.waitForState('echo', 'running');
    test.kernel.topics.subscribe('test-aborted', 'echo.aborted', (_topic, data) => {
      const abort = data as { id: string; reason: string };
      aborted.set(abort.id, abort);
    });
  });

  afterAll(async () => {
    await test?.close();
  });

  /** Resolves once `id`'s call is running in the plugin (the gate holds `active` calls). */
  const untilActive = (active: number) => expect.poll(() => test.kernel.bus.load('echo').active, { timeout: 5000, interval: 10 }).toBe(active);

  it("rejects with Cancelled as soon as the caller's signal aborts and aborts the provider's handler", async () => {
    const controller = new AbortController();
    const call = test.kernel.call('echo.slow', { ms: 10_000, id: 'direct' }, { signal: controller.signal });
    await untilActive(1);

    const abortedAt = Date.now();
    controller.abort(new Error('user pressed stop'));
    const error = await rejectionOf(call);

    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(error.code).toBe(ErrorCode.Cancelled);
    await expect.poll(() => aborted.get('direct'), { timeout: 3000, interval: 10 }).toBeDefined();
  });

  it('fails a call whose signal is already aborted with Cancelled without waiting', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gave up before asking'));

    const error = await rejectionOf(test.kernel.call('echo.slow', { ms: 10_000, id: 'pre-aborted' }, { signal: controller.signal }));

    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(test.kernel.bus.load('echo').active).toBe(0);
  });

  it('propagates the outer caller cancel through a plugin-to-plugin call to the inner provider', async () => {
    const controller = new AbortController();
    const call = test.kernel.call('echo.call', { capability: 'echo.slow', params: { ms: 10_000, id: 'inner' } }, { signal: controller.signal });
    await untilActive(2);

    controller.abort(new Error('outer caller left'));
    const error = await rejectionOf(call);

    expect(error.code).toBe(ErrorCode.Cancelled);
    await expect.poll(() => aborted.get('inner'), { timeout: 3000, interval: 10 }).toBeDefined();
    await untilActive(0);
  });
});

describe('cancellation while the provider is starting', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      {
        name: 'sleepy',
        entrypoint: fixture('slow-init/main.mjs'),
        activation: 'lazy',
        capabilities: ['slowinit.ping'],
        env: { FIXTURE_INIT_DELAY_MS: '2000' },
      },
    ]);
  });

  afterAll(async () => {
    await test?.close();
  });

  it('rejects with Cancelled as soon as the caller aborts a call that waits for a lazy start', async () => {
    const controller = new AbortController();
    const call = test.kernel.call('slowinit.ping', {}, { signal: controller.signal });
    await test.waitForState('sleepy', 'starting', { timeout: 5000 });

    const abortedAt = Date.now();
    controller.abort(new Error('user pressed stop'));
    const error = await rejectionOf(call);

    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(Date.now() - abortedAt).toBeLessThan(500);
  });
});

describe('cancellation across two plugins', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin({ permissions: { call: ['pyecho.sleep'] } }),
      { name: 'pyecho', entrypoint: fixture('python-echo/plugin.py'), activation: 'startup', capabilities: ['pyecho.echo', 'pyecho.stream', 'pyecho.sleep', 'pyecho.whoami'] },
    ]);
    await test.waitForState('pyecho', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  it.each([
    ['without a signal of its own', false],
    ['even when it passes a signal of its own to ctx.call', true],
  ])("cancels a plugin's bus call to another plugin when its own incoming call is cancelled, %s", async (_how, ownSignal) => {
    const controller = new AbortController();
    const call = test.kernel.call('echo.call', { capability: 'pyecho.sleep', params: { ms: 20_000 }, ownSignal }, { signal: controller.signal });
    await expect.poll(() => test.kernel.bus.load('pyecho').active, { timeout: 5000, interval: 10 }).toBe(1);

    controller.abort(new Error('outer caller left'));

    expect((await rejectionOf(call)).code).toBe(ErrorCode.Cancelled);
    // pyecho.sleep would run 20 s: its call ends this soon only because the cancel reached it.
    await expect.poll(() => test.kernel.bus.load('pyecho').active, { timeout: 3000, interval: 10 }).toBe(0);
    await expect.poll(() => test.kernel.bus.load('echo').active, { timeout: 3000, interval: 10 }).toBe(0);
  });
});
