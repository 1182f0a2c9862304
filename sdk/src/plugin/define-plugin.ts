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
  /** Runs once when the kernel sends `initialized`; bus calls and subscriptions are allowed from here on. */
  setup?(services: PluginServices<Config>): void | Promise<void>;
  /** Runs on shutdown after in-flight calls settled; release resources here. */
  dispose?(): void | Promise<void>;
  /** Lowest level sent as `$/log` (default `debug`). */
  logLevel?: LogLevel;
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
  for (const [name, spec] of Object.entries(definition.capabilities)) {
    if (!isCapabilityName(name) || name.startsWith('kernel.')) {
      throw new TypeError(`definePlugin: capability name '${name}' must look like 'namespace.action' and not start with 'kernel.'`);
    }
    if (typeof spec.handler !== 'function') throw new TypeError(`definePlugin: capability '${name}' has no handler`);
    if (typeof spec.description !== 'string') throw new TypeError(`definePlugin: capability '${name}' needs a description`);
  }
  return definition;
}
