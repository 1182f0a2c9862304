import { afterEach } from 'vitest';
import { connectPlugin, type TestPlugin } from '../../src/testing/test-kernel.ts';

/** Registers an afterEach that disposes every plugin the returned `connect` connected during the test; `connect` takes connectPlugin's arguments. */
export function connectPerTest(): (...args: Parameters<typeof connectPlugin>) => Promise<TestPlugin> {
  const connected: TestPlugin[] = [];
  afterEach(async () => {
    await Promise.all(connected.splice(0).map((plugin) => plugin[Symbol.asyncDispose]()));
  });
  return async (...args) => {
    const plugin = await connectPlugin(...args);
    connected.push(plugin);
    return plugin;
  };
}
