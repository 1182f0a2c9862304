import { shippedPlugin } from '../../../../tests/integration/support/test-kernel.ts';
import { llmPlugin } from '../../src/llm-plugin.ts';

/** The plugins.json entry of the real llmserver process (startup, one thread, metering permissions, 60 s to start); `overrides` are spread last. */
export function llmserverManifest(overrides: object = {}): object {
  return {
    name: 'llmserver',
    entrypoint: shippedPlugin('llmserver'),
    activation: 'startup',
    capabilities: Object.keys(llmPlugin.capabilities),
    config: { threads: 1 },
    // As in the repository's plugins.json: llmserver meters user calls through auth (unmetered where no plugin provides it).
    permissions: { call: ['auth.usage.reserve', 'auth.usage.progress', 'auth.usage.commit', 'auth.usage.release'] },
    // As in plugins.json: loading node-llama-cpp (and writing the tiny model) takes longer than the default 10 s on a busy machine.
    healthcheck: { startTimeoutSeconds: 60 },
    ...overrides,
  };
}
