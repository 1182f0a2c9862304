import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import { definePlugin, type PluginDefinition } from '../src/plugin/define-plugin.ts';
import { connectPerTest } from './support/connect.ts';

/** connectPlugin, disposed after the test. */
const connect = connectPerTest();

/** A plugin whose `http` hook serves `greeting` from its config on a fresh loopback port, closed in dispose. */
function webPlugin(overrides: Partial<PluginDefinition<{ greeting: string }>> = {}) {
  let server: Server | undefined;
  return definePlugin<{ greeting: string }>({
    name: 'web',
    version: '1.0.0',
    configSchema: { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'] },
    capabilities: {},
    async http({ config }) {
      server = createServer((_request, response) => response.end(config.greeting));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return { port: (server.address() as AddressInfo).port };
    },
    dispose: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    ...overrides,
  });
}

describe('the http hook of definePlugin', () => {
  it('reports the port the hook listens on as http.port in the initialize result', async () => {
    const plugin = await connect(webPlugin(), { config: { greeting: 'hello from web' } });
    const port = plugin.handshake.http?.port;
    expect(port).toEqual(expect.any(Number));
    await expect((await fetch(`http://127.0.0.1:${port}/`)).text()).resolves.toBe('hello from web');
  });

  it('leaves http out of the initialize result of a plugin without the hook', async () => {
    const plugin = await connect(definePlugin({ name: 'plain', version: '1.0.0', capabilities: {} }));
    expect(plugin.handshake).not.toHaveProperty('http');
  });

  it('refuses initialize with InternalError when the hook resolves without a valid port', async () => {
    const broken = webPlugin({ http: () => ({ port: 70_000 }) });
    await expect(connect(broken, { config: { greeting: 'hi' } })).rejects.toMatchObject({ code: ErrorCode.InternalError, message: expect.stringContaining('http hook') });
  });

  it('refuses initialize with the error the hook throws', async () => {
    const failing = webPlugin({
      http: () => {
        throw new Error('port 8080 is taken');
      },
    });
    await expect(connect(failing, { config: { greeting: 'hi' } })).rejects.toMatchObject({ code: ErrorCode.InternalError, message: 'port 8080 is taken' });
  });

  it('rejects a definition whose http member is not a function', () => {
    expect(() => definePlugin({ name: 'odd', version: '1.0.0', capabilities: {}, http: 8080 as never })).toThrow(TypeError);
  });
});
