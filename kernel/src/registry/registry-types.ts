/** Types of plugins.json after validation; schemas/plugins.schema.json is the source of the shapes. */

/** What the supervisor does when a plugin exits on its own. */
export type RestartPolicy = 'always' | 'on-failure' | 'never';

/** `startup`: started with the kernel; `lazy`: started by the first call to one of its capabilities. */
export type Activation = 'startup' | 'lazy';

/** Health probing and start timing, in seconds. */
export interface HealthcheckSettings {
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Consecutive failed pings before the plugin counts as unhealthy. */
  failureThreshold: number;
  /** Spawn to `initialize` result. */
  startTimeoutSeconds: number;
}

/** Delay between restarts: exponential from `initialMs` up to `maxMs`, spread by `jitter` (0..1). */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  jitter: number;
}

/** Restart policy; more than `maxRestarts` within `windowSeconds` quarantines the plugin. */
export interface RestartSettings {
  policy: RestartPolicy;
  maxRestarts: number;
  windowSeconds: number;
  backoff: BackoffSettings;
  /** Running this long without a crash resets the backoff. */
  stableSeconds: number;
}

/** Patterns (exact, `ns.*` or `*`) of what the plugin may call, subscribe to and publish. */
export interface PermissionSettings {
  call: string[];
  subscribe: string[];
  publish: string[];
}

/** Concurrency, memory and call-timeout limits. */
export interface LimitSettings {
  maxConcurrentCalls: number;
  queueLimit: number;
  /** Resident memory above which the plugin is restarted; unset means no limit. */
  memoryMb?: number;
  /** Unread bytes (MiB) on the plugin's stdin past which calls to it fail with Overloaded. */
  inputBufferMb: number;
  /** Idle timeout of a call (no result or progress for this long). */
  callTimeoutSeconds: number;
  callTotalTimeoutSeconds: number;
  /** Idle timeout per capability name, overriding `callTimeoutSeconds`. */
  capabilityTimeouts: Record<string, number>;
}

/**
 * One plugins.json entry with every default applied. Exactly one of `entrypoint` and `command`
 * is set. Paths (`entrypoint`, `cwd`, `watch`, `./` commands) are relative to the registry's baseDir.
 */
export interface PluginManifest {
  name: string;
  description: string;
  entrypoint?: string;
  command?: string;
  /** Passed after the entrypoint file, or to the command. */
  args: string[];
  cwd?: string;
  enabled: boolean;
  /** Always equal to `activation === 'startup'`; kept because seed-style entries write it. */
  autostart: boolean;
  activation: Activation;
  /** Kernel health is down while a required plugin is not running. */
  required: boolean;
  capabilities: string[];
  dependencies: string[];
  healthcheck: HealthcheckSettings;
  restart: RestartSettings;
  shutdownTimeoutSeconds: number;
  /** Set for the plugin; the plugin inherits no kernel variables beyond the pass-through list. */
  env: Record<string, string>;
  /** Kernel variables passed through in addition to the default pass-through list. */
  envAllow: string[];
  config: Record<string, unknown>;
  configSchema?: Record<string, unknown>;
  permissions: PermissionSettings;
  limits: LimitSettings;
  watch: string[];
  /** What the gateway serves for this plugin. */
  http?: PluginHttpSettings;
}

/** A plugin's HTTP contributions: routes mapped to capabilities, and a proxied mount. */
export interface PluginHttpSettings {
  /** `"POST /v1/chat/completions"` -> capability name. */
  routes?: Record<string, string>;
  /** Path prefix proxied to the port the plugin reports in its handshake. */
  mount?: string;
}

/** Which roles may call which capability patterns and subscribe to which topic patterns. */
export interface AccessRule {
  roles: string[];
  call: string[];
  subscribe: string[];
}

/** The identity provider: a capability that turns a credential into a user. */
export interface GatewayAuthSettings {
  capability: string;
  cacheSeconds: number;
  sessionCookie: string;
}

/** Gateway limits; see schemas/plugins.schema.json for each one's meaning. */
export interface GatewayLimits {
  bodyBytes: number;
  batchSize: number;
  wsMessageBytes: number;
  wsCallsInFlight: number;
  wsEventBuffer: number;
  wsMaxBufferedBytes: number;
  heartbeatSeconds: number;
}

/** The `gateway` section of plugins.json with every default applied. */
export interface GatewaySettings {
  host: string;
  port: number;
  auth?: GatewayAuthSettings;
  access: AccessRule[];
  allowedOrigins: string[];
  allowedHosts: string[];
  limits: GatewayLimits;
}

/** A loaded registry: its plugins in file order, the file, and the directory paths resolve against. */
export interface Registry {
  plugins: PluginManifest[];
  gateway: GatewaySettings;
  file: string;
  baseDir: string;
}

/** One problem found in plugins.json; `plugin` is the entry's name, `#n` (1-based) without one, or null at file level. */
export interface RegistryIssue {
  plugin: string | null;
  field: string;
  message: string;
}
