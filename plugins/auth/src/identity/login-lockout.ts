import { setTimeout as sleep } from 'node:timers/promises';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import type { UserRow } from './users.ts';

/** The first failed login waits this long before its answer; each further one doubles it. */
export const FAILURE_DELAY_BASE_MS = 250;
/** No failed login waits longer than this. */
export const FAILURE_DELAY_CAP_MS = 4000;
/**
 * How long an attempt waits for the checks in flight when `maxFailedLogins` are counted: longer
 * than a password check and the slowest failure delay take, so only a count a crash left behind
 * outlasts it.
 */
const BURST_WAIT_MS = 10_000;
/** How often a waiting attempt looks at the count again. */
const BURST_POLL_MS = 25;
/** Usernames that do not exist, tracked in memory; the oldest is forgotten past this many. */
const MAX_UNKNOWN_NAMES = 10_000;

/** Who a login tries to be: a user row when the name exists, the name alone when not. */
export interface LoginSubject {
  username: string;
  user?: UserRow;
}

/** A password check that may run: its number (1-based) among the attempts counted for the subject so far. */
export interface ReservedAttempt {
  attempt: number;
}

/** A password check that may not run: the subject is locked (or its last allowed attempts are in flight) for this long. */
export interface RefusedAttempt {
  lockedSeconds: number;
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
 * Failed-login counting and account locks. Each password check is counted before it runs
 * (`reserve`), in the same statement that reads the count, so at most `maxFailedLogins` checks
 * run per lock window however many logins arrive at once; a right password clears the count,
 * the failure of the last allowed check locks the account. Known users count in their row
 * (`failed_logins`, `locked_until`), so a restart does not reset a lock. Unknown usernames count
 * in memory the same way, so neither the delays nor the lock tell a guesser which names exist.
 */
export class LoginLockout {
  readonly #state: AuthState;
  readonly #unknown = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(state: AuthState) {
    this.#state = state;
  }

  /**
   * Counts one attempt of `subject` before its password is checked; refuses it while the
   * subject is locked. When `maxFailedLogins` attempts are already counted and the subject is
   * not locked, those checks are still in flight: this attempt waits (up to BURST_WAIT_MS) for
   * them to settle, so parallel logins with the right password all get in (a success clears the
   * count) while parallel guesses end in the lock their failures set. A count that does not move
   * for that long was left behind by a crash: it locks the subject, so it cannot refuse forever.
   */
  async reserve(subject: LoginSubject): Promise<ReservedAttempt | RefusedAttempt> {
    const { maxFailedLogins, lockMinutes } = this.#state.config;
    if (!subject.user) return this.#reserveUnknown(subject.username, maxFailedLogins, lockMinutes * 60);
    const userId = subject.user.id;
    const waitUntil = this.#state.now() + BURST_WAIT_MS;
    for (;;) {
      const outcome = await this.#state.database.transaction(async (trx) => {
        const now = this.#state.now();
        const counted = await trx.updateTable('users')
          .set((set) => ({ failed_logins: set('failed_logins', '+', 1) }))
          .where('id', '=', userId)
          .where('failed_logins', '<', maxFailedLogins)
          .where((where) => where.or([where('locked_until', 'is', null), where('locked_until', '<=', now)]))
          .returning('failed_logins')
          .executeTakeFirst();
        if (counted) return { attempt: counted.failed_logins };
        const row = await trx.selectFrom('users').select('locked_until').where('id', '=', userId).executeTakeFirst();
        const left = (row?.locked_until ?? 0) - now;
        if (left > 0) return { lockedSeconds: left / 1000 };
        if (now < waitUntil) return undefined;
        await trx.updateTable('users').set({ failed_logins: 0, locked_until: now + lockMinutes * 60_000 }).where('id', '=', userId).execute();
        return { lockedSeconds: lockMinutes * 60 };
      });
      if (outcome !== undefined) return outcome;
      await sleep(BURST_POLL_MS);
    }
  }

  /** Records that attempt number `attempt` (from reserve) had a wrong password: the last allowed one locks for `lockMinutes` and starts the count again. */
  async recordFailure(subject: LoginSubject, attempt: number): Promise<FailureOutcome> {
    const { maxFailedLogins, lockMinutes } = this.#state.config;
    const lockMs = lockMinutes * 60_000;
    if (attempt < maxFailedLogins) return { failures: attempt, lockedSeconds: 0 };
    const lockedUntil = this.#state.now() + lockMs;
    if (subject.user) {
      await this.#state.db.updateTable('users').set({ failed_logins: 0, locked_until: lockedUntil }).where('id', '=', subject.user.id).execute();
    } else {
      this.#remember(subject.username, { failures: 0, lockedUntil });
    }
    return { failures: attempt, lockedSeconds: lockMs / 1000 };
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

  /** Seconds a known user's row says it is locked for; 0 when it is not locked. */
  lockedSeconds(user: UserRow): number {
    const left = (user.locked_until ?? 0) - this.#state.now();
    return left > 0 ? left / 1000 : 0;
  }

  /** Waits before a failed login answers, longer with each failure; ends early when `signal` aborts or after `timeout` ms. */
  async delay(failures: number, { signal, timeout }: { signal?: AbortSignal; timeout?: number } = {}): Promise<void> {
    await sleep(Math.min(failureDelayMs(failures), timeout ?? Number.POSITIVE_INFINITY), undefined, { signal }).catch(() => undefined);
  }

  #reserveUnknown(username: string, maxFailedLogins: number, lockSeconds: number): ReservedAttempt | RefusedAttempt {
    const now = this.#state.now();
    const entry = this.#unknown.get(username) ?? { failures: 0, lockedUntil: 0 };
    if (entry.lockedUntil > now) return { lockedSeconds: (entry.lockedUntil - now) / 1000 };
    if (entry.failures >= maxFailedLogins) {
      this.#remember(username, { failures: 0, lockedUntil: now + lockSeconds * 1000 });
      return { lockedSeconds: lockSeconds };
    }
    entry.failures += 1;
    this.#remember(username, entry);
    return { attempt: entry.failures };
  }

  /** Stores `entry` as the newest name, forgetting the oldest past MAX_UNKNOWN_NAMES. */
  #remember(username: string, entry: { failures: number; lockedUntil: number }): void {
    this.#unknown.delete(username);
    if (this.#unknown.size >= MAX_UNKNOWN_NAMES) this.#unknown.delete(this.#unknown.keys().next().value!);
    this.#unknown.set(username, entry);
  }
}
