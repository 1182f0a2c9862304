// The answers the Capabilities and Config tabs read (docs/API.md, Management capabilities).

/** A JSON Schema as the kernel hands it over: an object, or `true`/`false`. */
export type JsonSchema = Record<string, unknown> | boolean;

/** One entry of `kernel.plugins.capabilities`; description, schemas and `stream` are null until the provider has run. */
export interface CapabilityInfo {
  name: string;
  plugin: string;
  description: string | null;
  params: JsonSchema | null;
  result: JsonSchema | null;
  stream: boolean | null;
}

/** The parts of `kernel.plugins.get` the Config tab reads. */
export interface PluginDetails {
  name: string;
  state: string;
  manifest: { config?: Record<string, unknown>; configSchema?: JsonSchema };
  /** Null while the plugin has never completed a handshake in this kernel. */
  handshake: { configSchema?: JsonSchema; liveConfig?: boolean } | null;
  /** The config in force (a setConfig override, else plugins.json's); absent from kernels before it was added. */
  config?: Record<string, unknown>;
}

/** How `kernel.plugins.setConfig` applied a config. */
export type ConfigApplied = 'live' | 'restart' | 'next-start';

/** The answer of `kernel.plugins.setConfig`. */
export interface SetConfigResult {
  plugin: string;
  applied: ConfigApplied;
  restarted: boolean;
  state: string;
}

/** One ajv error object, as CapabilityInvalidParams carries them in `data.errors`. */
export interface SchemaIssue {
  instancePath: string;
  message: string;
  keyword: string;
  params?: Record<string, unknown>;
}
