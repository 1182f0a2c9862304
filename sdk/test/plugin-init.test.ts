import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import { defineCapability, definePlugin } from '../src/plugin/define-plugin.ts';
import { connectPerTest } from './support/connect.ts';

const connect = connectPerTest();

describe('the init hook of definePlugin', () => {
  it('finishes before the plugin answers initialize, so the first call sees what it prepared', async () => {
    let store: string[] | undefined;
    const plugin = definePlugin<{ seed: string }>({
      name: 'store',
      version: '1.0.0',
      capabilities: {
        'store.read': defineCapability<Record<string, never>, string[] | null>({ description: 'Reads the store.', params: { type: 'object' }, result: {}, handler: () => store ?? null }),
      },
      async init({ config }) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        store = [config.seed];
      },
    });

    const connected = await connect(plugin, { config: { seed: 'ready' } });

    expect(await connected.call('store.read')).toEqual(['ready']);
  });

  it('refuses initialize with the error init throws', async () => {
    const plugin = definePlugin({
      name: 'broken',
      version: '1.0.0',
      capabilities: {},
      init: () => {
        throw new Error('database file is corrupt');
      },
    });

    await expect(connect(plugin)).rejects.toMatchObject({ code: ErrorCode.InternalError, message: 'database file is corrupt' });
  });
});
