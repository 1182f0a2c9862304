/**
 * The one error catalog. Wire codes (numbers) cross the bus inside JSON-RPC error objects;
 * local codes (strings) name failures that never leave the process that raised them.
 * `docs/errors.md` lists exactly these codes; a test keeps the two in step.
 */

/**
 * Where wire codes live (docs/errors.md, "Code ranges"): the bus's own codes in -32099..-32000,
 * capability errors shared by several plugins in 1000..1999 (listed here), and each plugin's
 * own codes from 10000 up (documented with the plugin).
 */
export const ErrorCodeRange = {
  bus: { min: -32099, max: -32000 },
  sharedCapability: { min: 1000, max: 1999 },
  pluginOwnMin: 10000,
} as const;

/** Numeric codes carried by JSON-RPC error responses: the bus's in -32099..-32000, shared capability errors in 1000..1999. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  CapabilityNotFound: -32001,
  PluginNotRunning: -32002,
  PluginExited: -32003,
  Timeout: -32004,
  Cancelled: -32005,
  Overloaded: -32006,
  CapabilityInvalidParams: -32007,
  Forbidden: -32008,
  ConnectionClosed: -32009,
  ProtocolVersionUnsupported: -32010,
  ShuttingDown: -32011,
  Unauthenticated: -32012,
  PluginNotFound: -32014,
  InsufficientBalance: 1001,
  RateLimited: 1002,
  UpstreamFailed: 1003,
} as const;

/** A numeric wire error code from the catalog. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One catalog entry: the code's meaning and, for wire codes, the shape of `data`. */
export interface ErrorCatalogEntry {
  readonly name: string;
  readonly summary: string;
  readonly data?: string;
  /** HTTP status a gateway answers with when this error ends an HTTP request. */
  readonly httpStatus: number;
}

/** Every wire code with its documentation, keyed by code. */
export const wireErrorCatalog: Readonly<Record<ErrorCode, ErrorCatalogEntry>> = {
  [-32700]: { name: 'ParseError', summary: 'The message is not valid JSON.', httpStatus: 400 },
  [-32600]: { name: 'InvalidRequest', summary: 'The message is JSON but not a valid JSON-RPC 2.0 request.', httpStatus: 400 },
  [-32601]: { name: 'MethodNotFound', summary: 'The receiver does not implement this protocol method.', data: '{ method }', httpStatus: 404 },
  [-32602]: { name: 'InvalidParams', summary: 'A protocol method (initialize, $/subscribe, ...) received malformed params.', data: '{ method, errors? }', httpStatus: 400 },
  [-32603]: { name: 'InternalError', summary: 'The handler failed with an unexpected error.', data: '{ name? }', httpStatus: 500 },
  [-32001]: { name: 'CapabilityNotFound', summary: 'No plugin in the registry provides this capability.', data: '{ capability }', httpStatus: 404 },
  [-32002]: { name: 'PluginNotRunning', summary: 'The providing plugin is not running and could not be started for this call.', data: '{ plugin, state, reason? }', httpStatus: 503 },
  [-32003]: { name: 'PluginExited', summary: 'The providing plugin exited while the call was in flight.', data: '{ plugin, exitCode, signal }', httpStatus: 502 },
  [-32004]: { name: 'Timeout', summary: 'The call passed its idle timeout (no result or progress) or its total deadline.', data: '{ capability, timeoutMs, kind: "idle" | "total" }', httpStatus: 504 },
  [-32005]: { name: 'Cancelled', summary: 'The caller cancelled the call, or went away.', data: '{ reason }', httpStatus: 499 },
  [-32006]: { name: 'Overloaded', summary: "The provider is at its concurrency limit and its queue is full, or has left limits.inputBufferMb of calls unread on its stdin, or a gateway connection is at its limit of calls in flight or subscriptions.", data: '{ plugin, maxConcurrentCalls, queueLimit } from the bus; { plugin, reason: "input-unread", unreadBytes } for a plugin not reading its stdin; { limit, reason } from the gateway', httpStatus: 503 },
  [-32007]: { name: 'CapabilityInvalidParams', summary: "The params do not match the capability's JSON Schema.", data: '{ capability, errors: [{ instancePath, message, keyword, params }] }', httpStatus: 400 },
  [-32008]: { name: 'Forbidden', summary: 'The caller may not call this capability.', data: '{ capability, caller }', httpStatus: 403 },
  [-32009]: { name: 'ConnectionClosed', summary: 'The connection closed while the request was pending.', data: '{ reason }', httpStatus: 502 },
  [-32010]: { name: 'ProtocolVersionUnsupported', summary: 'The two sides share no protocol version.', data: '{ supported: { min, max }, requested }', httpStatus: 500 },
  [-32011]: { name: 'ShuttingDown', summary: 'The receiver is shutting down and accepts no new calls.', data: '{ plugin? }', httpStatus: 503 },
  [-32012]: { name: 'Unauthenticated', summary: 'The request carries no credential, or one the identity provider rejects (unknown, expired, revoked).', data: '{ reason }', httpStatus: 401 },
  [-32014]: { name: 'PluginNotFound', summary: 'No plugin of that name is registered (a management call or REST path named it).', data: '{ plugin, capability? }', httpStatus: 404 },
  [1001]: { name: 'InsufficientBalance', summary: "The user's token balance cannot cover the tokens a call would spend.", data: '{ userId, balance, requested }', httpStatus: 402 },
  [1002]: { name: 'RateLimited', summary: 'A provider refused the call because the caller is over a rate limit or budget; retry after the given time.', data: '{ retryAfterSeconds, limit?, remaining?, resetSeconds?, scope? }', httpStatus: 429 },
  [1003]: { name: 'UpstreamFailed', summary: 'A service the provider depends on (a download host, a remote model provider) could not be reached, answered with an error, or sent data that failed verification.', data: '{ upstream, reason, status? }', httpStatus: 502 },
};

/** String codes of local errors, raised and handled inside one process. */
export const LocalErrorCode = {
  RegistryNotFound: 'CDS_ERR_REGISTRY_NOT_FOUND',
  RegistryInvalid: 'CDS_ERR_REGISTRY_INVALID',
  DependencyMissing: 'CDS_ERR_DEPENDENCY_MISSING',
  DependencyCycle: 'CDS_ERR_DEPENDENCY_CYCLE',
  ConfigInvalid: 'CDS_ERR_CONFIG_INVALID',
  HandshakeMismatch: 'CDS_ERR_HANDSHAKE_MISMATCH',
  HandshakeTimeout: 'CDS_ERR_HANDSHAKE_TIMEOUT',
  HandshakeFailed: 'CDS_ERR_HANDSHAKE_FAILED',
  SpawnFailed: 'CDS_ERR_SPAWN_FAILED',
  PluginUnknown: 'CDS_ERR_PLUGIN_UNKNOWN',
  PluginQuarantined: 'CDS_ERR_PLUGIN_QUARANTINED',
  NotLaunchedByKernel: 'CDS_ERR_NOT_LAUNCHED_BY_KERNEL',
  DataDirUnavailable: 'CDS_ERR_DATA_DIR_UNAVAILABLE',
  GatewayListenFailed: 'CDS_ERR_GATEWAY_LISTEN_FAILED',
  GatewayInsecureBind: 'CDS_ERR_GATEWAY_INSECURE_BIND',
  DatabaseInUse: 'CDS_ERR_DATABASE_IN_USE',
  DatabaseOpenFailed: 'CDS_ERR_DATABASE_OPEN_FAILED',
  DatabaseDialectUnavailable: 'CDS_ERR_DATABASE_DIALECT_UNAVAILABLE',
  DatabaseClosed: 'CDS_ERR_DATABASE_CLOSED',
  MigrationFailed: 'CDS_ERR_MIGRATION_FAILED',
  ModelInvalid: 'CDS_ERR_MODEL_INVALID',
} as const;

/** A string code of a local error. */
export type LocalErrorCode = (typeof LocalErrorCode)[keyof typeof LocalErrorCode];

/** Every local code with its documentation. */
export const localErrorCatalog: Readonly<Record<LocalErrorCode, Omit<ErrorCatalogEntry, 'httpStatus'>>> = {
  CDS_ERR_REGISTRY_NOT_FOUND: { name: 'RegistryNotFound', summary: 'The plugins.json file does not exist or cannot be read.' },
  CDS_ERR_REGISTRY_INVALID: { name: 'RegistryInvalid', summary: 'plugins.json is not valid JSON or fails its schema; each error names the plugin and the field.', data: '{ errors: [{ plugin, field, message }] }' },
  CDS_ERR_DEPENDENCY_MISSING: { name: 'DependencyMissing', summary: 'A plugin depends on a plugin that is not in the registry.', data: '{ plugin, dependency }' },
  CDS_ERR_DEPENDENCY_CYCLE: { name: 'DependencyCycle', summary: 'Plugin dependencies form a cycle.', data: '{ cycle: [names] }' },
  CDS_ERR_CONFIG_INVALID: { name: 'ConfigInvalid', summary: "A plugin's config does not match its configSchema.", data: '{ plugin, errors }' },
  CDS_ERR_HANDSHAKE_MISMATCH: { name: 'HandshakeMismatch', summary: "The plugin's initialize answer disagrees with plugins.json (name or capabilities); the message names the difference.", data: '{ plugin, extra, missing }' },
  CDS_ERR_HANDSHAKE_TIMEOUT: { name: 'HandshakeTimeout', summary: 'The plugin did not answer initialize within its start timeout.', data: '{ plugin, timeoutMs }' },
  CDS_ERR_HANDSHAKE_FAILED: { name: 'HandshakeFailed', summary: 'The plugin exited or answered initialize with an error or a malformed result.', data: '{ plugin, reason }' },
  CDS_ERR_SPAWN_FAILED: { name: 'SpawnFailed', summary: 'The plugin process could not be started (missing file, not executable).', data: '{ plugin, command }' },
  CDS_ERR_PLUGIN_UNKNOWN: { name: 'PluginUnknown', summary: 'No plugin of that name is in the registry.', data: '{ plugin }' },
  CDS_ERR_PLUGIN_QUARANTINED: { name: 'PluginQuarantined', summary: 'The plugin crashed too often and waits for an explicit start.', data: '{ plugin, lastError }' },
  CDS_ERR_NOT_LAUNCHED_BY_KERNEL: { name: 'NotLaunchedByKernel', summary: 'A plugin was run by hand instead of by the kernel.' },
  CDS_ERR_DATA_DIR_UNAVAILABLE: { name: 'DataDirUnavailable', summary: 'The data directory cannot be created or written.', data: '{ path }' },
  CDS_ERR_GATEWAY_LISTEN_FAILED: { name: 'GatewayListenFailed', summary: 'The gateway cannot listen on its host and port (in use, not an address of this machine, no permission).', data: '{ host, port, reason }' },
  CDS_ERR_GATEWAY_INSECURE_BIND: { name: 'GatewayInsecureBind', summary: 'The gateway was asked to listen beyond loopback with no auth capability configured; it refuses.', data: '{ host }' },
  CDS_ERR_DATABASE_IN_USE: { name: 'DatabaseInUse', summary: 'Another process (or another open in this one) holds the database file; one writer per file.', data: '{ file, waitedMs }' },
  CDS_ERR_DATABASE_OPEN_FAILED: { name: 'DatabaseOpenFailed', summary: 'The database file cannot be opened or set up (not a database, unreadable, disk error).', data: '{ file, reason }' },
  CDS_ERR_DATABASE_DIALECT_UNAVAILABLE: { name: 'DatabaseDialectUnavailable', summary: 'The requested database dialect is declared but not available yet.', data: '{ dialect }' },
  CDS_ERR_DATABASE_CLOSED: { name: 'DatabaseClosed', summary: 'The database was used after close().', data: '{ file }' },
  CDS_ERR_MIGRATION_FAILED: { name: 'MigrationFailed', summary: 'A migration failed at open and was rolled back (earlier ones stay applied), or the migrations cannot be read or are out of order.', data: '{ file, migration, reason }' },
  CDS_ERR_MODEL_INVALID: { name: 'ModelInvalid', summary: 'A model file is not a GGUF file the reader accepts (bad magic, unsupported version, truncated, absurd counts or sizes); the message names the file.', data: '{ file, reason, offset? }' },
};
