import { defineCapability, type CapabilitySpec, type Caller } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { assertAdmin, assertSelfOrAdmin, isAdmin } from '../caller-access.ts';
import { getBalance, setBalance, type BalanceChange, type BalanceView } from './balances.ts';
import { findUser } from '../identity/users.ts';
import { invalidParam } from '../invalid-param.ts';
import { MeteringRateLimits } from './metering-rate-limits.ts';
import * as schemas from './metering-schemas.ts';
import { Reservations, type CommitParams, type CommitResult, type ProgressParams, type ReleaseResult, type ReserveParams, type ReserveResult } from './reservations.ts';
import { usageHistory, type UsageDay, type UsageFilter } from './usage-history.ts';

export { startMeteringUpkeep, MeteringDefaults } from './metering-upkeep.ts';

/** The metering capabilities' names. */
export const MeteringCapability = {
  Reserve: 'auth.usage.reserve',
  Commit: 'auth.usage.commit',
  Release: 'auth.usage.release',
  Progress: 'auth.usage.progress',
  History: 'auth.usage.history',
  BalanceGet: 'auth.balance.get',
  BalanceSet: 'auth.balance.set',
} as const;

/** A fresh set of reservations with its own rate-limit windows, for meteringCapabilities and watchReservationHolders. */
export function createReservations(state: AuthState): Reservations {
  return new Reservations(state, new MeteringRateLimits());
}

/**
 * The metering capabilities: reservations before a generation (reserve, progress, commit,
 * release), balances and usage history, over `reservations` (by default a fresh set).
 */
export function meteringCapabilities(state: AuthState, reservations = createReservations(state)): Record<string, CapabilitySpec> {
  return {
    [MeteringCapability.Reserve]: defineCapability<ReserveParams, ReserveResult>({
      description: "Holds tokens of a user's balance for one generation, after checking the user, the API key (valid, allows the model), the rpm/tpm limits and the balance. Plugins, the kernel and admins for anyone; a user for themselves.",
      params: schemas.reserveParams,
      result: schemas.reserveResult,
      handler: (params, ctx) => reservations.reserve(ctx.caller, params),
    }),
    [MeteringCapability.Commit]: defineCapability<CommitParams, CommitResult>({
      description: 'Settles an open reservation with the tokens used: charges them, refunds the rest, records the day\'s usage. Counts that add up to more than the reservation are refused (CapabilityInvalidParams) and change nothing.',
      params: schemas.commitParams,
      result: schemas.commitResult,
      handler: (params, ctx) => reservations.commit(ctx.caller, params),
    }),
    [MeteringCapability.Progress]: defineCapability<ProgressParams, Record<string, never>>({
      description: 'Reports the tokens a streaming generation has delivered so far (totals) on its open reservation; if the reserving plugin\'s process dies before it commits, auth charges these and gives the rest back. Bounded like a commit.',
      params: schemas.progressParams,
      result: schemas.progressResult,
      async handler(params, ctx) {
        await reservations.progress(ctx.caller, params);
        return {};
      },
    }),
    [MeteringCapability.Release]: defineCapability<{ reservationId: string; reason?: string }, ReleaseResult>({
      description: 'Gives every token of an open reservation back (the generation was aborted or failed).',
      params: schemas.releaseParams,
      result: schemas.releaseResult,
      async handler({ reservationId, reason }, ctx) {
        const result = await reservations.release(ctx.caller, reservationId);
        ctx.log.debug({ reservationId, reason, refunded: result.refunded }, 'reservation released');
        return result;
      },
    }),
    [MeteringCapability.BalanceGet]: defineCapability<{ user?: string }, BalanceView>({
      description: "A user's balance, unlimited flag and tokens held by open reservations. Own balance, or any user's for admins.",
      params: schemas.balanceGetParams,
      result: schemas.balanceResult,
      handler({ user }, ctx) {
        const ref = user ?? ownRef(MeteringCapability.BalanceGet, ctx.caller);
        assertSelfOrAdmin(ctx.caller, MeteringCapability.BalanceGet, ref);
        return getBalance(state, MeteringCapability.BalanceGet, ref);
      },
    }),
    [MeteringCapability.BalanceSet]: defineCapability<BalanceChange, BalanceView>({
      description: "Sets a user's balance (balance), adds to it (add, negative takes), and/or sets unlimited. Admin only; audited.",
      params: schemas.balanceSetParams,
      result: schemas.balanceResult,
      handler(change, ctx) {
        assertAdmin(ctx.caller, MeteringCapability.BalanceSet);
        return setBalance(state, ctx.caller, change);
      },
    }),
    [MeteringCapability.History]: defineCapability<{ user?: string } & Omit<UsageFilter, 'userId'>, UsageDay[]>({
      description: 'Tokens used per user, model and UTC day, ordered by day; from/to (YYYY-MM-DD, inclusive) and model narrow it. Own usage, or any or all users\' for admins.',
      params: schemas.historyParams,
      result: schemas.historyResult,
      async handler({ user, ...filter }, ctx) {
        const capability = MeteringCapability.History;
        if (user === undefined) return usageHistory(state.db, isAdmin(ctx.caller) ? filter : { ...filter, userId: ownRef(capability, ctx.caller) });
        assertSelfOrAdmin(ctx.caller, capability, user);
        const row = await findUser(state.db, user);
        if (!row) throw invalidParam(capability, 'user', 'names no user');
        return usageHistory(state.db, { ...filter, userId: row.id });
      },
    }),
  };
}

/** The calling user's id, for capabilities whose `user` defaults to the caller. */
function ownRef(capability: string, caller: Caller): string {
  if (caller.kind === 'user') return caller.id;
  throw invalidParam(capability, 'user', 'is required when the caller is not a user');
}
