import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type Caller } from '@cyberstudio/sdk';
import type { BalanceView } from '../src/metering/balances.ts';
import type { ReserveResult } from '../src/metering/reservations.ts';
import { startMeteringPlugin, type MeteringHarness } from './support/metering-plugin.ts';

let harness: MeteringHarness;
let ada: string;
let bob: string;
let asAda: Caller;
let asAdmin: Caller;

beforeEach(async () => {
  harness = await startMeteringPlugin();
  ada = await harness.seedUser({ username: 'ada', balance: 1000 });
  bob = await harness.seedUser({ username: 'bob', balance: 1000 });
  const root = await harness.seedUser({ username: 'root', role: 'admin' });
  asAda = harness.userCaller(ada);
  asAdmin = harness.userCaller(root, ['admin']);
});

afterEach(async () => {
  await harness[Symbol.asyncDispose]();
});

function call<Result>(capability: string, params: Record<string, unknown>, caller: Caller): Promise<Result> {
  return harness.plugin.call<Result>(capability, params, { caller });
}

const forbidden = (capability: string) => ({ code: ErrorCode.Forbidden, data: { capability, caller: expect.objectContaining({ kind: 'user' }) } });

describe('who may meter whom', () => {
  it('lets a user reserve for themselves', async () => {
    const { balance } = await call<ReserveResult>('auth.usage.reserve', { user: ada, model: 'm', tokens: 10 }, asAda);
    expect(balance).toBe(990);
  });

  it('refuses a user reserving for another user, and changes nothing', async () => {
    await expect(call('auth.usage.reserve', { user: bob, model: 'm', tokens: 10 }, asAda)).rejects.toMatchObject(forbidden('auth.usage.reserve'));
    expect(await harness.balance(bob)).toBe(1000);
  });

  it('lets an admin reserve for another user', async () => {
    const { balance } = await call<ReserveResult>('auth.usage.reserve', { user: bob, model: 'm', tokens: 10 }, asAdmin);
    expect(balance).toBe(990);
  });

  it("refuses a user settling another user's reservation", async () => {
    const { reservationId } = await harness.plugin.call<ReserveResult>('auth.usage.reserve', { user: bob, model: 'm', tokens: 10 });
    await expect(call('auth.usage.commit', { reservationId, promptTokens: 0, completionTokens: 0 }, asAda)).rejects.toMatchObject(forbidden('auth.usage.commit'));
    await expect(call('auth.usage.release', { reservationId }, asAda)).rejects.toMatchObject(forbidden('auth.usage.release'));
    expect(await harness.balance(bob)).toBe(990);
  });

  it('lets only the holder plugin (or an admin) settle a reservation a plugin made: not the user it bills, not another plugin', async () => {
    const llmserver: Caller = { kind: 'plugin', name: 'llmserver' };
    const { reservationId } = await call<ReserveResult>('auth.usage.reserve', { user: ada, model: 'm', tokens: 10 }, llmserver);

    await expect(call('auth.usage.release', { reservationId }, asAda)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(call('auth.usage.progress', { reservationId, promptTokens: 2, completionTokens: 1 }, { kind: 'plugin', name: 'other' })).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(await harness.balance(ada)).toBe(990);
    await call('auth.usage.commit', { reservationId, promptTokens: 2, completionTokens: 3 }, llmserver);
    expect(await harness.balance(ada)).toBe(995);
  });

  it("lets a user read their own balance, by default or by name, but not another user's", async () => {
    expect(await call<BalanceView>('auth.balance.get', {}, asAda)).toMatchObject({ userId: ada, balance: 1000 });
    expect(await call<BalanceView>('auth.balance.get', { user: ada }, asAda)).toMatchObject({ userId: ada });
    await expect(call('auth.balance.get', { user: bob }, asAda)).rejects.toMatchObject(forbidden('auth.balance.get'));
    await expect(call('auth.balance.get', { user: 'bob' }, asAda)).rejects.toMatchObject(forbidden('auth.balance.get'));
  });

  it("lets an admin read any user's balance, by id or username", async () => {
    expect(await call<BalanceView>('auth.balance.get', { user: 'bob' }, asAdmin)).toEqual({ userId: bob, balance: 1000, unlimited: false, reserved: 0 });
  });

  it("refuses a user reading another user's usage history, and lets an admin", async () => {
    await expect(call('auth.usage.history', { user: bob }, asAda)).rejects.toMatchObject(forbidden('auth.usage.history'));
    await expect(call('auth.usage.history', { user: bob }, asAdmin)).resolves.toEqual([]);
  });

  it('lets only admins set balances, and audits who did', async () => {
    await expect(call('auth.balance.set', { user: ada, balance: 5000 }, asAda)).rejects.toMatchObject(forbidden('auth.balance.set'));
    expect(await harness.balance(ada)).toBe(1000);

    expect(await call<BalanceView>('auth.balance.set', { user: 'ada', add: -250, unlimited: true }, asAdmin))
      .toEqual({ userId: ada, balance: 750, unlimited: true, reserved: 0 });
    const audit = await harness.state.db.selectFrom('audit').selectAll().where('action', '=', 'balance.set').execute();
    expect(audit).toMatchObject([{ actor: (asAdmin as { id: string }).id, target: ada, outcome: 'ok' }]);
    expect(JSON.parse(audit[0]!.detail!)).toEqual({ previous: 1000, balance: 750, add: -250, unlimited: true });
  });

  it('refuses a balance change that would go below zero', async () => {
    await expect(call('auth.balance.set', { user: ada, add: -1001 }, asAdmin)).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { errors: [{ instancePath: '/add' }] },
    });
    expect(await harness.balance(ada)).toBe(1000);
  });
});
