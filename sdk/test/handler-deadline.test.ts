import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import { defineCapability, definePlugin } from '../src/plugin/define-plugin.ts';
import { PluginServer } from '../src/plugin/plugin-server.ts';
import { createTransportPair } from '../src/testing/memory-transport.ts';

/** Looks at its signal only after `lookAfterMs`, then waits for it to abort and fails with its reason. */
const latePlugin = definePlugin({
  name: 'late',
  version: '1.0.0',
  capabilities: {
    'late.wait': defineCapability<{ lookAfterMs: number }, never>({
      description: 'Waits for its deadline.',
      params: { type: 'object', properties: { lookAfterMs: { type: 'integer' } }, required: ['lookAfterMs'] },
      result: {},
      handler: async ({ lookAfterMs }, ctx) => {
        await sleep(lookAfterMs);
        const signal = ctx.signal;
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        throw signal.reason;
      },
    }),
  },
});

describe('a handler that stops at its deadline', () => {
  it("answers Timeout whose timeoutMs is the deadline less the call's arrival, however late the handler looked at its signal", async () => {
    const [kernelEnd, pluginEnd] = createTransportPair();
    const server = new PluginServer(latePlugin, pluginEnd);
    const received: Array<{ id?: number; error?: { code: number; data: { timeoutMs: number; kind: string } } }> = [];
    kernelEnd.start({ onMessage: (message) => received.push(message as never), onClose: () => {} });
    server.start();

    const deadline = Date.now() + 400;
    kernelEnd.send({ jsonrpc: '2.0', id: 1, method: 'late.wait', params: { lookAfterMs: 200, _meta: { caller: { kind: 'kernel' }, traceId: '0'.repeat(32), deadline } } });
    await expect.poll(() => received.find((message) => message.id === 1), { timeout: 3000 }).toBeDefined();
    server.dispose();

    const answer = received.find((message) => message.id === 1)!;
    expect(answer.error).toMatchObject({ code: ErrorCode.Timeout, data: { kind: 'total' } });
    expect(answer.error!.data.timeoutMs).toBeGreaterThanOrEqual(390);
    expect(answer.error!.data.timeoutMs).toBeLessThanOrEqual(400);
  });
});
