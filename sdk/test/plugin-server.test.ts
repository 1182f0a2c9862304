import { describe, expect, it } from 'vitest';
import { helloPlugin } from '../../plugins/hello/src/hello-plugin.ts';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import type { Caller } from '../src/protocol/messages.ts';
import { defineCapability, definePlugin } from '../src/plugin/define-plugin.ts';
import { PluginServer } from '../src/plugin/plugin-server.ts';
import { createTransportPair } from '../src/testing/memory-transport.ts';
import { connectPlugin } from '../src/testing/test-kernel.ts';
import { connectPerTest } from './support/connect.ts';

/** connectPlugin, disposed after the test. */
const connect = connectPerTest();

/** A promise with its resolve function outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

const user: Caller = { kind: 'user', id: 'u_1', roles: ['admin'] };

/** Reports what its handler saw: param keys, caller and trace id. Its schema forbids unknown members. */
const probePlugin = definePlugin({
  name: 'probe',
  version: '1.0.0',
  capabilities: {
    'probe.inspect': defineCapability<{ text: string }, { keys: string[]; caller: Caller; traceId: string }>({
      description: 'Returns what the handler saw.',
      params: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
      result: { type: 'object' },
      handler: (params, ctx) => ({ keys: Object.keys(params), caller: ctx.caller, traceId: ctx.traceId }),
    }),
  },
});

describe('PluginServer through connectPlugin', () => {
  it('lists every capability with its schemas and stream flag in the handshake', async () => {
    const plugin = await connect(helloPlugin);
    expect(plugin.handshake).toMatchObject({ name: 'hello', version: '0.1.0', protocolVersion: 1 });
    const byName = Object.fromEntries(plugin.handshake.capabilities.map((capability) => [capability.name, capability]));
    expect(Object.keys(byName).sort()).toEqual(['hello.echo', 'hello.stream']);
    expect(byName['hello.echo']).toMatchObject({ params: { type: 'object' }, result: { type: 'object' }, stream: false });
    expect(byName['hello.stream']).toMatchObject({ params: { required: ['count'], additionalProperties: false }, stream: true });
  });

  it('answers params that fail the schema with CapabilityInvalidParams listing the errors', async () => {
    const plugin = await connect(helloPlugin);
    await expect(plugin.call('hello.stream', { count: 'three' })).rejects.toMatchObject({
      code: ErrorCode.CapabilityInvalidParams,
      data: { capability: 'hello.stream', errors: [expect.objectContaining({ instancePath: '/count', keyword: 'type' })] },
    });
  });

  it('strips _meta before validating params against a schema that forbids unknown members', async () => {
    const plugin = await connect(probePlugin);
    await expect(plugin.call('probe.inspect', { text: 'hi' })).resolves.toMatchObject({ keys: ['text'] });
  });

  it('gives the handler the caller and trace id from _meta', async () => {
    const plugin = await connect(probePlugin);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await expect(plugin.call('probe.inspect', { text: 'hi' }, { caller: user, traceId })).resolves.toMatchObject({ caller: user, traceId });
  });

  it('handles a capability request without params as {}', async () => {
    const [kernelEnd, pluginEnd] = createTransportPair();
    const server = new PluginServer(helloPlugin, pluginEnd);
    const received: unknown[] = [];
    kernelEnd.start({ onMessage: (message) => received.push(message), onClose: () => {} });
    server.start();
    kernelEnd.send({ jsonrpc: '2.0', id: 1, method: 'hello.echo' });
    await expect.poll(() => received).toHaveLength(1);
    server.dispose();
    expect(received[0]).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  describe('config', () => {
    const configured = definePlugin<{ port: number }>({
      name: 'configured',
      version: '1.0.0',
      configSchema: { type: 'object', properties: { port: { type: 'integer' } }, required: ['port'] },
      capabilities: {
        'configured.port': defineCapability<Record<string, never>, unknown, { port: number }>({
          description: 'Returns the configured port.',
          params: { type: 'object' },
          result: { type: 'integer' },
          handler: (_params, ctx) => ctx.config.port,
        }),
      },
    });

    it('rejects initialize with InvalidParams naming the field when the config fails the configSchema', async () => {
      const refused = connectPlugin(configured, { config: { port: 'eighty' } });
      await expect(refused).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringContaining('/port'),
        data: { method: 'initialize', errors: [expect.objectContaining({ instancePath: '/port' })] },
      });
    });

    it('hands a valid config to the handlers', async () => {
      const plugin = await connect(configured, { config: { port: 8080 } });
      await expect(plugin.call('configured.port')).resolves.toBe(8080);
    });
  });

  it('refuses a protocol version range without 1 with ProtocolVersionUnsupported', async () => {
    await expect(connectPlugin(helloPlugin, { protocolVersions: { min: 2, max: 3 } })).rejects.toMatchObject({
      code: ErrorCode.ProtocolVersionUnsupported,
      data: { supported: { min: 1, max: 1 }, requested: { min: 2, max: 3 } },
    });
  });

  it('closes after refusing initialize, and reports the refusal as the reason it closed', async () => {
    const [kernelEnd, pluginEnd] = createTransportPair();
    const server = new PluginServer(helloPlugin, pluginEnd);
    const kernelClosed = new Promise<string>((resolve) => kernelEnd.start({ onMessage: () => {}, onClose: resolve }));
    server.start();
    kernelEnd.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersions: { min: 2, max: 2 } } });
    await expect(kernelClosed).resolves.toBe('peer closed');
    await expect(server.closed).resolves.toMatchObject({ code: ErrorCode.ProtocolVersionUnsupported });
  });

  describe('bus calls with ctx.call', () => {
    const relay = definePlugin({
      name: 'relay',
      version: '1.0.0',
      capabilities: {
        'relay.ask': defineCapability<{ question: string }, { answer: unknown; chunks: unknown[] }>({
          description: 'Asks other.answer and returns its answer with the chunks it streamed.',
          params: { type: 'object', properties: { question: { type: 'string' } } },
          result: { type: 'object' },
          async handler(params, ctx) {
            const chunks: unknown[] = [];
            const answer = await ctx.call('other.answer', params, { onProgress: (chunk) => chunks.push(chunk) });
            return { answer, chunks };
          },
        }),
      },
    });

    it('reach a provider with the params, the plugin as caller and the trace id of the call being handled', async () => {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const plugin = await connect(relay, { providers: { 'other.answer': (params, meta) => ({ params, caller: meta.caller, traceId: meta.traceId }) } });
      const { answer } = await plugin.call<{ answer: unknown }>('relay.ask', { question: 'why' }, { traceId });
      expect(answer).toEqual({ params: { question: 'why' }, caller: { kind: 'plugin', name: 'relay' }, traceId });
    });

    it("relay the provider's progress to the calling plugin in order", async () => {
      const plugin = await connect(relay, {
        providers: {
          'other.answer': (_params, meta) => {
            meta.progress('thinking');
            meta.progress('still thinking');
            return 42;
          },
        },
      });
      await expect(plugin.call('relay.ask', { question: 'why' })).resolves.toEqual({ answer: 42, chunks: ['thinking', 'still thinking'] });
    });
  });

  it('delivers a published event to a subscription made in setup, and sees what the plugin publishes back', async () => {
    const watcher = definePlugin({
      name: 'watcher',
      version: '1.0.0',
      capabilities: {},
      async setup(services) {
        await services.subscribe('build.*', (data, event) => services.emit('watcher.seen', { data, topic: event.topic, source: event.source }));
      },
    });
    const plugin = await connect(watcher);
    expect([...plugin.subscriptions]).toEqual(['build.*']);
    await expect(plugin.publish('build.done', { ok: true })).resolves.toBe(true);
    expect(plugin.events).toEqual([{ topic: 'watcher.seen', data: { data: { ok: true }, topic: 'build.done', source: 'test' } }]);
  });

  it('rejects every concurrent subscription to a topic the kernel refuses, not only the first', async () => {
    let outcomes: PromiseSettledResult<unknown>[] = [];
    const eager = definePlugin({
      name: 'eager',
      version: '1.0.0',
      capabilities: {},
      async setup(services) {
        outcomes = await Promise.allSettled([services.subscribe('', () => {}), services.subscribe('', () => {})]);
      },
    });
    await connect(eager);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });

  it('sends ctx.log records as $/log with their level, fields, bindings and trace id', async () => {
    const logging = definePlugin({
      name: 'logging',
      version: '1.0.0',
      capabilities: {
        'logging.work': defineCapability<Record<string, never>, null>({
          description: 'Logs one record.',
          params: { type: 'object' },
          result: { type: 'null' },
          handler(_params, ctx) {
            ctx.log.child({ step: 'parse' }).warn({ files: 3 }, 'parsed with warnings');
            return null;
          },
        }),
      },
    });
    const plugin = await connect(logging);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await plugin.call('logging.work', {}, { traceId });
    await plugin.flush();
    expect(plugin.logs).toContainEqual({ level: 'warn', msg: 'parsed with warnings', files: 3, step: 'parse', traceId });
  });

  describe('shutdown', () => {
    /** A plugin whose one capability waits for `release`, and which records its lifecycle in `order`. */
    function gatedPlugin() {
      const started = deferred();
      const release = deferred();
      const order: string[] = [];
      const definition = definePlugin({
        name: 'gated',
        version: '1.0.0',
        capabilities: {
          'gated.wait': defineCapability<Record<string, never>, string>({
            description: 'Waits until the test releases it.',
            params: { type: 'object' },
            result: { type: 'string' },
            async handler() {
              started.resolve();
              await release.promise;
              order.push('handler finished');
              return 'finished';
            },
          }),
        },
        dispose: () => void order.push('dispose'),
      });
      return { definition, started, release, order };
    }

    it('waits for an in-flight handler to finish, then runs dispose', async () => {
      const { definition, started, release, order } = gatedPlugin();
      const plugin = await connect(definition);
      const call = plugin.call('gated.wait');
      await started.promise;
      const stopped = plugin.shutdown();
      await plugin.flush().catch(() => {});
      expect(order).toEqual([]);
      release.resolve();
      await expect(call).resolves.toBe('finished');
      await stopped;
      expect(order).toEqual(['handler finished', 'dispose']);
    });

    it('answers calls that arrive after shutdown with ShuttingDown', async () => {
      const { definition, started, release } = gatedPlugin();
      const plugin = await connect(definition);
      void plugin.call('gated.wait');
      await started.promise;
      const stopped = plugin.shutdown();
      await expect(plugin.call('gated.wait')).rejects.toMatchObject({ code: ErrorCode.ShuttingDown, data: { plugin: 'gated' } });
      release.resolve();
      await stopped;
    });
  });

  it('types a capability handler by its Params and Result', () => {
    const typed = defineCapability<{ text: string }, { count: number }>({
      description: 'Counts characters.',
      params: { type: 'object' },
      result: { type: 'object' },
      handler: (params) => ({ count: params.text.length }),
    });
    defineCapability<{ text: string }, { count: number }>({
      description: 'Returns the wrong type.',
      params: { type: 'object' },
      result: { type: 'object' },
      // @ts-expect-error the handler must return { count: number }, not a string
      handler: (params) => params.text,
    });
    expect(typed.handler({ text: 'four' }, undefined as never)).toEqual({ count: 4 });
  });
});
