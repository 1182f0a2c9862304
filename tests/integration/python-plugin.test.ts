import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { rejectionOf } from './support/assertions.ts';
import { fixture, isAlive, startTestKernel, type TestKernel } from './support/test-kernel.ts';

const PYECHO_CAPABILITIES = ['pyecho.echo', 'pyecho.stream', 'pyecho.sleep', 'pyecho.whoami'];

describe('a plugin written in Python with the standard library only', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      { name: 'pyecho', entrypoint: fixture('python-echo/plugin.py'), activation: 'startup', capabilities: PYECHO_CAPABILITIES },
    ]);
    await test.waitForState('pyecho', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  it('completes the handshake under its registered name with its capabilities and schemas', () => {
    const handshake = test.kernel.supervisor('pyecho').process!.handshake;

    expect(handshake).toMatchObject({ name: 'pyecho', protocolVersion: 1 });
    expect(handshake.capabilities.map((capability) => capability.name).sort()).toEqual([...PYECHO_CAPABILITIES].sort());
    expect(handshake.capabilities.find((capability) => capability.name === 'pyecho.stream')).toMatchObject({ stream: true, params: { required: ['count'] } });
  });

  it('returns the params of pyecho.echo without _meta', async () => {
    const params = { text: 'hi', nested: { list: [1, 2.5, null, 'x'] } };

    await expect(test.kernel.call('pyecho.echo', params)).resolves.toEqual(params);
  });

  it('receives the caller and trace id in _meta', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

    await expect(test.kernel.call('pyecho.whoami', {}, { traceId })).resolves.toEqual({ caller: { kind: 'kernel' }, traceId });
  });

  it('streams pyecho.stream progress in order before the result', async () => {
    const seen: unknown[] = [];

    const call = test.kernel.call('pyecho.stream', { count: 5 }, { onProgress: (chunk) => seen.push(chunk) });
    seen.push({ result: await call });

    expect(seen).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }, { index: 3 }, { index: 4 }, { result: { sent: 5 } }]);
  });

  it('cancels a running pyecho.sleep with Cancelled and keeps serving', async () => {
    const controller = new AbortController();
    const call = test.kernel.call('pyecho.sleep', { ms: 10_000 }, { signal: controller.signal });
    await expect.poll(() => test.kernel.bus.load('pyecho').active, { timeout: 5000, interval: 10 }).toBe(1);

    const abortedAt = Date.now();
    controller.abort(new Error('user pressed stop'));
    const error = await rejectionOf(call);

    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(Date.now() - abortedAt).toBeLessThan(100);
    await expect(test.kernel.call('pyecho.echo', { after: 'cancel' })).resolves.toEqual({ after: 'cancel' });
  });

  it('stops gracefully with exit code 0 and leaves no process behind', async () => {
    const pid = test.kernel.supervisor('pyecho').process!.pid!;

    await test.kernel.call('kernel.plugins.stop', { plugin: 'pyecho' });

    expect(test.kernel.supervisor('pyecho').state).toBe('stopped');
    expect(test.kernel.supervisor('pyecho').lastExit).toEqual({ exitCode: 0, signal: null });
    await expect.poll(() => isAlive(pid), { timeout: 3000, interval: 20 }).toBe(false);
  });
});
