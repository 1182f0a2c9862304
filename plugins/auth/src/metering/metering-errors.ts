import { BusError, ErrorCode } from '@cyberstudio/sdk';

/** Which limit a RateLimited error is about: the API key's or the user's (across keys). */
export type RateLimitScope = 'key' | 'user';

/** RateLimited 1002's data as metering sends it (the gateway turns it into Retry-After and x-ratelimit-*). */
export interface RateLimitedData {
  retryAfterSeconds: number;
  limit: number;
  remaining: 0;
  resetSeconds: number;
  scope: RateLimitScope;
  /** rpm: requests per minute; tpm: reserved tokens per minute. */
  window: 'rpm' | 'tpm';
}


/** InsufficientBalance 1001 (HTTP 402): the balance cannot cover the tokens asked for. */
export function insufficientBalance(userId: string, balance: number, requested: number): BusError {
  return new BusError(ErrorCode.InsufficientBalance, `Not enough tokens: the balance is ${balance}, the request needs ${requested}`, {
    userId, balance, requested,
  });
}

/** RateLimited 1002 (HTTP 429) for a sliding-window limit. */
export function rateLimited(data: RateLimitedData): BusError {
  const unit = data.window === 'rpm' ? 'requests' : 'tokens';
  return new BusError(
    ErrorCode.RateLimited,
    `Rate limit: the ${data.scope} allows ${data.limit} ${unit} per minute; retry in ${data.retryAfterSeconds} s`,
    data,
  );
}

/** Unauthenticated -32012: the user or key named in a reservation is no longer valid. */
export function notValid(what: 'user' | 'key', reason: 'disabled' | 'revoked' | 'expired'): BusError {
  return new BusError(ErrorCode.Unauthenticated, `Not signed in: the ${what} is ${reason}`, { reason });
}
