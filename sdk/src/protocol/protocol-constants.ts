/** Launch environment, protocol versions and default limits shared by the kernel and plugins. */

/** Environment variable carrying the magic cookie; a plugin without it was not launched by a kernel. */
export const PLUGIN_COOKIE_ENV = 'CYBERSTUDIO_PLUGIN_COOKIE';
/** The cookie value the kernel sets. It is a launch marker, not a secret. */
export const PLUGIN_COOKIE_VALUE = 'cyberstudio-plugin-v1-7f3a9c';
/** Environment variable listing the protocol versions the kernel speaks, comma-separated. */
export const PROTOCOL_VERSIONS_ENV = 'CYBERSTUDIO_PROTOCOL_VERSIONS';
/** Environment variable naming the plugin as registered in plugins.json. */
export const PLUGIN_NAME_ENV = 'CYBERSTUDIO_PLUGIN_NAME';
/** Environment variable holding the plugin's data directory (also sent in `initialize`). */
export const DATA_DIR_ENV = 'CYBERSTUDIO_DATA_DIR';

/** The protocol version this SDK and kernel implement. */
export const PROTOCOL_VERSION = 1;
/** Oldest and newest protocol versions this SDK and kernel accept. */
export const SUPPORTED_PROTOCOL_VERSIONS = { min: 1, max: 1 } as const;

/** Named default limits and timeouts; every default lives here. */
export const Defaults = {
  /** Longest accepted line on stdio, in bytes; longer lines are dropped. */
  maxLineBytes: 16 * 1024 * 1024,
  /** Spawn to `initialize` result. */
  startTimeoutMs: 10_000,
  /** A call fails with Timeout when neither a result nor progress arrives for this long. */
  callIdleTimeoutMs: 30_000,
  /** A call fails with Timeout after this long whatever progress it made. */
  callTotalTimeoutMs: 10 * 60_000,
  /** A plugin's graceful stop: the `shutdown` answer and its exit after stdin closes, together. */
  shutdownTimeoutMs: 5_000,
  /** After the graceful stop: SIGTERM, then SIGKILL when the plugin has not exited this long after it. */
  killGraceMs: 2_000,
  healthIntervalMs: 10_000,
  healthTimeoutMs: 5_000,
  healthFailureThreshold: 3,
  restartMaxRestarts: 5,
  restartWindowMs: 60_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  /** Running this long without a crash resets the backoff. */
  stableAfterMs: 60_000,
  maxConcurrentCalls: 64,
  /** Calls waiting for a free slot per plugin before Overloaded. */
  queueLimit: 256,
  /** Unread input (MiB) on a plugin's stdin before calls to it fail with Overloaded. */
  inputBufferMb: 64,
} as const;

/** Protocol method names. Capability names never start with `$/` and are never these words. */
export const Method = {
  Initialize: 'initialize',
  Initialized: 'initialized',
  Shutdown: 'shutdown',
  Configure: 'configure',
  Ping: '$/ping',
  CancelRequest: '$/cancelRequest',
  Progress: '$/progress',
  Log: '$/log',
  Subscribe: '$/subscribe',
  Unsubscribe: '$/unsubscribe',
  Publish: '$/publish',
  Event: '$/event',
} as const;

/** A protocol method name. */
export type Method = (typeof Method)[keyof typeof Method];
