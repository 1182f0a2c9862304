import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { invalidParam } from '../invalid-param.ts';
import { rateLimited, type RateLimitScope } from './metering-errors.ts';
import { SlidingWindowLimiter, type WindowRefusal } from './sliding-window-limiter.ts';

/** The rate limits are per minute. */
export const RATE_WINDOW_MS = 60_000;

/** A key's or a user's limits as stored (`rpm_limit`, `tpm_limit`); null: no limit. */
export interface ScopeLimits {
  rpm_limit: number | null;
  tpm_limit: number | null;
}

/** Who a reservation is for: the user, and the API key it came through, if any. */
export interface RateSubject {
  userId: string;
  user: ScopeLimits;
  keyId?: string;
  key?: ScopeLimits;
}

/** One request already counted before this process started, to put back into the windows. */
export interface PastRequest {
  userId: string;
  keyId: string | null;
  /** Epoch ms the request was reserved. */
  at: number;
  /** The tokens it counts for now: used once settled, reserved while open, 0 once released. */
  tokens: number;
}

/**
 * The rpm (requests) and tpm (reserved tokens) limits of API keys and users, over exact
 * sliding 60 s windows held in memory and rebuilt from the stored reservations when the
 * plugin starts (restore), so a restart does not hand out a fresh minute.
 */
export class MeteringRateLimits {
  readonly #limiter = new SlidingWindowLimiter(RATE_WINDOW_MS);

  /** Throws RateLimited when one more request of `tokens` at `now` breaks the key's limits, then the user's. */
  assertAllowed(capability: string, subject: RateSubject, tokens: number, now: number): void {
    for (const { scope, id, limits } of scopesOf(subject)) {
      const refusal = this.#limiter.check(id, now, { maxEvents: limits.rpm_limit ?? undefined, maxAmount: limits.tpm_limit ?? undefined }, tokens);
      if (refusal) throw refusalError(capability, scope, refusal);
    }
  }

  /** Counts one request of `tokens` at `now` for the key and the user (after assertAllowed passed). */
  record(subject: RateSubject, tokens: number, now: number): void {
    for (const { id } of scopesOf(subject)) this.#limiter.record(id, now, tokens);
  }

  /** Counts requests made before this process started (oldest first), as record would have. */
  restore(requests: readonly PastRequest[]): void {
    for (const request of requests) {
      this.#limiter.record(`user:${request.userId}`, request.at, request.tokens);
      if (request.keyId !== null) this.#limiter.record(`key:${request.keyId}`, request.at, request.tokens);
    }
  }

  /**
   * Replaces a reservation's tokens in the tpm windows by the tokens it really used (0 when it
   * was released), so a generation that stopped early frees its budget at once. The request still
   * counts towards rpm.
   */
  settle(reservation: { userId: string; keyId: string | null; reservedAt: number; reserved: number }, used: number): void {
    const ids = [`user:${reservation.userId}`, ...(reservation.keyId === null ? [] : [`key:${reservation.keyId}`])];
    for (const id of ids) this.#limiter.adjust(id, reservation.reservedAt, reservation.reserved, used);
  }
}

function* scopesOf(subject: RateSubject): Generator<{ scope: RateLimitScope; id: string; limits: ScopeLimits }> {
  if (subject.keyId !== undefined && subject.key && hasLimit(subject.key)) yield { scope: 'key', id: `key:${subject.keyId}`, limits: subject.key };
  if (hasLimit(subject.user)) yield { scope: 'user', id: `user:${subject.userId}`, limits: subject.user };
}

function hasLimit(limits: ScopeLimits): boolean {
  return limits.rpm_limit !== null || limits.tpm_limit !== null;
}

function refusalError(capability: string, scope: RateLimitScope, refusal: WindowRefusal): BusError {
  const window = refusal.metric === 'events' ? 'rpm' : 'tpm';
  // No wait helps: a request larger than the tpm limit, or a limit of 0 requests.
  if (refusal.retryAfterMs === Number.POSITIVE_INFINITY) {
    if (window === 'tpm') return invalidParam(capability, 'tokens', `must be at most ${refusal.limit}, the ${scope}'s tokens-per-minute limit`);
    return new BusError(ErrorCode.Forbidden, `The ${scope}'s requests-per-minute limit is 0`, { capability, scope, window });
  }
  return rateLimited({
    retryAfterSeconds: Math.ceil(refusal.retryAfterMs / 1000),
    limit: refusal.limit,
    remaining: 0,
    resetSeconds: Math.ceil(refusal.resetMs / 1000),
    scope,
    window,
  });
}
