import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReserveResult } from '../src/metering/reservations.ts';
import type { UsageDay } from '../src/metering/usage-history.ts';
import { startMeteringPlugin, type MeteringHarness } from './support/metering-plugin.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

let harness: MeteringHarness;
let ada: string;
let bob: string;

beforeEach(async () => {
  harness = await startMeteringPlugin();
  ada = await harness.seedUser({ username: 'ada', balance: 100_000 });
  bob = await harness.seedUser({ username: 'bob', balance: 100_000 });
  const adaKeys = [await harness.seedKey(ada), await harness.seedKey(ada)];
  // Day one (2025-03-10): ada uses llama through two keys and qwen once; bob uses llama once.
  await generate(ada, 'llama', 10, 20, adaKeys[0]);
  await generate(ada, 'llama', 1, 2, adaKeys[1]);
  await generate(ada, 'qwen', 5, 5);
  await generate(bob, 'llama', 7, 7);
  harness.advance(DAY_MS);
  // Day two (2025-03-11): ada uses llama again.
  await generate(ada, 'llama', 100, 200);
});

afterEach(async () => {
  await harness[Symbol.asyncDispose]();
});

async function generate(user: string, model: string, promptTokens: number, completionTokens: number, keyId?: string): Promise<void> {
  const { reservationId } = await harness.plugin.call<ReserveResult>('auth.usage.reserve', { user, model, tokens: 1000, ...(keyId ? { keyId } : {}) });
  await harness.plugin.call('auth.usage.commit', { reservationId, promptTokens, completionTokens });
}

function history(params: Record<string, unknown>, caller = harness.userCaller(ada)): Promise<UsageDay[]> {
  return harness.plugin.call<UsageDay[]>('auth.usage.history', params, { caller });
}

describe('usage history', () => {
  it("gives a user's usage per model and UTC day, keys summed, ordered by day", async () => {
    expect(await history({})).toEqual([
      { userId: ada, username: 'ada', model: 'llama', day: '2025-03-10', requests: 2, promptTokens: 11, completionTokens: 22 },
      { userId: ada, username: 'ada', model: 'qwen', day: '2025-03-10', requests: 1, promptTokens: 5, completionTokens: 5 },
      { userId: ada, username: 'ada', model: 'llama', day: '2025-03-11', requests: 1, promptTokens: 100, completionTokens: 200 },
    ]);
  });

  it('narrows to a day range and a model', async () => {
    expect(await history({ from: '2025-03-11', to: '2025-03-11' })).toMatchObject([{ model: 'llama', day: '2025-03-11' }]);
    expect(await history({ model: 'qwen' })).toMatchObject([{ model: 'qwen', day: '2025-03-10' }]);
    expect(await history({ to: '2025-03-09' })).toEqual([]);
  });

  it('gives an admin every user, or the one named', async () => {
    const admin = harness.userCaller('u_admin', ['admin']);
    const everyone = await history({ from: '2025-03-10', to: '2025-03-10', model: 'llama' }, admin);
    expect(everyone.map((row) => [row.username, row.requests])).toEqual([['ada', 2], ['bob', 1]]);
    expect(await history({ user: 'bob' }, admin)).toEqual([
      { userId: bob, username: 'bob', model: 'llama', day: '2025-03-10', requests: 1, promptTokens: 7, completionTokens: 7 },
    ]);
  });
});
