import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginTelemetrySample } from '../../kernel/src/index.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { fixture, startTestKernel, type TestKernel } from './support/test-kernel.ts';

describe('telemetry', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel(
      [
        echoPlugin({ limits: { maxConcurrentCalls: 1 } }),
        { name: 'noisy', entrypoint: fixture('noisy/main.mjs'), activation: 'startup', capabilities: ['noisy.flood', 'noisy.ping'] },
      ],
      { telemetryIntervalMs: 200 },
    );
    await test.waitForState('echo', 'running');
    await test.waitForState('noisy', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  async function samplesOf(plugin: string, limit?: number): Promise<PluginTelemetrySample[]> {
    return (await test.kernel.call('kernel.plugins.telemetry', limit === undefined ? { plugin } : { plugin, limit })) as PluginTelemetrySample[];
  }

  /** Waits for a sample of `plugin` taken after now that satisfies `accept`, and returns it. */
  async function nextSample(plugin: string, accept: (sample: PluginTelemetrySample) => boolean = () => true): Promise<PluginTelemetrySample> {
    const after = Date.now();
    let found: PluginTelemetrySample | undefined;
    await expect
      .poll(async () => {
        found = (await samplesOf(plugin)).find((sample) => sample.time > after && accept(sample));
        return found !== undefined;
      }, { timeout: 5000, interval: 50 })
      .toBe(true);
    return found!;
  }

  it("samples a running plugin's own process: its pid and a resident memory above zero", async () => {
    const { pid } = (await test.kernel.call('echo.pid')) as { pid: number };

    const sample = await nextSample('echo');

    expect(sample).toMatchObject({ plugin: 'echo', state: 'running', pid });
    expect(sample.rssBytes).toBeGreaterThan(0);
    expect(sample.uptimeMs).toBeGreaterThan(0);
  });

  it('counts the calls a plugin has settled', async () => {
    for (let n = 0; n < 5; n++) await test.kernel.call('noisy.ping');

    const sample = await nextSample('noisy');

    expect(sample).toMatchObject({ calls: 5, errors: 0 });
  });

  it('counts failed calls as errors', async () => {
    const before = test.kernel.metrics.counters('echo');
    await test.kernel.call('echo.fail', { code: 1000, message: 'expected failure' }).catch(() => {});
    await test.kernel.call('echo.echo', {});

    const sample = await nextSample('echo');

    expect(sample.calls - before.calls).toBe(2);
    expect(sample.errors - before.errors).toBe(1);
  });

  it('reports latency percentiles per capability', async () => {
    for (let n = 0; n < 3; n++) await test.kernel.call('echo.slow', { ms: 50 });

    const { latency } = await nextSample('echo');

    const slow = latency['echo.slow']!;
    expect(slow).toMatchObject({ count: 3, errors: 0 });
    expect(slow.p50).toBeGreaterThanOrEqual(49);
    expect(slow.p95).toBeGreaterThanOrEqual(slow.p50);
    expect(slow.p99).toBeGreaterThanOrEqual(slow.p95);
    expect(slow.max).toBeGreaterThanOrEqual(slow.p99);
  });

  it('reports calls in flight and calls queued', async () => {
    const controller = new AbortController();
    const held = [0, 1].map(() => test.kernel.call('echo.stream', { count: 1000, intervalMs: 100 }, { signal: controller.signal }).catch(() => {}));
    try {
      const sample = await nextSample('echo', (candidate) => candidate.inFlight === 1 && candidate.queueDepth === 1);

      expect(sample).toMatchObject({ inFlight: 1, queueDepth: 1 });
    } finally {
      controller.abort(new Error('test over'));
      await Promise.all(held);
    }
  });

  it('returns the newest samples up to the limit, oldest first', async () => {
    await nextSample('noisy');
    const all = await samplesOf('noisy');

    const newest = await samplesOf('noisy', 2);

    expect(newest).toHaveLength(2);
    expect(newest[0]!.time).toBeLessThan(newest[1]!.time);
    expect(newest[1]!.time).toBeGreaterThanOrEqual(all.at(-1)!.time);
  });

  it('publishes every sampling round on kernel.telemetry', async () => {
    const rounds: PluginTelemetrySample[][] = [];
    test.kernel.topics.subscribe('test-telemetry', 'kernel.telemetry', (_topic, data) => rounds.push(data as PluginTelemetrySample[]));
    try {
      await expect.poll(() => rounds.length, { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(2);

      for (const round of rounds) expect(round.map((sample) => sample.plugin).sort()).toEqual(['echo', 'noisy']);
      expect(rounds[1]![0]!.time).toBeGreaterThan(rounds[0]![0]!.time);
    } finally {
      test.kernel.topics.removeSubscriber('test-telemetry');
    }
  });
});
