import { describe, expect, it } from 'vitest';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { errorHeaders, httpStatusOf } from '../../src/gateway/http-errors.ts';

describe('httpStatusOf', () => {
  it('answers the shared capability codes with their catalog statuses 402, 429 and 502', () => {
    expect([ErrorCode.InsufficientBalance, ErrorCode.RateLimited, ErrorCode.UpstreamFailed].map((code) => httpStatusOf(code))).toEqual([402, 429, 502]);
  });

  it("answers a plugin's own code with the status its data.httpStatus names", () => {
    expect(httpStatusOf(10_001, { httpStatus: 409, item: 'x' })).toBe(409);
    expect(httpStatusOf(42_000, { httpStatus: 503 })).toBe(503);
  });

  it("answers a plugin's own code with 500 when data.httpStatus is missing, not an integer or outside 400..599", () => {
    const statuses = [undefined, null, {}, { httpStatus: '409' }, { httpStatus: 409.5 }, { httpStatus: 200 }, { httpStatus: 302 }, { httpStatus: 600 }]
      .map((data) => httpStatusOf(10_001, data));
    expect(statuses).toEqual([500, 500, 500, 500, 500, 500, 500, 500]);
  });

  it('ignores data.httpStatus on catalog codes and on codes below the plugin range', () => {
    expect(httpStatusOf(ErrorCode.Forbidden, { httpStatus: 418 })).toBe(403);
    expect(httpStatusOf(4200, { httpStatus: 418 })).toBe(500);
  });
});

describe('errorHeaders', () => {
  it('sets Retry-After and x-ratelimit-* from RateLimited data at its new code', () => {
    const error = new BusError(ErrorCode.RateLimited, 'slow down', { retryAfterSeconds: 6.2, limit: 60, remaining: 0, resetSeconds: 6.2 });
    expect(errorHeaders(error)).toEqual({ 'retry-after': '7', 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7' });
  });
});
