import type { Caller } from '@cyberstudio/sdk';
import type { Kysely } from '@cyberstudio/database';
import type { AuthState } from '../auth-state.ts';
import type { AuthTables } from '../auth-tables.ts';
import { actorOf } from '../caller-access.ts';
import { findUser, type UserRow } from '../identity/users.ts';
import { invalidParam } from '../invalid-param.ts';

/** Result of `auth.balance.get` and `auth.balance.set`. */
export interface BalanceView {
  userId: string;
  /** Tokens the user may still spend (open reservations already taken off). */
  balance: number;
  /** True: never refused for balance; usage is still recorded. */
  unlimited: boolean;
  /** Tokens held by the user's open reservations. */
  reserved: number;
}

/** Params of `auth.balance.set`: a new balance or an amount to add (negative takes), and/or the unlimited flag. */
export interface BalanceChange {
  user: string;
  balance?: number;
  add?: number;
  unlimited?: boolean;
}

const SET = 'auth.balance.set';

/** The balance of the user `userRef` names (id or username). */
export async function getBalance(state: AuthState, capability: string, userRef: string): Promise<BalanceView> {
  const user = await findUser(state.db, userRef);
  if (!user) throw invalidParam(capability, 'user', 'names no user');
  return balanceView(state.db, user);
}

/** Applies an admin's balance change in one transaction, audited as 'balance.set'. */
export function setBalance(state: AuthState, caller: Caller, change: BalanceChange): Promise<BalanceView> {
  if (change.balance !== undefined && change.add !== undefined) throw invalidParam(SET, 'add', 'cannot be given with balance');
  return state.database.transaction(async (trx) => {
    const user = await findUser(trx, change.user);
    if (!user) throw invalidParam(SET, 'user', 'names no user');
    const balance = change.balance ?? user.balance + (change.add ?? 0);
    if (balance < 0) throw invalidParam(SET, 'add', `would take the balance below zero (it is ${user.balance})`);
    const unlimited = change.unlimited === undefined ? user.unlimited : Number(change.unlimited);
    await trx.updateTable('users').set({ balance, unlimited }).where('id', '=', user.id).execute();
    await state.audit({
      actor: actorOf(caller),
      action: 'balance.set',
      target: user.id,
      outcome: 'ok',
      detail: { previous: user.balance, balance, unlimited: unlimited === 1, ...(change.add === undefined ? {} : { add: change.add }) },
    }, trx);
    return balanceView(trx, { ...user, balance, unlimited });
  });
}

async function balanceView(db: Kysely<AuthTables>, user: UserRow): Promise<BalanceView> {
  const { reserved } = await db.selectFrom('reservations')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('tokens'), eb.lit(0)).as('reserved'))
    .where('user_id', '=', user.id)
    .where('state', '=', 'open')
    .executeTakeFirstOrThrow();
  return { userId: user.id, balance: user.balance, unlimited: user.unlimited === 1, reserved: Number(reserved) };
}
