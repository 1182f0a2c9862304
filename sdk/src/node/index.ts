/** Node-only parts of the SDK: stdio transport and the plugin entry point. */
export { runPlugin, notLaunchedByKernelMessage } from './run-plugin.ts';
export { StreamTransport, type StreamTransportOptions } from './stream-transport.ts';
