/** @cyberstudio/sdk/testing: an in-process kernel and in-memory transports for testing plugins without child processes. */
export { createTransportPair } from './memory-transport.ts';
export {
  connectPlugin,
  type TestPlugin, type TestCallOptions, type ConnectPluginOptions, type CapabilityProvider, type ProviderCallMeta,
} from './test-kernel.ts';
