import { describe, expect, it, vi } from 'vitest';
import { failure, of, targets } from './support/assertions.ts';
import { fixture, isAlive, kernelPerTest } from './support/test-kernel.ts';

const crashCapabilities = ['crash.now', 'crash.later', 'crash.ok'];
const fastBackoff = { initialMs: 50, maxMs: 200, jitter: 0 };
const restart = (extra: object = {}) => ({ policy: 'on-failure', maxRestarts: 5, windowSeconds: 30, backoff: fastBackoff, ...extra });

const crashMidCall = (extra: object = {}) => ({
  name: 'crashy', entrypoint: fixture('crash-mid-call/main.mjs'), capabilities: crashCapabilities, activation: 'startup', restart: restart(), ...extra,
});
const crashOnStart = (extra: object = {}) => ({
  name: 'doomed', entrypoint: fixture('crash-on-start/main.mjs'), capabilities: ['doomed.never'], activation: 'startup', restart: restart({ maxRestarts: 2 }), ...extra,
});

/** Opens and starts a kernel, closed after the test. */
const open = kernelPerTest();

const until = (assertion: () => void) => vi.waitFor(assertion, { timeout: 15_000, interval: 20 });

describe('restart after a crash', () => {
  it('takes a plugin that crashes mid-call through crashed, backoff and starting back to running', async () => {
    const { kernel, states } = await open([crashMidCall()]);
    const pid = kernel.supervisor('crashy').process!.pid!;
    const before = states.length;

    const error = await failure(kernel.call('crash.now'));

    expect(error.code).toBe(-32003);
    await until(() => expect(targets(of(states, 'crashy', before))).toEqual(['crashed', 'backoff', 'starting', 'running']));
    expect(of(states, 'crashy', before)[0]!.reason).toBe('exited with code 7');
    expect(isAlive(pid)).toBe(false);
    expect(await kernel.call('crash.ok')).toEqual({ ok: true });
  });

  it('counts every restart in kernel.plugins.get', async () => {
    const { kernel, states } = await open([crashMidCall()]);

    for (let crash = 1; crash <= 2; crash++) {
      const before = states.length;
      await failure(kernel.call('crash.now'));
      await until(() => expect(targets(of(states, 'crashy', before))).toContain('running'));
    }

    expect(await kernel.call('kernel.plugins.get', { plugin: 'crashy' })).toMatchObject({ restarts: 2, lastError: 'exited with code 7' });
  });

  it('grows the restart delay exponentially from initialMs up to maxMs', async () => {
    const { states, waitForState } = await open([crashOnStart({ restart: restart({ maxRestarts: 5 }) })]);

    await waitForState('doomed', 'quarantined');

    const delays = of(states, 'doomed')
      .filter((change) => change.to === 'backoff')
      .map((change) => Number(/restarting in (\d+) ms/.exec(change.reason)?.[1]));
    expect(delays).toEqual([50, 100, 200, 200, 200]);
  });
});

describe('quarantine', () => {
  it('quarantines a plugin that crashes more than maxRestarts times, keeping its last error and stderr lines', async () => {
    const { kernel, states, waitForState } = await open([crashOnStart()]);

    await waitForState('doomed', 'quarantined');

    expect(of(states, 'doomed').filter((change) => change.to === 'starting')).toHaveLength(3);
    const info = (await kernel.call('kernel.plugins.get', { plugin: 'doomed' })) as { state: string; lastError: string; recentLogs: { msg: string; source: string }[] };
    expect(info.state).toBe('quarantined');
    expect(info.lastError).toContain('exited with code 3');
    expect(info.recentLogs.filter((record) => record.source === 'stderr').map((record) => record.msg)).toContain(
      'crash-on-start: fatal: cannot start (fixture exits with code 3 before initialize)',
    );
  });

  it('fails a call to a quarantined plugin with -32002 PluginNotRunning instead of starting it', async () => {
    const { kernel, states, waitForState } = await open([crashOnStart()]);
    await waitForState('doomed', 'quarantined');
    await new Promise((resolve) => setImmediate(resolve)); // see the release tests below
    const before = states.length;

    const error = await failure(kernel.call('doomed.never'));

    expect(error.code).toBe(-32002);
    expect(error.message).toContain('quarantined');
    expect(error.data).toMatchObject({ plugin: 'doomed', state: 'quarantined' });
    expect(of(states, 'doomed', before)).toEqual([]);
  });

  it('releases a quarantined plugin on an explicit kernel.plugins.start, which starts it again', async () => {
    const { kernel, states, waitForState } = await open([crashOnStart()]);
    await waitForState('doomed', 'quarantined');
    // Let the start attempt that ended in quarantine settle; the next test covers not waiting.
    await new Promise((resolve) => setImmediate(resolve));
    const before = states.length;

    const error = await failure(kernel.call('kernel.plugins.start', { plugin: 'doomed' }));

    expect(error.code).toBe(-32002);
    expect(of(states, 'doomed', before)[0]).toMatchObject({ from: 'quarantined', to: 'starting', reason: 'started through kernel.plugins.start' });
    // Released, it gets its full allowance of restarts again before the next quarantine.
    await waitForState('doomed', 'quarantined');
    expect(of(states, 'doomed', before).filter((change) => change.to === 'starting')).toHaveLength(3);
  });

  it('starts a plugin again on an explicit kernel.plugins.start issued as soon as it is reported quarantined', async () => {
    const { kernel, states, waitForState } = await open([crashOnStart()]);
    await waitForState('doomed', 'quarantined');
    const before = states.length;

    await failure(kernel.call('kernel.plugins.start', { plugin: 'doomed' }));

    expect(of(states, 'doomed', before)[0]).toMatchObject({ from: 'quarantined', to: 'starting' });
  });
});

describe('restart policy', () => {
  it("leaves a crashed plugin with policy 'never' crashed", async () => {
    const { kernel, states, waitForState } = await open([crashMidCall({ restart: restart({ policy: 'never' }) })]);
    const before = states.length;

    await failure(kernel.call('crash.now'));
    await waitForState('crashy', 'crashed');
    // Nothing to poll for: give a restart several backoff periods to show up.
    await new Promise((resolve) => setTimeout(resolve, 10 * fastBackoff.initialMs));

    expect(kernel.supervisor('crashy').state).toBe('crashed');
    expect(targets(of(states, 'crashy', before))).toEqual(['crashed']);
  });

  it("stops, without restarting, a running plugin that exits with code 0 under policy 'on-failure'", async () => {
    const { kernel, states, waitForState } = await open([crashMidCall()]);
    const before = states.length;

    await failure(kernel.call('crash.now', { exitCode: 0 }));
    await waitForState('crashy', 'stopped');
    await new Promise((resolve) => setTimeout(resolve, 10 * fastBackoff.initialMs));

    expect(kernel.supervisor('crashy').state).toBe('stopped');
    expect(targets(of(states, 'crashy', before))).toEqual(['stopped']);
  });

  it("counts a plugin that exits with code 0 before its handshake as a failed start under policy 'on-failure'", async () => {
    // A plugin that never came up did not finish its work cleanly: it failed to start, so it is retried and can end quarantined.
    const { kernel, states, waitForState } = await open([crashOnStart({ env: { FIXTURE_EXIT_CODE: '0' } })]);
    await waitForState('doomed', 'backoff');

    expect(kernel.supervisor('doomed').lastError).toContain('exited with code 0 before completing the handshake');
    expect(targets(of(states, 'doomed')).slice(0, 3)).toEqual(['starting', 'crashed', 'backoff']);
  });

  it("restarts a plugin that exits with code 0 under policy 'always'", async () => {
    const { kernel, states } = await open([crashMidCall({ restart: restart({ policy: 'always' }) })]);
    const before = states.length;

    await failure(kernel.call('crash.now', { exitCode: 0 }));

    await until(() => expect(targets(of(states, 'crashy', before))).toEqual(['stopped', 'backoff', 'starting', 'running']));
  });
});
