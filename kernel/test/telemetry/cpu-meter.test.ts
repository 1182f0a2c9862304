import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { CPU_WINDOW_MIN_MS, CpuMeter } from '../../src/telemetry/cpu-meter.ts';

/** Keeps this thread busy for `ms` of wall time. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) Math.sqrt(Math.random());
}

describe('CpuMeter', () => {
  it('reports the CPU a busy window used as a positive percent of one core', () => {
    const meter = new CpuMeter();
    meter.read();
    spin(CPU_WINDOW_MIN_MS + 100);

    const busy = meter.read();

    expect(busy).toBeGreaterThan(0);
    // One busy thread is about one core; the bound leaves room for the runtime's helper threads but catches a unit slip.
    expect(busy).toBeLessThan(400);
  });

  it('repeats the last reading when asked again within the shortest window', () => {
    const meter = new CpuMeter();
    const first = meter.read();
    spin(50);

    expect(meter.read()).toBe(first);
  });
});
