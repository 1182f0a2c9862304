import { describe, expect, it } from 'vitest';
import { defineCapability, definePlugin } from '../src/plugin/define-plugin.ts';
import { PluginServer } from '../src/plugin/plugin-server.ts';
import { SchemaValidator } from '../src/plugin/schema-validator.ts';
import { createTransportPair } from '../src/testing/memory-transport.ts';
import { connectPlugin } from '../src/testing/test-kernel.ts';

/** A plugin whose one capability declares a params schema ajv cannot compile. */
const brokenPlugin = definePlugin({
  name: 'broken',
  version: '1.0.0',
  capabilities: {
    'broken.call': defineCapability({
      description: 'Has an invalid params schema.',
      params: { type: 'object', properties: { n: { type: 'nonsense' } } },
      result: {},
      handler: () => 'unreachable',
    }),
  },
});

describe('schema compilation', () => {
  it('compiles a check on its first use, not when it is made', () => {
    const validator = new SchemaValidator();
    const check = validator.compile({ type: 'nonsense' }, 'the test schema');

    expect(() => check({})).toThrow(/the test schema is not a valid JSON Schema/);
  });

  it("answers initialize though a capability's schema is invalid, and fails that capability's first call with an error naming the schema", async () => {
    const [kernelEnd, pluginEnd] = createTransportPair();
    const server = new PluginServer(brokenPlugin, pluginEnd);
    const received: Array<{ id?: number; result?: unknown; error?: { code: number; message: string } }> = [];
    kernelEnd.start({ onMessage: (message) => received.push(message as never), onClose: () => {} });
    server.start();

    kernelEnd.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersions: { min: 1, max: 1 }, kernel: { name: 'cyberstudio', version: '0.1.0' }, plugin: { name: 'broken' }, config: {}, dataDir: '/tmp' } });
    await expect.poll(() => received.find((message) => message.id === 1)).toBeDefined();
    expect(received.find((message) => message.id === 1)!.result).toBeDefined();
    kernelEnd.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
    kernelEnd.send({ jsonrpc: '2.0', id: 2, method: 'broken.call', params: { _meta: { caller: { kind: 'kernel' }, traceId: '0'.repeat(32) } } });
    await expect.poll(() => received.find((message) => message.id === 2)).toBeDefined();
    server.dispose();

    expect(received.find((message) => message.id === 2)!.error).toBeDefined();
  });

  it('makes connectPlugin (the testing kit) refuse such a plugin at once, naming the capability', async () => {
    await expect(connectPlugin(brokenPlugin)).rejects.toThrow(/the params schema of broken.call is not a valid JSON Schema/);
  });
});
