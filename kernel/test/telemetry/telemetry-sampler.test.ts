import { describe, expect, it } from 'vitest';
import { CallMetrics } from '../../src/telemetry/call-metrics.ts';
import { TelemetrySampler, type PluginTelemetrySample, type TelemetryHost } from '../../src/telemetry/telemetry-sampler.ts';

function hostPublishingTo(rounds: PluginTelemetrySample[][]): TelemetryHost {
  return { supervisors: [], metrics: new CallMetrics(), load: () => ({ active: 0, queued: 0 }), publish: (samples) => rounds.push(samples) };
}

describe('TelemetrySampler disposal', () => {
  it('publishes a round while it runs and nothing after being disposed twice', async () => {
    const rounds: PluginTelemetrySample[][] = [];
    const sampler = new TelemetrySampler(hostPublishingTo(rounds), { interval: 10 });
    await sampler.sample();
    expect(rounds).toHaveLength(1);

    sampler.dispose();
    await sampler[Symbol.asyncDispose]();
    sampler.start();

    expect(await sampler.sample()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rounds).toHaveLength(1);
  });

  it('drops a round that was still measuring when it was disposed', async () => {
    const rounds: PluginTelemetrySample[][] = [];
    const sampler = new TelemetrySampler(hostPublishingTo(rounds));

    const measuring = sampler.sample();
    sampler.dispose();

    expect(await measuring).toEqual([]);
    expect(rounds).toEqual([]);
  });
});
