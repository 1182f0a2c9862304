import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { shippedPlugin, startTestKernel, type TestKernel } from '../../../tests/integration/support/test-kernel.ts';

const MAX_FAILED_LOGINS = 5;
const PARALLEL_GUESSES = 100;

let test: TestKernel | undefined;

afterEach(async () => {
  await test?.close();
  test = undefined;
});

/** The real auth plugin, run by the kernel as its own process. */
async function startAuth(): Promise<TestKernel> {
  test = await startTestKernel([{
    name: 'auth',
    entrypoint: shippedPlugin('auth'),
    activation: 'startup',
    env: { CYBERSTUDIO_ADMIN_PASSWORD: 'race-admin-password-2b7e' },
    config: { maxFailedLogins: MAX_FAILED_LOGINS, lockMinutes: 10 },
    // Every guess reaches the plugin at once instead of waiting in the kernel's queue.
    limits: { maxConcurrentCalls: PARALLEL_GUESSES, queueLimit: PARALLEL_GUESSES },
  }]);
  await test.waitForState('auth', 'running', { timeout: 30_000 });
  return test;
}

describe('auth.login under parallel guesses', () => {
  it(`checks at most maxFailedLogins passwords for ${PARALLEL_GUESSES} parallel wrong logins, and leaves the account locked`, async () => {
    const { kernel } = await startAuth();
    const ada = (await kernel.call('auth.users.create', { username: 'ada', role: 'developer', password: 'ada-right-password' })) as { id: string };

    const answers = await Promise.allSettled(Array.from({ length: PARALLEL_GUESSES }, (_, index) =>
      kernel.call('auth.login', { username: 'ada', password: `wrong-password-${index}` }, { timeout: 60_000 })));
    // Each password check that ran and failed leaves one 'failed' audit row; a refused attempt leaves a 'denied' one.
    const audit = (await kernel.call('auth.audit.list', { action: 'auth.login', limit: 1000 })) as Array<{ target: string | null; outcome: string }>;
    const checked = audit.filter((row) => row.target === ada.id && row.outcome === 'failed');
    const right = await kernel.call('auth.login', { username: 'ada', password: 'ada-right-password' }).then(() => undefined, (error: unknown) => error);

    const codes = answers.map((answer) => (answer.status === 'rejected' ? (answer.reason as { code: number }).code : 0));
    expect(codes.every((code) => code === ErrorCode.Unauthenticated || code === ErrorCode.RateLimited)).toBe(true);
    expect(checked.length).toBeLessThanOrEqual(MAX_FAILED_LOGINS);
    expect(codes.filter((code) => code === ErrorCode.Unauthenticated).length).toBeLessThan(MAX_FAILED_LOGINS);
    expect(right).toMatchObject({ code: ErrorCode.RateLimited, data: { scope: 'user' } });
  }, 90_000);
});
