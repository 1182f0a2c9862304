import { pino } from 'pino';
import { afterEach } from 'vitest';
import { Gateway } from '../../../kernel/src/gateway/index.ts';
import { startTestKernel, type TestKernel } from '../../integration/support/test-kernel.ts';

/** A kernel with its gateway on an ephemeral loopback port. */
export interface TestGateway extends TestKernel {
  gateway: Gateway;
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
}

/** Options: `gateway` is the plugins.json `gateway` section (port is forced to 0). */
export interface TestGatewayOptions {
  gateway?: Record<string, unknown>;
  telemetryIntervalMs?: number;
  start?: boolean;
}

/** Starts a kernel on `plugins` and a gateway in front of it; `close()` stops both and removes the temp dir. */
export async function startTestGateway(plugins: object[], options: TestGatewayOptions = {}): Promise<TestGateway> {
  const test = await startTestKernel(plugins, { start: false, telemetryIntervalMs: options.telemetryIntervalMs, gateway: { ...options.gateway, port: 0 } });
  let gateway: Gateway;
  try {
    gateway = await Gateway.listen({ kernel: test.kernel, settings: test.kernel.registry.gateway, logger: pino({ level: 'silent' }) });
  } catch (error) {
    await test.close();
    throw error;
  }
  if (options.start !== false) await test.kernel.start();
  const close = async () => {
    await gateway.close();
    await test.close();
  };
  return { ...test, gateway, url: gateway.url, wsUrl: gateway.url.replace(/^http/, 'ws'), close, [Symbol.asyncDispose]: close };
}

/** Registers an afterEach that closes the gateway `open` started last. */
export function gatewayPerTest(defaults: TestGatewayOptions = {}): (plugins: object[], options?: TestGatewayOptions) => Promise<TestGateway> {
  let current: TestGateway | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (plugins, options = {}) => {
    current = await startTestGateway(plugins, { ...defaults, ...options });
    return current;
  };
}
