import { isCapabilityName } from '../protocol/capability-name.ts';
import type { JsonSchema, LogLevel } from '../protocol/messages.ts';
import type { PluginContext, PluginServices } from './plugin-context.ts';

/** One capability: its documentation, its schemas and its handler. */
export interface CapabilitySpec<Params = any, Result = unknown, Config = any> {
  description: string;
  /** JSON Schema of params (without `_meta`); params are validated before the handler runs. */
  params: JsonSchema;
  /** JSON Schema of the result, published in the handshake. */
  result: JsonSchema;
  /** True when the handler streams chunks with `ctx.progress` before its result. */
  stream?: boolean;
  handler(params: Params, ctx: PluginContext<Config>): Result | Promise<Result>;
}

/** A plugin: its identity, its config schema, its capabilities and optional lifecycle hooks. */
export interface PluginDefinition<Config = any> {
  name: string;
  version: string;
  /** JSON Schema of the plugin's config; the config is validated during the handshake. */
  configSchema?: JsonSchema;
  capabilities: Record<string, CapabilitySpec<any, any, Config>>;
  /**
   * Runs during the handshake, after the config is validated and before the plugin answers
   * `initialize`: open databases and files here, so no call can arrive before they are ready.
   * Throwing refuses the start; the kernel reports the error. No bus calls yet.
   */
  init?(services: PluginStartServices<Config>): void | Promise<void>;
  /**
   * Starts the plugin's own HTTP server during the handshake and resolves with the loopback port it
   * listens on (listen on 127.0.0.1, port 0 picks a free one). The port goes into the `initialize`
   * result as `http.port`, where the gateway proxies the plugin's `http.mount`. Runs after the config
   * is validated and before `initialized`, so no bus calls yet; close the server in `dispose`.
   */
  http?(services: PluginStartServices<Config>): PluginHttpServer | Promise<PluginHttpServer>;
  /**
   * Applies a new config in place. When present, the handshake says `liveConfig: true` and a config
   * change (kernel.plugins.setConfig, POST /api/plugins/:id/config) arrives here, already validated
   * against `configSchema`, instead of restarting the plugin. Throw to refuse it: the old config
   * stays. Once it resolves, `config` reads the new value in every later call.
   */
  configure?(config: Config, services: PluginServices<Config>): void | Promise<void>;
  /** Runs once when the kernel sends `initialized`; bus calls and subscriptions are allowed from here on. */
  setup?(services: PluginServices<Config>): void | Promise<void>;
  /** Runs on shutdown after in-flight calls settled; release resources here. */
  dispose?(): void | Promise<void>;
  /** Lowest level sent as `$/log` (default `debug`). */
  logLevel?: LogLevel;
}

/** What the `http` hook gets: the validated config, the data directory and the logger (the bus is not open yet). */
export type PluginStartServices<Config = Record<string, unknown>> = Pick<PluginServices<Config>, 'config' | 'dataDir' | 'log'>;

/** What the `http` hook resolves with: the loopback TCP port the plugin serves HTTP on. */
export interface PluginHttpServer {
  port: number;
}

/** Types one capability: `Params` and `Result` are checked against the handler by TypeScript. */
export function defineCapability<Params, Result, Config = any>(
  spec: CapabilitySpec<Params, Result, Config>,
): CapabilitySpec<Params, Result, Config> {
  return spec;
}

/** Checks a plugin definition's shape and returns it unchanged; throws TypeError on a malformed one. */
export function definePlugin<Config = Record<string, unknown>>(definition: PluginDefinition<Config>): PluginDefinition<Config> {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) {
    throw new TypeError(`definePlugin: name '${definition.name}' must be lowercase letters, digits and dashes`);
  }
  if (typeof definition.version !== 'string' || definition.version.length === 0) {
    throw new TypeError(`definePlugin: plugin '${definition.name}' needs a version string`);
  }
  if (definition.init !== undefined && typeof definition.init !== 'function') {
    throw new TypeError(`definePlugin: plugin '${definition.name}' has an 'init' member that is not a function`);
  }
  if (definition.configure !== undefined && typeof definition.configure !== 'function') {
    throw new TypeError(`definePlugin: plugin '${definition.name}' has a 'configure' member that is not a function`);
  }
  if (definition.http !== undefined && typeof definition.http !== 'function') {
    throw new TypeError(`definePlugin: plugin '${definition.name}' has an 'http' member that is not a function`);
  }
  for (const [name, spec] of Object.entries(definition.capabilities)) {
    if (!isCapabilityName(name) || name.startsWith('kernel.')) {
      throw new TypeError(`definePlugin: capability name '${name}' must look like 'namespace.action' and not start with 'kernel.'`);
    }
    if (typeof spec.handler !== 'function') throw new TypeError(`definePlugin: capability '${name}' has no handler`);
    if (typeof spec.description !== 'string') throw new TypeError(`definePlugin: capability '${name}' needs a description`);
  }
  return definition;
}
