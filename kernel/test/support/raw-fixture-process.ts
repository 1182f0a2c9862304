import { fileURLToPath } from 'node:url';
import { PLUGIN_COOKIE_ENV, PLUGIN_COOKIE_VALUE, PLUGIN_NAME_ENV, SUPPORTED_PROTOCOL_VERSIONS } from '@cyberstudio/sdk';
import type { PluginProcessOptions } from '../../src/lifecycle/plugin-process.ts';
import { parseRegistry, type PluginManifest } from '../../src/registry/index.ts';

const fixtures = fileURLToPath(new URL('../../../tests/fixtures/', import.meta.url));

/** Launch options for a raw-protocol fixture (`tests/fixtures/<folder>/main.mjs`) under plain node, registered as `name`. */
export function rawFixtureLaunch(folder: string, name: string, capabilities: string[] = []): PluginProcessOptions {
  return {
    name,
    command: process.execPath,
    args: [`${fixtures}${folder}/main.mjs`],
    cwd: fixtures,
    env: { [PLUGIN_COOKIE_ENV]: PLUGIN_COOKIE_VALUE, [PLUGIN_NAME_ENV]: name, PATH: process.env.PATH ?? '' },
    initialize: {
      protocolVersions: { ...SUPPORTED_PROTOCOL_VERSIONS },
      kernel: { name: 'test', version: '0.0.0' },
      plugin: { name },
      config: {},
      dataDir: fixtures,
      shutdownTimeoutMs: 1000,
    },
    declaredCapabilities: capabilities,
    startTimeout: 10_000,
    maxUnreadInputBytes: 2 ** 20,
    onRequest: () => ({}),
    onNotification: () => {},
    onStderrLine: () => {},
    onDiagnostic: () => {},
  };
}

/** The manifest plugins.json would give a plugin `name` with `overrides`, all defaults filled in. */
export function manifestOf(name: string, overrides: object = {}): PluginManifest {
  return parseRegistry({ plugins: [{ name, entrypoint: `${name}/main.mjs`, ...overrides }] }, { file: `${fixtures}plugins.json`, baseDir: fixtures }).plugins[0]!;
}
