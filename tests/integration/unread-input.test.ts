import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { rejectionOf } from './support/assertions.ts';
import { fixture, kernelPerTest } from './support/test-kernel.ts';

const open = kernelPerTest();

/** The hang fixture that stops reading its stdin after the handshake, with a 1 MiB input limit. */
const deafPlugin = {
  name: 'deaf',
  entrypoint: fixture('hang/main.mjs'),
  capabilities: ['hang.call'],
  activation: 'startup',
  env: { FIXTURE_HANG_STOP_READING: 'true' },
  limits: { inputBufferMb: 1, maxConcurrentCalls: 64 },
  healthcheck: { intervalSeconds: 3600 },
  shutdownTimeoutSeconds: 0.5,
};

describe('a plugin that stops reading its stdin', () => {
  it('gets Overloaded for new calls once its unread input passes limits.inputBufferMb, and kernel memory stops growing', async () => {
    const { kernel } = await open([deafPlugin]);
    const payload = { blob: 'x'.repeat(400 * 1024) };
    const pending: Promise<unknown>[] = [];
    let refused: unknown;
    for (let sent = 0; sent < 20 && refused === undefined; sent++) {
      const call = kernel.call('hang.call', payload);
      call.catch(() => {});
      pending.push(call);
      await nextTurn();
      const settled = await Promise.race([call.then(() => 'answered', (error: unknown) => error), nextTurn().then(() => 'pending')]);
      if (settled !== 'pending') refused = settled;
    }

    expect(refused).toMatchObject({ code: ErrorCode.Overloaded, data: { plugin: 'deaf', reason: 'input-unread' } });
    const unread = kernel.supervisor('deaf').process!.unreadInputBytes;
    expect(unread).toBeGreaterThan(1024 * 1024);
    expect(unread).toBeLessThan(2 * 1024 * 1024);
    const again = await rejectionOf(kernel.call('hang.call', payload));
    expect(again.code).toBe(ErrorCode.Overloaded);
    expect(kernel.supervisor('deaf').process!.unreadInputBytes).toBe(unread);
  });
});
