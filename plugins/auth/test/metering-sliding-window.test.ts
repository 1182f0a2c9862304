import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../src/metering/sliding-window-limiter.ts';

const WINDOW = 60_000;

describe('SlidingWindowLimiter', () => {
  it('lets events in up to the limit and refuses the next until the oldest leaves the window', () => {
    const limiter = new SlidingWindowLimiter(WINDOW);
    for (const time of [0, 1_000, 2_000]) {
      expect(limiter.check('k', time, { maxEvents: 3 }, 1)).toBeUndefined();
      limiter.record('k', time, 1);
    }
    expect(limiter.check('k', 2_500, { maxEvents: 3 }, 1)).toEqual({ metric: 'events', limit: 3, retryAfterMs: 57_500, resetMs: 59_500 });
    expect(limiter.check('k', 59_999, { maxEvents: 3 }, 1)).toMatchObject({ retryAfterMs: 1 });
    expect(limiter.check('k', 60_000, { maxEvents: 3 }, 1)).toBeUndefined();
  });

  it('waits for as many of the oldest amounts as the excess needs', () => {
    const limiter = new SlidingWindowLimiter(WINDOW);
    limiter.record('k', 0, 100);
    limiter.record('k', 10_000, 100);
    limiter.record('k', 20_000, 100);
    // 300 in the window, limit 350: 150 more needs 100 freed (the first), 250 more needs 200 (the first two).
    expect(limiter.check('k', 30_000, { maxAmount: 350 }, 150)).toMatchObject({ metric: 'amount', retryAfterMs: 30_000 });
    expect(limiter.check('k', 30_000, { maxAmount: 350 }, 250)).toMatchObject({ retryAfterMs: 40_000 });
    expect(limiter.check('k', 30_000, { maxAmount: 350 }, 50)).toBeUndefined();
  });

  it('reports an amount above the limit as never fitting', () => {
    const limiter = new SlidingWindowLimiter(WINDOW);
    expect(limiter.check('k', 0, { maxAmount: 10 }, 11)).toMatchObject({ retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it('keeps the keys apart', () => {
    const limiter = new SlidingWindowLimiter(WINDOW);
    limiter.record('a', 0, 1);
    expect(limiter.check('a', 0, { maxEvents: 1 }, 1)).toBeDefined();
    expect(limiter.check('b', 0, { maxEvents: 1 }, 1)).toBeUndefined();
  });

  it('forgets idle keys once their events left the window', () => {
    const limiter = new SlidingWindowLimiter(WINDOW);
    for (let key = 0; key < 1000; key++) limiter.record(`key-${key}`, 0, 1);
    expect(limiter.size).toBe(1000);
    limiter.record('busy', WINDOW, 1);
    expect(limiter.size).toBe(1);
  });

  it('counts only the events of the last window, after thousands have passed', () => {
    const limiter = new SlidingWindowLimiter(WINDOW);
    for (let time = 0; time < 10 * WINDOW; time += 100) {
      limiter.check('k', time, { maxEvents: 1000 }, 1);
      limiter.record('k', time, 1);
    }
    // At 10 per second, 599 events lie strictly inside the last 60 s; 6000 were recorded in all.
    const refusal = limiter.check('k', 10 * WINDOW, { maxEvents: 599 }, 1);
    expect(refusal).toMatchObject({ metric: 'events' });
    expect(limiter.check('k', 10 * WINDOW, { maxEvents: 600 }, 1)).toBeUndefined();
  });
});
