import { BusError, ErrorCode, type Caller } from '@cyberstudio/sdk';
import type { Kysely, Selectable } from '@cyberstudio/database';
import type { AuthState } from '../auth-state.ts';
import type { AuthTables, ReservationsTable } from '../auth-tables.ts';
import { ADMIN_ROLE, assertSelfOrAdmin, forbidden, isAdmin, isSelf } from '../caller-access.ts';
import { findUser } from '../identity/users.ts';
import { invalidParam } from '../invalid-param.ts';
import { insufficientBalance, notValid } from './metering-errors.ts';
import { RATE_WINDOW_MS, type MeteringRateLimits, type PastRequest, type ScopeLimits } from './metering-rate-limits.ts';
import { recordDailyUsage } from './usage-history.ts';

/** Params of `auth.usage.reserve`. */
export interface ReserveParams {
  /** User id or username. */
  user: string;
  keyId?: string;
  model: string;
  tokens: number;
}

/** Result of `auth.usage.reserve`. */
export interface ReserveResult {
  reservationId: string;
  expiresAt: number;
  /** The balance left after the reservation took its tokens. */
  balance: number;
}

/** Params of `auth.usage.commit`. */
export interface CommitParams {
  reservationId: string;
  promptTokens: number;
  completionTokens: number;
}

/** Result of `auth.usage.commit`. */
export interface CommitResult {
  charged: number;
  refunded: number;
  balance: number;
}

/** Params of `auth.usage.progress`: the tokens delivered so far (totals, not increments). */
export type ProgressParams = CommitParams;

/** What settling a gone holder's reservations did: how many were committed with delivered tokens, how many released. */
export interface HolderSettlement {
  committed: number;
  released: number;
}

/** Result of `auth.usage.release`. */
export interface ReleaseResult {
  refunded: number;
  balance: number;
}

type ReservationRow = Selectable<ReservationsTable>;

const RESERVE = 'auth.usage.reserve';

/**
 * Reservations: tokens taken from a user's balance before a generation, settled by a commit
 * (charge what was used, give back the rest), a release (give back all) or expiry. Each step
 * is one transaction; transactions run one at a time on the database's one connection, so a
 * balance read and its update cannot interleave with another reservation's.
 */
export class Reservations {
  readonly #state: AuthState;
  readonly #rateLimits: MeteringRateLimits;
  #windowsRestored: Promise<void> | undefined;

  constructor(state: AuthState, rateLimits: MeteringRateLimits) {
    this.#state = state;
    this.#rateLimits = rateLimits;
  }

  /**
   * Puts the last minute's stored reservations back into the rate windows, once, before this
   * process's first reservation: the windows live in memory, and a restart must not hand out a
   * fresh minute. A failed read is tried again on the next reservation.
   */
  #restoreWindows(): Promise<void> {
    this.#windowsRestored ??= recentRequests(this.#state.db, this.#state.now() - RATE_WINDOW_MS).then(
      (requests) => this.#rateLimits.restore(requests),
      (error: unknown) => {
        this.#windowsRestored = undefined;
        throw error;
      },
    );
    return this.#windowsRestored;
  }

  /** Checks the user, the key, the rate limits and the balance, in that order, then holds `tokens`. */
  async reserve(caller: Caller, params: ReserveParams): Promise<ReserveResult> {
    assertSelfOrAdmin(caller, RESERVE, params.user);
    const keyId = keyOf(caller, params);
    await this.#restoreWindows();
    return this.#state.database.transaction(async (trx) => {
      const now = this.#state.now();
      const user = await findUser(trx, params.user);
      if (!user) throw invalidParam(RESERVE, 'user', 'names no user');
      if (user.disabled_at !== null) throw notValid('user', 'disabled');
      const key = keyId === undefined ? undefined : await validKey(trx, keyId, user.id, params.model, now);
      const subject = { userId: user.id, user, keyId, key };
      this.#rateLimits.assertAllowed(RESERVE, subject, params.tokens, now);
      const unlimited = user.unlimited === 1;
      if (!unlimited && user.balance < params.tokens) throw insufficientBalance(user.id, user.balance, params.tokens);
      const reservationId = this.#state.newId('r');
      const expiresAt = now + this.#state.config.reservationTtlSeconds * 1000;
      await trx.insertInto('reservations').values({
        id: reservationId, user_id: user.id, key_id: keyId ?? null, model: params.model, tokens: params.tokens,
        unlimited: unlimited ? 1 : 0, state: 'open', created_at: now, expires_at: expiresAt,
        settled_at: null, prompt_tokens: null, completion_tokens: null,
        holder: caller.kind === 'plugin' ? caller.name : null,
      }).execute();
      const balance = unlimited ? user.balance : await addToBalance(trx, user.id, -params.tokens);
      this.#rateLimits.record(subject, params.tokens, now);
      return { reservationId, expiresAt, balance };
    });
  }

  /**
   * Charges the tokens used, gives back what the reservation held beyond them, and records the
   * day's usage. A reservation is the most its generation may cost: counts adding up to more
   * are refused with CapabilityInvalidParams, and nothing changes.
   */
  async commit(caller: Caller, params: CommitParams): Promise<CommitResult> {
    const { result, reservation } = await this.#state.database.transaction(async (trx) => {
      const now = this.#state.now();
      const reservation = await openReservation(trx, 'auth.usage.commit', caller, params.reservationId, now);
      const used = params.promptTokens + params.completionTokens;
      if (used > reservation.tokens) {
        throw invalidParam('auth.usage.commit', 'completionTokens', `with promptTokens adds up to ${used}, more than the ${reservation.tokens} tokens reserved; nothing changed`);
      }
      const refunded = reservation.unlimited === 1 ? 0 : reservation.tokens - used;
      const balance = refunded === 0 ? await balanceOf(trx, reservation.user_id) : await addToBalance(trx, reservation.user_id, refunded);
      await trx.updateTable('reservations')
        .set({ state: 'committed', settled_at: now, prompt_tokens: params.promptTokens, completion_tokens: params.completionTokens })
        .where('id', '=', reservation.id)
        .execute();
      await recordDailyUsage(trx, {
        userId: reservation.user_id, keyId: reservation.key_id, model: reservation.model, time: now,
        promptTokens: params.promptTokens, completionTokens: params.completionTokens,
      });
      return { result: { charged: used, refunded, balance }, reservation };
    });
    this.#settleRate(reservation, params.promptTokens + params.completionTokens);
    return result;
  }

  /**
   * Records the tokens a streaming generation has delivered so far (totals), to be charged if
   * its holder's process dies before it commits. Bounded like a commit; changes nothing else.
   */
  async progress(caller: Caller, params: ProgressParams): Promise<void> {
    await this.#state.database.transaction(async (trx) => {
      const reservation = await openReservation(trx, 'auth.usage.progress', caller, params.reservationId, this.#state.now());
      const delivered = params.promptTokens + params.completionTokens;
      if (delivered > reservation.tokens) {
        throw invalidParam('auth.usage.progress', 'completionTokens', `with promptTokens adds up to ${delivered}, more than the ${reservation.tokens} tokens reserved; nothing changed`);
      }
      await trx.updateTable('reservations')
        .set({ delivered_prompt_tokens: params.promptTokens, delivered_completion_tokens: params.completionTokens })
        .where('id', '=', reservation.id)
        .execute();
    });
  }

  /**
   * Settles every open reservation plugin `holder` made up to epoch ms `until` (when its process
   * was seen gone): commits the tokens it reported delivered, gives the rest back, and releases
   * those that delivered none. Later reservations belong to a new process and stay open.
   */
  async settleHolder(holder: string, until: number): Promise<HolderSettlement> {
    const settled = await this.#state.database.transaction(async (trx) => {
      const now = this.#state.now();
      const open = await trx.selectFrom('reservations').selectAll()
        .where('holder', '=', holder).where('state', '=', 'open').where('created_at', '<=', until)
        .execute();
      for (const reservation of open) await settleDelivered(trx, reservation, now);
      return open;
    });
    for (const reservation of settled) this.#settleRate(reservation, reservation.delivered_prompt_tokens + reservation.delivered_completion_tokens);
    const committed = settled.filter((reservation) => reservation.delivered_prompt_tokens + reservation.delivered_completion_tokens > 0).length;
    return { committed, released: settled.length - committed };
  }

  /** Gives every token of the reservation back (the generation was aborted or failed before using any). */
  async release(caller: Caller, reservationId: string): Promise<ReleaseResult> {
    const { result, reservation } = await this.#state.database.transaction(async (trx) => {
      const now = this.#state.now();
      const reservation = await openReservation(trx, 'auth.usage.release', caller, reservationId, now);
      const refunded = reservation.unlimited === 1 ? 0 : reservation.tokens;
      const balance = await addToBalance(trx, reservation.user_id, refunded);
      await trx.updateTable('reservations').set({ state: 'released', settled_at: now }).where('id', '=', reservation.id).execute();
      return { result: { refunded, balance }, reservation };
    });
    this.#settleRate(reservation, 0);
    return result;
  }

  /** After the settlement committed: the tpm windows count what the reservation really used. */
  #settleRate(reservation: ReservationRow, used: number): void {
    this.#rateLimits.settle({ userId: reservation.user_id, keyId: reservation.key_id, reservedAt: reservation.created_at, reserved: reservation.tokens }, used);
  }
}

/**
 * Reservations made after `since`, oldest first, as the rate windows count them: open and
 * expired ones with the tokens they held, committed ones with the tokens they used, released
 * ones with none (as settling them did).
 */
async function recentRequests(db: Kysely<AuthTables>, since: number): Promise<PastRequest[]> {
  const rows = await db.selectFrom('reservations')
    .select(['user_id', 'key_id', 'created_at', 'tokens', 'state', 'prompt_tokens', 'completion_tokens'])
    .where('created_at', '>', since)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    userId: row.user_id,
    keyId: row.key_id,
    at: row.created_at,
    tokens: row.state === 'committed' ? (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0) : row.state === 'released' ? 0 : row.tokens,
  }));
}

/** Commits what `reservation` delivered (or releases it when nothing was) and gives back the rest, inside `trx`. */
async function settleDelivered(trx: Kysely<AuthTables>, reservation: ReservationRow, now: number): Promise<void> {
  const promptTokens = reservation.delivered_prompt_tokens;
  const completionTokens = reservation.delivered_completion_tokens;
  const used = promptTokens + completionTokens;
  if (reservation.unlimited === 0) await addToBalance(trx, reservation.user_id, reservation.tokens - used);
  if (used === 0) {
    await trx.updateTable('reservations').set({ state: 'released', settled_at: now }).where('id', '=', reservation.id).execute();
    return;
  }
  await trx.updateTable('reservations')
    .set({ state: 'committed', settled_at: now, prompt_tokens: promptTokens, completion_tokens: completionTokens })
    .where('id', '=', reservation.id)
    .execute();
  await recordDailyUsage(trx, { userId: reservation.user_id, keyId: reservation.key_id, model: reservation.model, time: now, promptTokens, completionTokens });
}

/**
 * Marks open reservations past their expiry as expired: the tokens their holder reported
 * delivered (auth.usage.progress) are charged and recorded, the rest given back. Returns how
 * many expired and the tokens given back.
 */
export function expireReservations(state: AuthState): Promise<{ expired: number; refunded: number }> {
  return state.database.transaction(async (trx) => {
    const now = state.now();
    const due = await trx.selectFrom('reservations').selectAll()
      .where('state', '=', 'open')
      .where('expires_at', '<=', now)
      .execute();
    let refunded = 0;
    for (const row of due) {
      const promptTokens = row.delivered_prompt_tokens;
      const completionTokens = row.delivered_completion_tokens;
      const delivered = promptTokens + completionTokens;
      if (row.unlimited === 0) {
        await addToBalance(trx, row.user_id, row.tokens - delivered);
        refunded += row.tokens - delivered;
      }
      const counts = delivered > 0 ? { prompt_tokens: promptTokens, completion_tokens: completionTokens } : {};
      await trx.updateTable('reservations').set({ state: 'expired', settled_at: now, ...counts }).where('id', '=', row.id).execute();
      if (delivered > 0) await recordDailyUsage(trx, { userId: row.user_id, keyId: row.key_id, model: row.model, time: now, promptTokens, completionTokens });
    }
    return { expired: due.length, refunded };
  });
}

/**
 * The key a reservation counts against. A user reserving for themselves through an API key
 * reserves through that key, so its model list and limits cannot be dodged by naming another.
 */
function keyOf(caller: Caller, params: ReserveParams): string | undefined {
  if (caller.kind !== 'user' || caller.keyId === undefined || !isSelf(caller, params.user)) return params.keyId;
  if (params.keyId !== undefined && params.keyId !== caller.keyId) throw forbidden(RESERVE, caller, 'may name only the API key the caller signed in with');
  return caller.keyId;
}

/** The key's limits, after checking that it is the user's, valid at `now`, and allows `model`. */
async function validKey(db: Kysely<AuthTables>, keyId: string, userId: string, model: string, now: number): Promise<ScopeLimits> {
  const key = await db.selectFrom('api_keys')
    .select(['user_id', 'revoked_at', 'expires_at', 'allowed_models', 'rpm_limit', 'tpm_limit'])
    .where('id', '=', keyId)
    .executeTakeFirst();
  if (!key || key.user_id !== userId) throw invalidParam(RESERVE, 'keyId', "names no API key of this user");
  if (key.revoked_at !== null) throw notValid('key', 'revoked');
  if (key.expires_at !== null && key.expires_at <= now) throw notValid('key', 'expired');
  if (key.allowed_models !== null && !(JSON.parse(key.allowed_models) as string[]).includes(model)) {
    throw new BusError(ErrorCode.Forbidden, `This API key may not use the model ${model}`, { model, keyId });
  }
  return key;
}

/** The reservation, if the caller may settle it and it is still open. */
async function openReservation(db: Kysely<AuthTables>, capability: string, caller: Caller, id: string, now: number): Promise<ReservationRow> {
  const reservation = await db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!reservation) throw invalidParam(capability, 'reservationId', 'names no reservation');
  if (!isAdmin(caller) && !(caller.kind === 'user' && caller.id === reservation.user_id)) {
    throw forbidden(capability, caller, "may settle another user's reservation only as an admin");
  }
  // A plugin's reservation (llmserver's, for a user's generation) is settled by that plugin: the
  // user it bills must not release it while it streams, nor another plugin report on it.
  if (reservation.holder !== null && !settlesFor(caller, reservation.holder)) {
    throw forbidden(capability, caller, `may not settle a reservation that plugin '${reservation.holder}' holds; only it, the kernel or an admin may`);
  }
  if (reservation.state !== 'open') throw invalidParam(capability, 'reservationId', `names a reservation already ${reservation.state}; nothing changed`);
  // Past its expiry it is expired, whether or not the upkeep got to it yet; the upkeep gives its tokens back.
  if (reservation.expires_at <= now) throw invalidParam(capability, 'reservationId', 'names a reservation already expired; nothing changed');
  return reservation;
}

/** True for the holder plugin itself, the kernel, and admin users. */
function settlesFor(caller: Caller, holder: string): boolean {
  if (caller.kind === 'plugin') return caller.name === holder;
  return caller.kind === 'kernel' || caller.roles.includes(ADMIN_ROLE);
}

async function balanceOf(db: Kysely<AuthTables>, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('balance').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.balance;
}

/** Adds `tokens` (negative: takes) to the balance and returns the new one; the CHECK constraint refuses going below zero. */
async function addToBalance(db: Kysely<AuthTables>, userId: string, tokens: number): Promise<number> {
  const row = await db.updateTable('users')
    .set((eb) => ({ balance: eb('balance', '+', tokens) }))
    .where('id', '=', userId)
    .returning('balance')
    .executeTakeFirstOrThrow();
  return row.balance;
}
