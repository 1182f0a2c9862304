import { describe, expect, it, vi } from 'vitest';
import { of, targets } from './support/assertions.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { fixture, isAlive, kernelPerTest } from './support/test-kernel.ts';

const healthcheck = { intervalSeconds: 1, timeoutSeconds: 0.5, failureThreshold: 2 };
const restart = { policy: 'on-failure', maxRestarts: 5, windowSeconds: 30, backoff: { initialMs: 50, maxMs: 200, jitter: 0 } };

/** Opens and starts a kernel, closed after the test. */
const open = kernelPerTest();

const until = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 50 });

describe('health checks', () => {
  it('marks a plugin that stops answering pings unhealthy, then kills and restarts it', async () => {
    const { kernel, states } = await open([
      { name: 'wedged', entrypoint: fixture('hang/main.mjs'), capabilities: ['hang.call'], activation: 'startup', healthcheck, restart, shutdownTimeoutSeconds: 0.5 },
    ]);
    const pid = kernel.supervisor('wedged').process!.pid!;
    const before = states.length;

    await until(() => expect(targets(of(states, 'wedged', before))).toEqual(['unhealthy', 'crashed', 'backoff', 'starting', 'running']));

    const changes = of(states, 'wedged', before);
    expect(changes[0]!.reason).toContain('health check failed (1/2)');
    expect(changes[1]!.reason).toContain('health check failed 2 times in a row');
    expect(isAlive(pid)).toBe(false);
    expect(kernel.supervisor('wedged').process!.pid).not.toBe(pid);
  });

  it('keeps a plugin whose only call slot is busy running, because pings bypass the call queue', async () => {
    const { kernel, states } = await open([
      echoPlugin({ healthcheck, restart, limits: { maxConcurrentCalls: 1 } }),
    ]);
    const before = states.length;

    // About three ping intervals with every call slot taken and a second call queued behind the first.
    const results = await Promise.all([kernel.call('echo.slow', { ms: 2000, id: 'a' }), kernel.call('echo.slow', { ms: 1500, id: 'b' })]);

    expect(results).toEqual([{ waited: 2000, id: 'a' }, { waited: 1500, id: 'b' }]);
    expect(of(states, 'echo', before)).toEqual([]);
    expect(kernel.supervisor('echo').state).toBe('running');
  });

  it('restarts a plugin over its memory limit, giving the memory limit as the reason', async () => {
    const { kernel, states } = await open(
      [echoPlugin({ restart, limits: { memoryMb: 1 } })],
      { telemetryIntervalMs: 200 },
    );
    const pid = kernel.supervisor('echo').process!.pid!;
    const before = states.length;

    await until(() => expect(targets(of(states, 'echo', before)).slice(0, 4)).toEqual(['crashed', 'backoff', 'starting', 'running']));

    expect(of(states, 'echo', before)[0]!.reason).toMatch(/memory limit exceeded: RSS \d+ MB over 1 MB/);
    expect(isAlive(pid)).toBe(false);
  });
});
