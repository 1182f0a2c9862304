import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import type { BalanceView } from '../src/metering/balances.ts';
import type { ReserveResult } from '../src/metering/reservations.ts';
import { startMeteringPlugin, type MeteringHarness } from './support/metering-plugin.ts';

let harness: MeteringHarness;

afterEach(async () => {
  await harness[Symbol.asyncDispose]();
});

function reserve(user: string, tokens: number): Promise<ReserveResult> {
  return harness.plugin.call<ReserveResult>('auth.usage.reserve', { user, model: 'llama', tokens });
}

async function stateOf(reservationId: string): Promise<string> {
  const row = await harness.state.db.selectFrom('reservations').select('state').where('id', '=', reservationId).executeTakeFirstOrThrow();
  return row.state;
}

describe('reservation expiry', () => {
  it('gives the tokens of a reservation past its time back through the upkeep', async () => {
    harness = await startMeteringPlugin({ config: { reservationTtlSeconds: 30 }, upkeepIntervalMs: 20 });
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const kept = await reserve(user, 100);
    harness.advance(10_000);
    const stillOpen = await reserve(user, 200);
    expect(kept.expiresAt).toBe(harness.state.now() - 10_000 + 30_000);

    harness.advance(20_000);
    await expect.poll(() => stateOf(kept.reservationId)).toBe('expired');
    expect(await stateOf(stillOpen.reservationId)).toBe('open');
    expect(await harness.plugin.call<BalanceView>('auth.balance.get', { user })).toMatchObject({ balance: 800, reserved: 200 });
  });

  it('charges the tokens reported delivered when a reservation expires, and gives the rest back', async () => {
    harness = await startMeteringPlugin({ config: { reservationTtlSeconds: 30 }, upkeepIntervalMs: 20 });
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 100);
    await harness.plugin.call('auth.usage.progress', { reservationId, promptTokens: 10, completionTokens: 20 });

    harness.advance(30_000);
    await expect.poll(() => stateOf(reservationId)).toBe('expired');

    expect(await harness.plugin.call<BalanceView>('auth.balance.get', { user })).toMatchObject({ balance: 970, reserved: 0 });
    const days = await harness.state.db.selectFrom('usage_daily').selectAll().execute();
    expect(days).toEqual([expect.objectContaining({ requests: 1, prompt_tokens: 10, completion_tokens: 20 })]);
  });

  it('refuses to commit a reservation past its time, even before the upkeep reached it, and records nothing', async () => {
    harness = await startMeteringPlugin({ config: { reservationTtlSeconds: 30 }, upkeepIntervalMs: 3_600_000 });
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 100);
    harness.advance(30_000);
    await expect(harness.plugin.call('auth.usage.commit', { reservationId, promptTokens: 5, completionTokens: 5 }))
      .rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams, message: expect.stringContaining('expired') });
    expect(await harness.state.db.selectFrom('usage_daily').selectAll().execute()).toEqual([]);
  });

  it('refuses to commit a reservation the upkeep expired', async () => {
    harness = await startMeteringPlugin({ config: { reservationTtlSeconds: 1 }, upkeepIntervalMs: 20 });
    const user = await harness.seedUser({ username: 'ada', balance: 1000 });
    const { reservationId } = await reserve(user, 100);
    harness.advance(1_000);
    await expect.poll(() => harness.balance(user)).toBe(1000);
    await expect(harness.plugin.call('auth.usage.release', { reservationId }))
      .rejects.toMatchObject({ code: ErrorCode.CapabilityInvalidParams, message: expect.stringContaining('already expired') });
    expect(await harness.balance(user)).toBe(1000);
  });
});
