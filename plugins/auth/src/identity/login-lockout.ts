import { setTimeout as sleep } from 'node:timers/promises';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import type { UserRow } from './users.ts';

/** The first failed login waits this long before its answer; each further one doubles it. */
export const FAILURE_DELAY_BASE_MS = 250;
/** No failed login waits longer than this. */
export const FAILURE_DELAY_CAP_MS = 4000;
/** Usernames that do not exist, tracked in memory; the oldest is forgotten past this many. */
const MAX_UNKNOWN_NAMES = 10_000;

/** Who a login tries to be: a user row when the name exists, the name alone when not. */
export interface LoginSubject {
  username: string;
  user?: UserRow;
}

/** What one more failure did: the count so far and, when this one locked the account, for how long. */
export interface FailureOutcome {
  failures: number;
  /** Seconds the account is now locked for; 0 when this failure did not lock it. */
  lockedSeconds: number;
}

/** How long the failed login number `failures` (1-based) waits before it answers. */
export function failureDelayMs(failures: number): number {
  return Math.min(FAILURE_DELAY_BASE_MS * 2 ** Math.max(0, failures - 1), FAILURE_DELAY_CAP_MS);
}

/** RateLimited (1002, HTTP 429 with Retry-After) for a locked account. */
export function lockedError(retryAfterSeconds: number, limit: number): BusError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new BusError(ErrorCode.RateLimited, `Too many failed logins: the account is locked; try again in ${seconds} s`, {
    retryAfterSeconds: seconds, limit, remaining: 0, resetSeconds: seconds, scope: 'user',
  });
}

/**
 * Failed-login counting and account locks. Known users count in their row (`failed_logins`,
 * `locked_until`), so a restart does not reset a lock. Unknown usernames count in memory the
 * same way, so neither the delays nor the lock tell a guesser which usernames exist.
 */
export class LoginLockout {
  readonly #state: AuthState;
  readonly #unknown = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(state: AuthState) {
    this.#state = state;
  }

  /** Seconds `subject` stays locked; 0 when it is not locked. */
  lockedSeconds(subject: LoginSubject): number {
    const until = subject.user ? subject.user.locked_until : this.#unknown.get(subject.username)?.lockedUntil;
    const left = (until ?? 0) - this.#state.now();
    return left > 0 ? left / 1000 : 0;
  }

  /** Counts one failure; the failure that reaches `maxFailedLogins` locks for `lockMinutes` and starts the count again. */
  async recordFailure(subject: LoginSubject): Promise<FailureOutcome> {
    const { maxFailedLogins, lockMinutes } = this.#state.config;
    const lockMs = lockMinutes * 60_000;
    if (!subject.user) return this.#unknownFailure(subject.username, maxFailedLogins, lockMs);
    const userId = subject.user.id;
    return this.#state.database.transaction(async (trx) => {
      const { failed_logins: failures } = await trx.updateTable('users')
        .set((set) => ({ failed_logins: set('failed_logins', '+', 1) }))
        .where('id', '=', userId)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      if (failures < maxFailedLogins) return { failures, lockedSeconds: 0 };
      await trx.updateTable('users').set({ failed_logins: 0, locked_until: this.#state.now() + lockMs }).where('id', '=', userId).execute();
      return { failures, lockedSeconds: lockMs / 1000 };
    });
  }

  /**
   * Clears the count after a right password, unless the account locked meanwhile (a burst of
   * guesses in parallel): then it answers false and the login must be refused.
   */
  async recordSuccess(userId: string, trx = this.#state.db): Promise<boolean> {
    const now = this.#state.now();
    const cleared = await trx.updateTable('users')
      .set({ failed_logins: 0, locked_until: null })
      .where('id', '=', userId)
      .where((where) => where.or([where('locked_until', 'is', null), where('locked_until', '<=', now)]))
      .executeTakeFirst();
    return Number(cleared.numUpdatedRows) === 1;
  }

  /** Waits before a failed login answers, longer with each failure; ends early when `signal` aborts. */
  async delay(failures: number, signal?: AbortSignal): Promise<void> {
    await sleep(failureDelayMs(failures), undefined, { signal }).catch(() => undefined);
  }

  #unknownFailure(username: string, maxFailedLogins: number, lockMs: number): FailureOutcome {
    const now = this.#state.now();
    const entry = this.#unknown.get(username) ?? { failures: 0, lockedUntil: 0 };
    this.#unknown.delete(username);
    if (this.#unknown.size >= MAX_UNKNOWN_NAMES) this.#unknown.delete(this.#unknown.keys().next().value!);
    entry.failures += 1;
    const failures = entry.failures;
    let lockedSeconds = 0;
    if (failures >= maxFailedLogins) {
      entry.failures = 0;
      entry.lockedUntil = now + lockMs;
      lockedSeconds = lockMs / 1000;
    }
    this.#unknown.set(username, entry);
    return { failures, lockedSeconds };
  }
}
