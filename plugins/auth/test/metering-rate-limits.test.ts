import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import type { ReserveResult } from '../src/metering/reservations.ts';
import { startMeteringPlugin, type MeteringHarness } from './support/metering-plugin.ts';

let harness: MeteringHarness;

beforeEach(async () => {
  harness = await startMeteringPlugin();
});

afterEach(async () => {
  await harness[Symbol.asyncDispose]();
});

function reserve(user: string, tokens: number, keyId?: string): Promise<ReserveResult> {
  return harness.plugin.call<ReserveResult>('auth.usage.reserve', { user, model: 'llama-3-8b', tokens, ...(keyId ? { keyId } : {}) });
}

describe('rate limits', () => {
  it("trips a key's rpm limit exactly at the limit and lets the next request in exactly when the oldest leaves the window", async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 100_000 });
    const keyId = await harness.seedKey(user, { rpm: 3 });
    for (let request = 0; request < 3; request++) {
      await reserve(user, 1, keyId);
      harness.advance(10_000);
    }
    // Now 30 s after the first request: three in the window, the fourth is one too many.
    await expect(reserve(user, 1, keyId)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      data: { scope: 'key', window: 'rpm', limit: 3, remaining: 0, retryAfterSeconds: 30, resetSeconds: 50 },
    });
    harness.advance(29_999);
    await expect(reserve(user, 1, keyId)).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { retryAfterSeconds: 1 } });
    harness.advance(1);
    await expect(reserve(user, 1, keyId)).resolves.toMatchObject({ reservationId: expect.any(String) });
  });

  it("trips a user's tpm limit exactly at the limit, counting reserved tokens across keys", async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 100_000, tpmLimit: 1000 });
    const first = await harness.seedKey(user);
    const second = await harness.seedKey(user);
    await reserve(user, 400, first);
    harness.advance(5_000);
    await reserve(user, 400, second);
    harness.advance(5_000);
    // Exactly at the limit still passes.
    await reserve(user, 200);
    harness.advance(5_000);
    await expect(reserve(user, 1, first)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      data: { scope: 'user', window: 'tpm', limit: 1000, remaining: 0, retryAfterSeconds: 45, resetSeconds: 55 },
    });
    harness.advance(45_000);
    // The first 400 left the window; 600 remain, so 400 fit and 401 do not.
    await expect(reserve(user, 401)).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { retryAfterSeconds: 5 } });
    await expect(reserve(user, 400)).resolves.toMatchObject({ reservationId: expect.any(String) });
  });

  it('counts the tokens a generation really used once it is committed, and none for a released one', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 100_000, tpmLimit: 1000 });
    const keyId = await harness.seedKey(user, { tpm: 1000 });
    const big = await reserve(user, 900, keyId);
    await expect(reserve(user, 900, keyId)).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { window: 'tpm' } });

    await harness.plugin.call('auth.usage.commit', { reservationId: big.reservationId, promptTokens: 50, completionTokens: 50 });
    const second = await reserve(user, 900, keyId);
    await expect(reserve(user, 1, keyId)).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { window: 'tpm' } });
    await harness.plugin.call('auth.usage.release', { reservationId: second.reservationId });

    await expect(reserve(user, 900, keyId)).resolves.toMatchObject({ reservationId: expect.any(String) });
  });

  it("trips a user's rpm limit across keys while each key is under its own", async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 100_000, rpmLimit: 2 });
    const first = await harness.seedKey(user, { rpm: 5 });
    const second = await harness.seedKey(user, { rpm: 5 });
    await reserve(user, 1, first);
    await reserve(user, 1, second);
    await expect(reserve(user, 1, first)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      data: { scope: 'user', window: 'rpm', limit: 2, retryAfterSeconds: 60 },
    });
  });

  it('does not count a refused request against the limit', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 10, rpmLimit: 2 });
    await expect(reserve(user, 11)).rejects.toMatchObject({ code: ErrorCode.InsufficientBalance });
    await reserve(user, 5);
    await reserve(user, 5);
    await expect(reserve(user, 0)).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('refuses a request larger than the tpm limit as invalid, since no wait would let it in', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 100_000 });
    const keyId = await harness.seedKey(user, { tpm: 500 });
    await expect(reserve(user, 501, keyId)).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { errors: [{ instancePath: '/tokens' }] },
    });
  });

  it('checks the rate limits before the balance', async () => {
    const user = await harness.seedUser({ username: 'ada', balance: 5, rpmLimit: 1 });
    await reserve(user, 5);
    await expect(reserve(user, 5)).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });

  describe('across a restart of the plugin', () => {
    const restartOnSameDatabase = async () => {
      await harness.stop();
      return startMeteringPlugin({ dataDir: harness.dataDir, startTime: harness.state.now() });
    };

    it("keeps the last minute's requests in the rpm window", async () => {
      const user = await harness.seedUser({ username: 'ada', balance: 100_000, rpmLimit: 2 });
      await reserve(user, 1);
      harness.advance(10_000);
      await reserve(user, 1);
      harness.advance(10_000);

      await using restarted = await restartOnSameDatabase();

      const again = () => restarted.plugin.call<ReserveResult>('auth.usage.reserve', { user, model: 'llama-3-8b', tokens: 1 });
      await expect(again()).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { scope: 'user', window: 'rpm', retryAfterSeconds: 40 } });
      restarted.advance(40_000);
      await expect(again()).resolves.toMatchObject({ reservationId: expect.any(String) });
    });

    it('counts committed reservations with the tokens they used, released ones with none, open ones with all they hold', async () => {
      const user = await harness.seedUser({ username: 'ada', balance: 100_000, tpmLimit: 1000 });
      const committed = await reserve(user, 500);
      await harness.plugin.call('auth.usage.commit', { reservationId: committed.reservationId, promptTokens: 100, completionTokens: 100 });
      const released = await reserve(user, 300);
      await harness.plugin.call('auth.usage.release', { reservationId: released.reservationId });
      await reserve(user, 300); // still open

      await using restarted = await restartOnSameDatabase();

      // 200 used + 0 released + 300 open = 500 in the window: 500 more fit, 501 do not.
      const ask = (tokens: number) => restarted.plugin.call<ReserveResult>('auth.usage.reserve', { user, model: 'llama-3-8b', tokens });
      await expect(ask(501)).rejects.toMatchObject({ code: ErrorCode.RateLimited, data: { window: 'tpm', limit: 1000 } });
      await expect(ask(500)).resolves.toMatchObject({ reservationId: expect.any(String) });
    });

    it('lets in what has left the window while the plugin was down', async () => {
      const user = await harness.seedUser({ username: 'ada', balance: 100_000, rpmLimit: 1 });
      await reserve(user, 1);
      harness.advance(60_000);

      await using restarted = await restartOnSameDatabase();

      await expect(restarted.plugin.call('auth.usage.reserve', { user, model: 'llama-3-8b', tokens: 1 })).resolves.toMatchObject({ reservationId: expect.any(String) });
    });
  });
});
