import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import type { CommitResult, ReleaseResult, ReserveResult } from '../src/metering/reservations.ts';
import type { BalanceView } from '../src/metering/balances.ts';
import { startMeteringPlugin, type MeteringHarness } from './support/metering-plugin.ts';

let harness: MeteringHarness;

beforeEach(async () => {
  harness = await startMeteringPlugin();
});

afterEach(async () => {
  await harness[Symbol.asyncDispose]();
});

function reserve(user: string, tokens: number, extra: Record<string, unknown> = {}): Promise<ReserveResult> {
  return harness.plugin.call<ReserveResult>('auth.usage.reserve', { user, model: 'llama-3-8b', tokens, ...extra });
}

function commit(reservationId: string, promptTokens: number, completionTokens: number): Promise<CommitResult> {
  return harness.plugin.call<CommitResult>('auth.usage.commit', { reservationId, promptTokens, completionTokens });
}

function release(reservationId: string): Promise<ReleaseResult> {
  return harness.plugin.call<ReleaseResult>('auth.usage.release', { reservationId, reason: 'aborted' });
}

async function requestsRecorded(userId: string): Promise<number> {
  const rows = await harness.state.db.selectFrom('usage_daily').select('requests').where('user_id', '=', userId).execute();
  return rows.reduce((sum, row) => sum + row.requests, 0);
}

describe('reservations', () => {
  it('takes the reserved tokens from the balance at once and counts them as reserved', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const reserved = await reserve(user, 300);
    expect(reserved).toMatchObject({ reservationId: expect.stringMatching(/^r_/), balance: 700 });
    expect(await harness.plugin.call<BalanceView>('auth.balance.get', { user })).toEqual({ userId: user, balance: 700, unlimited: false, reserved: 300 });
  });

  it('charges the tokens used on commit and refunds the rest of the reservation', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 300);
    expect(await commit(reservationId, 50, 70)).toEqual({ charged: 120, refunded: 180, balance: 880 });
    expect(await harness.balance(user)).toBe(880);
    expect((await harness.plugin.call<BalanceView>('auth.balance.get', { user })).reserved).toBe(0);
  });

  it('gives every reserved token back on release', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 300);
    expect(await release(reservationId)).toEqual({ refunded: 300, balance: 1000 });
    expect(await requestsRecorded(user)).toBe(0);
  });

  it('refuses a commit whose counts add up to more than the reservation, and changes nothing', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 100);

    await expect(commit(reservationId, 60, 41)).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { errors: [{ instancePath: '/completionTokens' }] },
    });

    expect(await harness.plugin.call<BalanceView>('auth.balance.get', { user })).toMatchObject({ balance: 900, reserved: 100 });
    expect(await requestsRecorded(user)).toBe(0);
    expect(await commit(reservationId, 60, 40)).toEqual({ charged: 100, refunded: 0, balance: 900 });
  });

  it('refuses token counts that are not integers in 0..2^31-1, and changes nothing', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 100);
    const bad = [[1e300, 0], [0, 1e300], [2 ** 31, 0], [-1, 5], [1.5, 2], [Number.MAX_SAFE_INTEGER, 0]];

    for (const [promptTokens, completionTokens] of bad) {
      await expect(commit(reservationId, promptTokens!, completionTokens!), `${promptTokens}, ${completionTokens}`)
        .rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams });
    }
    await expect(reserve(user, 1e300)).rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams });

    const row = await harness.state.db.selectFrom('reservations').selectAll().where('id', '=', reservationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'open', prompt_tokens: null, completion_tokens: null });
    expect(await harness.balance(user)).toBe(900);
    expect(await requestsRecorded(user)).toBe(0);
  });

  it('records delivered tokens reported on an open reservation, bounded like a commit, without charging them', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 100);

    await harness.plugin.call('auth.usage.progress', { reservationId, promptTokens: 20, completionTokens: 30 });
    await expect(harness.plugin.call('auth.usage.progress', { reservationId, promptTokens: 20, completionTokens: 81 }))
      .rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams, data: { errors: [{ instancePath: '/completionTokens' }] } });

    const row = await harness.state.db.selectFrom('reservations').selectAll().where('id', '=', reservationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'open', delivered_prompt_tokens: 20, delivered_completion_tokens: 30 });
    expect(await harness.balance(user)).toBe(900);
  });

  it('refuses a reservation larger than the balance with InsufficientBalance and changes nothing', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 99 });
    await expect(reserve(user, 100)).rejects.toMatchObject({
      code: ErrorCode.InsufficientBalance,
      data: { userId: user, balance: 99, requested: 100 },
    });
    expect(await harness.balance(user)).toBe(99);
  });

  it('never refuses an unlimited user, leaves their balance alone and still records their usage', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 0, unlimited: true });
    const { reservationId, balance } = await reserve(user, 1_000_000);
    expect(balance).toBe(0);
    expect(await commit(reservationId, 400, 600)).toEqual({ charged: 1000, refunded: 0, balance: 0 });
    expect(await harness.balance(user)).toBe(0);
    expect(await requestsRecorded(user)).toBe(1);
  });

  it('settles a reservation under the terms it was made with, even if the user became unlimited since', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 300);
    await harness.plugin.call('auth.balance.set', { user, unlimited: true });
    expect(await release(reservationId)).toEqual({ refunded: 300, balance: 1000 });
  });

  it('changes nothing when a reservation that is no longer open is committed or released again', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const committed = (await reserve(user, 300)).reservationId;
    await commit(committed, 10, 10);
    const released = (await reserve(user, 300)).reservationId;
    await release(released);
    const before = { balance: await harness.balance(user), requests: await requestsRecorded(user) };

    await expect(commit(committed, 10, 10)).rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams, message: expect.stringContaining('already committed') });
    await expect(release(committed)).rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams, message: expect.stringContaining('already committed') });
    await expect(commit(released, 10, 10)).rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams, message: expect.stringContaining('already released') });
    expect({ balance: await harness.balance(user), requests: await requestsRecorded(user) }).toEqual(before);
  });

  it('refuses an unknown reservation, naming the field', async () => {
    await expect(commit('r_nope', 1, 1)).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { errors: [{ instancePath: '/reservationId' }] },
    });
  });

  it('never overspends under 50 concurrent reserve/commit calls on one balance', async () => {
    const start = 1000;
    const user = await harness.seedUser({ username: 'ada', balance: start });
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, async (_, index) => {
      const { reservationId, balance } = await reserve(user, 40);
      expect(balance).toBeGreaterThanOrEqual(0);
      // Some generations use less than they reserved, some all of it.
      const result = await commit(reservationId, 20, 10 + (index % 2) * 10);
      expect(result.balance).toBeGreaterThanOrEqual(0);
      return result.charged;
    }));
    const charged = outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reason);
    const end = await harness.balance(user);

    expect(charged.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const reason of refused) expect(reason).toMatchObject({ code: ErrorCode.InsufficientBalance });
    expect(end).toBeGreaterThanOrEqual(0);
    expect(charged.reduce((sum, tokens) => sum + tokens, 0)).toBe(start - end);
    expect(await requestsRecorded(user)).toBe(charged.length);
  });

  it('refuses a disabled user as not signed in', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000, disabled: true });
    await expect(reserve(user, 10)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated, data: { reason: 'disabled' } });
  });

  it('refuses an unknown user, naming the field', async () => {
    await expect(reserve('u_nobody', 10)).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { errors: [{ instancePath: '/user' }] },
    });
  });
});

describe('reservations through an API key', () => {
  it('refuses a model the key does not allow with Forbidden naming the model and the key', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const keyId = await harness.seedKey(user, { allowedModels: ['qwen-2-7b'] });
    await expect(reserve(user, 10, { keyId })).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
      data: { model: 'llama-3-8b', keyId },
    });
    expect(await harness.balance(user)).toBe(1000);
  });

  it('accepts a model on the key\'s list', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const keyId = await harness.seedKey(user, { allowedModels: ['qwen-2-7b', 'llama-3-8b'] });
    expect((await reserve(user, 10, { keyId })).balance).toBe(990);
  });

  it('refuses a revoked or expired key as not signed in', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const revoked = await harness.seedKey(user, { revoked: true });
    const expired = await harness.seedKey(user, { expiresAt: harness.state.now() });
    await expect(reserve(user, 10, { keyId: revoked })).rejects.toMatchObject({ code: ErrorCode.Unauthenticated, data: { reason: 'revoked' } });
    await expect(reserve(user, 10, { keyId: expired })).rejects.toMatchObject({ code: ErrorCode.Unauthenticated, data: { reason: 'expired' } });
  });

  it("refuses another user's key, naming the field", async () => {
    const ada = await harness.seedUser({ username: 'ada', balance: 1000 });
    const bob = await harness.seedUser({ username: 'bob', balance: 1000 });
    const bobsKey = await harness.seedKey(bob);
    await expect(reserve(ada, 10, { keyId: bobsKey })).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { errors: [{ instancePath: '/keyId' }] },
    });
  });

  it('makes a user signed in with a key reserve through that key, so its model list applies', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const keyId = await harness.seedKey(user, { allowedModels: ['qwen-2-7b'] });
    const caller = harness.userCaller(user, ['developer'], keyId);
    await expect(harness.plugin.call('auth.usage.reserve', { user, model: 'llama-3-8b', tokens: 10 }, { caller }))
      .rejects.toMatchObject({ code: ErrorCode.Forbidden, data: { model: 'llama-3-8b', keyId } });
  });
});
