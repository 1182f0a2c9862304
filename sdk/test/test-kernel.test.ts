import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import { defineCapability, definePlugin } from '../src/plugin/define-plugin.ts';
import { connectPlugin, type ConnectPluginOptions } from '../src/testing/test-kernel.ts';
import { connectPerTest } from './support/connect.ts';

/** connectPlugin, disposed after the test. */
const connect = connectPerTest();

/** A plugin whose `forwarder.call` calls the capability named in its params on the bus. */
const forwarder = definePlugin({
  name: 'forwarder',
  version: '1.0.0',
  capabilities: {
    'forwarder.call': defineCapability<{ target: string }, unknown>({
      description: 'Calls `target` on the bus and returns its result.',
      params: { type: 'object', properties: { target: { type: 'string' } }, required: ['target'] },
      result: {},
      handler: ({ target }, ctx) => ctx.call(target, {}, { timeout: 5_000 }),
    }),
  },
});

/** Connects the forwarder with `options` and makes it call `target`. */
async function forward(target: string, options: ConnectPluginOptions = {}): Promise<unknown> {
  const plugin = await connect(forwarder, options);
  return plugin.call('forwarder.call', { target });
}

describe('connectPlugin', () => {
  it('fails a bus call that no provider serves with CapabilityNotFound', async () => {
    await expect(forward('missing.thing')).rejects.toMatchObject({ code: ErrorCode.CapabilityNotFound, data: { capability: 'missing.thing' } });
  });

  it('fails a bus call outside the permissions with Forbidden', async () => {
    const options = { permissions: ['git.*'], providers: { 'llm.complete': () => 'text' } };
    await expect(forward('llm.complete', options)).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
      data: { capability: 'llm.complete', caller: { kind: 'plugin', name: 'forwarder' } },
    });
  });

  it('allows a bus call matching a permission pattern', async () => {
    const options = { permissions: ['git.*'], providers: { 'git.status': () => 'clean' } };
    await expect(forward('git.status', options)).resolves.toBe('clean');
  });

  it("aborts the provider's signal when the plugin cancels its call", async () => {
    let providerSignal: AbortSignal | undefined;
    const canceller = definePlugin({
      name: 'canceller',
      version: '1.0.0',
      capabilities: {
        'canceller.run': defineCapability<Record<string, never>, boolean>({
          description: 'Starts a slow bus call and cancels it.',
          params: { type: 'object' },
          result: { type: 'boolean' },
          async handler(_params, ctx) {
            const controller = new AbortController();
            const call = ctx.call('slow.work', {}, { signal: controller.signal }).catch(() => {});
            await new Promise((resolve) => setTimeout(resolve, 10));
            controller.abort();
            await call;
            return true;
          },
        }),
      },
    });
    const plugin = await connect(canceller, {
      providers: {
        'slow.work': (_params, meta) => {
          providerSignal = meta.signal;
          return new Promise(() => {});
        },
      },
    });
    await plugin.call('canceller.run');
    await expect.poll(() => providerSignal?.aborted).toBe(true);
  });

  it('resolves publish with false and sends nothing for a topic the plugin did not subscribe to', async () => {
    const seen: unknown[] = [];
    const listener = definePlugin({
      name: 'listener',
      version: '1.0.0',
      capabilities: {},
      setup: (services) => services.subscribe('build.done', (data) => seen.push(data)).then(() => {}),
    });
    const plugin = await connect(listener);
    await expect(plugin.publish('deploy.done', 1)).resolves.toBe(false);
    expect(seen).toEqual([]);
  });

  it("delivers the plugin's own publication back to it when it subscribed, as the kernel does", async () => {
    const seen: unknown[] = [];
    const echo = definePlugin({
      name: 'echoer',
      version: '1.0.0',
      capabilities: {},
      async setup(services) {
        await services.subscribe('echoer.*', (data, event) => seen.push({ data, source: event.source }));
        services.emit('echoer.hello', 'hi');
      },
    });
    const plugin = await connect(echo);
    await plugin.flush();
    expect(seen).toEqual([{ data: 'hi', source: 'echoer' }]);
  });

  it('forgets a subscription when the plugin unsubscribes', async () => {
    const unsubscribing = definePlugin({
      name: 'unsubscribing',
      version: '1.0.0',
      capabilities: {},
      async setup(services) {
        const unsubscribe = await services.subscribe('build.*', () => {});
        await unsubscribe();
      },
    });
    const plugin = await connect(unsubscribing);
    expect(plugin.subscriptions.size).toBe(0);
  });

  it("waits for the plugin's async setup before resolving", async () => {
    let setupFinished = false;
    const slowSetup = definePlugin({
      name: 'slow-setup',
      version: '1.0.0',
      capabilities: {},
      async setup() {
        await new Promise((resolve) => setTimeout(resolve, 20));
        setupFinished = true;
      },
    });
    await connect(slowSetup);
    expect(setupFinished).toBe(true);
  });

  it("aborts running handlers and runs the plugin's dispose hook on dispose", async () => {
    const order: string[] = [];
    const disposable = definePlugin({
      name: 'disposable',
      version: '1.0.0',
      capabilities: {
        'disposable.wait': defineCapability<Record<string, never>, null>({
          description: 'Waits until aborted.',
          params: { type: 'object' },
          result: { type: 'null' },
          handler: (_params, ctx) =>
            new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => {
              order.push('aborted');
              reject(ctx.signal.reason);
            })),
        }),
      },
      dispose: () => void order.push('dispose'),
    });
    const plugin = await connectPlugin(disposable);
    const call = plugin.call('disposable.wait').catch((error: unknown) => error);
    await plugin.flush();
    await plugin[Symbol.asyncDispose]();
    expect(order).toEqual(['aborted', 'dispose']);
    await expect(call).resolves.toMatchObject({ code: ErrorCode.ConnectionClosed });
  });
});
