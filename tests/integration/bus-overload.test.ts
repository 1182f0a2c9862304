import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { rejectionOf } from './support/assertions.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { startTestKernel, type TestKernel } from './support/test-kernel.ts';

describe('overload protection (maxConcurrentCalls 2, queueLimit 1)', () => {
  let test: TestKernel;
  /** Aborts the long calls a test left running, so the next test starts with an idle gate. */
  let cleanup: AbortController;

  beforeAll(async () => {
    test = await startTestKernel([echoPlugin({ limits: { maxConcurrentCalls: 2, queueLimit: 1 } })]);
    await test.waitForState('echo', 'running');
  });

  afterEach(async () => {
    cleanup?.abort(new Error('test over'));
    await expect.poll(() => test.kernel.bus.load('echo'), { timeout: 5000, interval: 10 }).toEqual({ active: 0, queued: 0 });
  });

  afterAll(async () => {
    await test?.close();
  });

  /** Starts a call holding a slot until the test ends; its failure on cleanup is expected. */
  function hold(id: string): Promise<unknown> {
    const call = test.kernel.call('echo.slow', { ms: 10_000, id }, { signal: cleanup.signal });
    call.catch(() => {});
    return call;
  }

  const untilLoad = (load: { active: number; queued: number }) =>
    expect.poll(() => test.kernel.bus.load('echo'), { timeout: 5000, interval: 10 }).toEqual(load);

  it('queues a call beyond maxConcurrentCalls and runs it once a slot frees', async () => {
    cleanup = new AbortController();
    const order: string[] = [];
    const first = test.kernel.call('echo.slow', { ms: 400, id: 'first' }).then(() => order.push('first'));
    const second = test.kernel.call('echo.slow', { ms: 400, id: 'second' }).then(() => order.push('second'));
    await untilLoad({ active: 2, queued: 0 });

    const third = test.kernel.call('echo.slow', { ms: 0, id: 'third' }).then(() => order.push('third'));
    await untilLoad({ active: 2, queued: 1 });
    await Promise.all([first, second, third]);

    expect(order[2]).toBe('third');
  });

  it('shows the queued call in kernel.plugins.list load', async () => {
    cleanup = new AbortController();
    void hold('a');
    void hold('b');
    await untilLoad({ active: 2, queued: 0 });
    void hold('queued');
    await untilLoad({ active: 2, queued: 1 });

    const plugins = (await test.kernel.call('kernel.plugins.list')) as { name: string; load: unknown }[];

    expect(plugins.find((plugin) => plugin.name === 'echo')?.load).toEqual({ active: 2, queued: 1 });
  });

  it('fails a call beyond the full queue with Overloaded at once', async () => {
    cleanup = new AbortController();
    void hold('a');
    void hold('b');
    await untilLoad({ active: 2, queued: 0 });
    void hold('queued');
    await untilLoad({ active: 2, queued: 1 });

    const started = Date.now();
    const error = await rejectionOf(test.kernel.call('echo.echo', { n: 4 }));

    expect(Date.now() - started).toBeLessThan(100);
    expect(error.code).toBe(ErrorCode.Overloaded);
    expect(error.data).toEqual({ plugin: 'echo', maxConcurrentCalls: 2, queueLimit: 1 });
    expect(test.kernel.bus.load('echo')).toEqual({ active: 2, queued: 1 });
  });

  it('takes a queued call whose signal aborts out of the queue, and never runs it', async () => {
    cleanup = new AbortController();
    const a = test.kernel.call('echo.slow', { ms: 300, id: 'a' });
    const b = test.kernel.call('echo.slow', { ms: 300, id: 'b' });
    await untilLoad({ active: 2, queued: 0 });
    const queuedController = new AbortController();
    const queued = test.kernel.call('echo.slow', { ms: 10_000, id: 'never-runs' }, { signal: queuedController.signal });
    await untilLoad({ active: 2, queued: 1 });

    queuedController.abort(new Error('caller gave up'));
    const error = await rejectionOf(queued);

    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(test.kernel.bus.load('echo')).toEqual({ active: 2, queued: 0 });
    await Promise.all([a, b]);
    // Had the cancelled call been admitted, it would hold a slot for 10 s.
    await untilLoad({ active: 0, queued: 0 });
  });
});
