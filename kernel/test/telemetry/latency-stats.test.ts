import { describe, expect, it } from 'vitest';
import { LatencyStats } from '../../src/telemetry/index.ts';

describe('LatencyStats', () => {
  it('gives nearest-rank percentiles of known data', () => {
    const stats = new LatencyStats();
    for (const ms of [...Array.from({ length: 100 }, (_, i) => 100 - i)]) stats.record('hello.echo', ms);
    expect(stats.snapshot('hello.echo')).toEqual({ count: 100, errors: 0, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('counts errors and includes their durations', () => {
    const stats = new LatencyStats();
    stats.record('hello.echo', 1);
    stats.recordError('hello.echo', 500);
    expect(stats.snapshot('hello.echo')).toMatchObject({ count: 2, errors: 1, max: 500 });
  });

  it('computes percentiles over the most recent window only', () => {
    const stats = new LatencyStats({ windowSize: 4 });
    for (const ms of [1000, 1000, 1000, 1000, 1, 2, 3, 4]) stats.record('slow.start', ms);
    expect(stats.snapshot('slow.start')).toMatchObject({ count: 8, p50: 2, max: 4 });
  });

  it('keeps capabilities apart', () => {
    const stats = new LatencyStats();
    stats.record('a.x', 5);
    stats.record('b.y', 7);
    expect([...stats.snapshotAll()].map(([name, s]) => [name, s.p50])).toEqual([['a.x', 5], ['b.y', 7]]);
  });

  it('knows nothing of a capability it never recorded or was reset', () => {
    const stats = new LatencyStats();
    stats.record('a.x', 5);
    stats.reset('a.x');
    expect(stats.snapshot('a.x')).toBeUndefined();
  });
});
