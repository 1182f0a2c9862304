import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StateChange } from '../../kernel/src/index.ts';
import { fixture, isAlive, startTestKernel, type TestKernel } from './support/test-kernel.ts';

const echoCapabilities = [
  'echo.echo', 'echo.slow', 'echo.aborts', 'echo.stream', 'echo.call', 'echo.emit', 'echo.subscribe',
  'echo.unsubscribe', 'echo.events', 'echo.log', 'echo.fail', 'echo.whoami', 'echo.config', 'echo.pid',
];
const healthcheck = { intervalSeconds: 1, timeoutSeconds: 0.5, failureThreshold: 2 };
const restart = { policy: 'on-failure', maxRestarts: 5, windowSeconds: 30, backoff: { initialMs: 50, maxMs: 200, jitter: 0 } };

let current: TestKernel | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function open(plugins: object[], options: { telemetryIntervalMs?: number } = {}): Promise<TestKernel> {
  current = await startTestKernel(plugins, options);
  return current;
}

const of = (states: StateChange[], plugin: string, from = 0) => states.slice(from).filter((change) => change.plugin === plugin);
const targets = (changes: StateChange[]) => changes.map((change) => change.to);
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
      { name: 'echo', entrypoint: fixture('echo/main.ts'), capabilities: echoCapabilities, activation: 'startup', healthcheck, restart, limits: { maxConcurrentCalls: 1 } },
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
      [{ name: 'echo', entrypoint: fixture('echo/main.ts'), capabilities: echoCapabilities, activation: 'startup', restart, limits: { memoryMb: 1 } }],
      { telemetryIntervalMs: 200 },
    );
    const pid = kernel.supervisor('echo').process!.pid!;
    const before = states.length;

    await until(() => expect(targets(of(states, 'echo', before)).slice(0, 4)).toEqual(['crashed', 'backoff', 'starting', 'running']));

    expect(of(states, 'echo', before)[0]!.reason).toMatch(/memory limit exceeded: RSS \d+ MB over 1 MB/);
    expect(isAlive(pid)).toBe(false);
  });
});
