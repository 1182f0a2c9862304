/** Types of the protocol messages' params and results (see docs/protocol.md). */

/** JSON Schema object, as plain data. */
export type JsonSchema = Record<string, unknown> | boolean;

/** Who made a call: a user with roles, a plugin, or the kernel itself. */
export type Caller =
  | { kind: 'user'; id: string; roles: string[]; name?: string; keyId?: string; sessionId?: string; scopes?: string[] }
  | { kind: 'plugin'; name: string }
  | { kind: 'kernel' };

/** The `_meta` member of every capability call's params. */
export interface CallMeta {
  caller: Caller;
  /** 32 hex characters shared by every hop of one logical request. */
  traceId: string;
  /** Epoch milliseconds after which the caller gives up. */
  deadline: number;
}

/** What a plugin may put in `_meta` when it calls the bus; the kernel sets the caller. */
export interface OutgoingCallMeta {
  traceId?: string;
  timeoutMs?: number;
}

/** One capability as declared in the handshake. */
export interface CapabilityDescriptor {
  name: string;
  description: string;
  params: Record<string, unknown>;
  result: Record<string, unknown>;
  stream: boolean;
}

/** Params of `initialize` (kernel -> plugin). */
export interface InitializeParams {
  protocolVersions: { min: number; max: number };
  kernel: { name: string; version: string };
  plugin: { name: string };
  config: Record<string, unknown>;
  dataDir: string;
  /**
   * The plugin's stop budget in ms (plugins.json `shutdownTimeoutSeconds`): from `shutdown` until
   * the process has exited after its stdin closed. Then SIGTERM, and SIGKILL 2 s later.
   */
  shutdownTimeoutMs: number;
}

/** Result of `initialize` (plugin -> kernel). */
export interface InitializeResult {
  name: string;
  version: string;
  protocolVersion: number;
  capabilities: CapabilityDescriptor[];
  /** JSON Schema of the plugin's config, so the kernel can validate config changes before a restart. */
  configSchema?: Record<string, unknown>;
  /** A loopback port where the plugin serves HTTP, for plugins that serve their own web content. */
  http?: { port: number };
  /** True when the plugin applies a new config in place (the `configure` request) instead of needing a restart. */
  liveConfig?: boolean;
}

/**
 * The params a capability mapped to an HTTP route (`http.routes` in plugins.json) receives:
 * the request, without its credentials (the caller is in `_meta.caller`).
 */
export type HttpRouteRequest<Body = unknown> = {
  method: string;
  /** The request path as sent (still percent-encoded), without the query. */
  path: string;
  /** Decoded `:name` path parameters. */
  params: Record<string, string>;
  /** Query parameters; a repeated name gives an array. */
  query: Record<string, string | string[]>;
  /** Lowercased request headers except authorization, cookie and proxy-authorization. */
  headers: Record<string, string | string[]>;
  /** The parsed JSON body, or null without one. */
  body: Body | null;
};

/**
 * A route capability's result when it shapes the HTTP answer; any other result is the JSON body
 * of a 200. `sse` lines end an event stream verbatim (`["[DONE]"]` for OpenAI's clients).
 */
export interface HttpRouteAnswer<Body = unknown> {
  _http: { status?: number; headers?: Record<string, string>; sse?: string[] };
  body?: Body;
}

/** Params of `configure` (kernel -> plugin): the new config, already validated against configSchema. */
export interface ConfigureParams {
  config: Record<string, unknown>;
}

/** Params of `$/progress`: one streamed chunk of the request `id`. */
export interface ProgressParams {
  id: number | string;
  chunk: unknown;
}

/** Params of `$/cancelRequest`. */
export interface CancelParams {
  id: number | string;
}

/** Log levels, named as pino names them. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Params of `$/log`: a pino-shaped record. */
export interface LogParams {
  level: LogLevel | number;
  msg: string;
  [field: string]: unknown;
}

/** Params of `$/subscribe` and `$/unsubscribe`. */
export interface SubscribeParams {
  topic: string;
}

/** Params of `$/publish`. */
export interface PublishParams {
  topic: string;
  data: unknown;
}

/** Params of `$/event` (kernel -> subscriber). */
export interface EventParams {
  topic: string;
  data: unknown;
  source: string;
}
