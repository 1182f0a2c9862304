import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from '../src/remote/remote-retry.ts';

describe('backoffDelayMs', () => {
  it('doubles the base per retry, between half and all of it', () => {
    expect([1, 2, 3].map((retry) => backoffDelayMs(retry, 100, 10_000, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((retry) => backoffDelayMs(retry, 100, 10_000, () => 1))).toEqual([100, 200, 400]);
  });

  it('never waits longer than the maximum', () => {
    expect(backoffDelayMs(20, 500, 8_000, () => 1)).toBe(8_000);
  });
});

describe('retryAfterMs', () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);

  it('reads Retry-After in seconds', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3' }))).toBe(3_000);
  });

  it('reads Retry-After as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now)).toBe(7_000);
  });

  it('prefers OpenAI retry-after-ms', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
  });

  it('ignores a missing or unreadable header', () => {
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});

describe('isRetryableStatus', () => {
  it('retries timeouts, conflicts, rate limits and server errors, not client errors', () => {
    expect([408, 409, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422, 501].some(isRetryableStatus)).toBe(false);
  });
});
