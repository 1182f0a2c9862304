import { BusError } from '../protocol/bus-error.ts';
import { matchesPattern } from '../protocol/capability-name.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type {
  CallMeta, Caller, EventParams, InitializeParams, InitializeResult, LogParams, OutgoingCallMeta, PublishParams, SubscribeParams,
} from '../protocol/messages.ts';
import { Defaults, Method, SUPPORTED_PROTOCOL_VERSIONS } from '../protocol/protocol-constants.ts';
import { RpcConnection, type IncomingRequestContext } from '../rpc/rpc-connection.ts';
import type { PluginDefinition } from '../plugin/define-plugin.ts';
import { newTraceId } from '../plugin/handler-context.ts';
import { PluginServer } from '../plugin/plugin-server.ts';
import { SchemaValidator } from '../plugin/schema-validator.ts';
import { createTransportPair } from './memory-transport.ts';

/** What a provider stand-in learns about a bus call besides its params. */
export interface ProviderCallMeta extends CallMeta {
  /** Aborted when the plugin cancels its call or the connection closes. */
  readonly signal: AbortSignal;
  /** Streams one chunk back to the calling plugin as `$/progress`. */
  progress(chunk: unknown): void;
}

/** A stand-in for a capability of another plugin or of the kernel, reached through `ctx.call`. */
export type CapabilityProvider = (params: Record<string, unknown>, meta: ProviderCallMeta) => unknown;

/** Options of `connectPlugin`. */
export interface ConnectPluginOptions {
  /** Sent in `initialize`; the plugin validates it against its configSchema. Default `{}`. */
  config?: Record<string, unknown>;
  /** Sent in `initialize`. The default does not exist, so a plugin writing files fails loudly instead of littering the working directory. */
  dataDir?: string;
  /** Caller put in `_meta` of `call` when the call does not name one. Default `{ kind: 'kernel' }`. */
  caller?: Caller;
  /** Capabilities the plugin can call on the bus, by name; any other name fails with CapabilityNotFound. */
  providers?: Record<string, CapabilityProvider>;
  /** The plugin's `permissions.call` patterns; other calls fail with Forbidden. Default `['*']`. */
  permissions?: string[];
  /** Protocol version range offered in `initialize`, to test version negotiation. */
  protocolVersions?: { min: number; max: number };
}

/** Options of one `TestPlugin.call`. */
export interface TestCallOptions {
  caller?: Caller;
  traceId?: string;
  signal?: AbortSignal;
  /** Idle timeout in ms (default 30 s, as in the kernel). */
  timeout?: number;
  onProgress?(chunk: unknown): void;
}

/** A plugin served in-process after a real handshake, and the kernel's view of it. */
export interface TestPlugin extends AsyncDisposable {
  /** The plugin's `initialize` result. */
  readonly handshake: InitializeResult;
  /** Calls one of the plugin's capabilities as the kernel would, with `_meta` { caller, traceId, deadline }. */
  call<Result = unknown>(capability: string, params?: Record<string, unknown>, options?: TestCallOptions): Promise<Result>;
  /** Sends `$/event` (source 'test') if the plugin subscribed to a matching pattern; resolves once its listeners ran, with whether it was sent. */
  publish(topic: string, data: unknown): Promise<boolean>;
  /** Everything the plugin published with `$/publish`, in order. */
  readonly events: PublishParams[];
  /** Every `$/log` record the plugin sent, in order. */
  readonly logs: LogParams[];
  /** Topic patterns the plugin is subscribed to. */
  readonly subscriptions: ReadonlySet<string>;
  /** Resolves once every message the plugin sent so far has arrived (a `$/ping` round trip). */
  flush(): Promise<void>;
  /** Sends `shutdown`, waits for its answer (in-flight calls finish, `dispose` runs), then closes. */
  shutdown(): Promise<void>;
  /** Closes the connection at once: running handlers are aborted, then the plugin's `dispose` runs. Idempotent. */
  dispose(): void;
}

/** The `source` of events sent with `TestPlugin.publish`. */
const TEST_SOURCE = 'test';

/** Where `initialize` points a plugin when the test names no data directory. */
const MISSING_DATA_DIR = '/nonexistent/cyberstudio-test-data';

/** The kernel's end of the connection: answers the plugin's bus calls and subscriptions from the options. */
class InProcessKernel implements TestPlugin {
  readonly events: PublishParams[] = [];
  readonly logs: LogParams[] = [];
  readonly subscriptions = new Set<string>();
  readonly #definition: PluginDefinition;
  readonly #options: ConnectPluginOptions;
  readonly #server: PluginServer;
  readonly #connection: RpcConnection;
  readonly #setupDone: Promise<void>;
  #handshake: InitializeResult | undefined;

  constructor(definition: PluginDefinition, options: ConnectPluginOptions) {
    this.#definition = definition;
    this.#options = options;
    let setupSettled!: () => void;
    this.#setupDone = new Promise<void>((resolve) => (setupSettled = resolve));
    // Wrapping setup tells the test when the plugin's subscriptions and other setup work are in place.
    const hosted: PluginDefinition = {
      ...definition,
      async setup(services) {
        try {
          await definition.setup?.(services);
        } finally {
          setupSettled();
        }
      },
    };
    const [kernelEnd, pluginEnd] = createTransportPair();
    this.#server = new PluginServer(hosted, pluginEnd);
    this.#connection = new RpcConnection(kernelEnd, {
      onRequest: (method, params, context) => this.#onRequest(method, params, context),
      onNotification: (method, params) => this.#onNotification(method, params),
    });
  }

  get handshake(): InitializeResult {
    return this.#handshake!;
  }

  /** Runs the handshake and waits for the plugin's setup; closes everything when the plugin refuses. */
  async open(): Promise<this> {
    this.#server.start();
    this.#connection.start();
    const params: InitializeParams = {
      protocolVersions: this.#options.protocolVersions ?? { ...SUPPORTED_PROTOCOL_VERSIONS },
      kernel: { name: 'cyberstudio', version: '0.1.0' },
      plugin: { name: this.#definition.name },
      config: this.#options.config ?? {},
      dataDir: this.#options.dataDir ?? MISSING_DATA_DIR,
      shutdownTimeoutMs: Defaults.shutdownTimeoutMs,
    };
    try {
      this.#handshake = (await this.#connection.request(Method.Initialize, params, { timeout: Defaults.startTimeoutMs })) as InitializeResult;
    } catch (error) {
      await this[Symbol.asyncDispose]();
      throw error;
    }
    this.#connection.notify(Method.Initialized, {});
    await this.#setupDone;
    return this;
  }

  call<Result = unknown>(capability: string, params: Record<string, unknown> = {}, options: TestCallOptions = {}): Promise<Result> {
    const _meta: CallMeta = {
      caller: options.caller ?? this.#options.caller ?? { kind: 'kernel' },
      traceId: options.traceId ?? newTraceId(),
      deadline: Date.now() + Defaults.callTotalTimeoutMs,
    };
    return this.#connection.request(capability, { ...params, _meta }, {
      signal: options.signal,
      timeout: options.timeout ?? Defaults.callIdleTimeoutMs,
      totalTimeout: Defaults.callTotalTimeoutMs,
      onProgress: options.onProgress,
    }) as Promise<Result>;
  }

  async publish(topic: string, data: unknown): Promise<boolean> {
    const subscribed = this.#subscribedTo(topic);
    if (subscribed) this.#connection.notify(Method.Event, { topic, data, source: TEST_SOURCE } satisfies EventParams);
    await this.flush();
    return subscribed;
  }

  async flush(): Promise<void> {
    await this.#connection.request(Method.Ping, {});
  }

  async shutdown(): Promise<void> {
    try {
      await this.#connection.request(Method.Shutdown, {}, { timeout: Defaults.shutdownTimeoutMs });
    } finally {
      await this[Symbol.asyncDispose]();
    }
  }

  dispose(): void {
    this.#connection.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
    await this.#server.closed;
  }

  #subscribedTo(topic: string): boolean {
    return [...this.subscriptions].some((pattern) => matchesPattern(pattern, topic));
  }

  #onRequest(method: string, params: unknown, context: IncomingRequestContext): unknown {
    if (method === Method.Subscribe || method === Method.Unsubscribe) {
      const topic = (params as Partial<SubscribeParams> | undefined)?.topic;
      if (typeof topic !== 'string' || topic.length === 0) {
        throw new BusError(ErrorCode.InvalidParams, `${method} needs a topic`, { method });
      }
      if (method === Method.Subscribe) this.subscriptions.add(topic);
      else this.subscriptions.delete(topic);
      return {};
    }
    if (method.startsWith('$/') || (Object.values(Method) as string[]).includes(method)) {
      throw new BusError(ErrorCode.MethodNotFound, `The kernel does not answer ${method}`, { method });
    }
    return this.#route(method, isObject(params) ? params : {}, context);
  }

  /** A bus call from the plugin, checked and answered as the kernel would: permissions first, then the provider. */
  #route(capability: string, params: Record<string, unknown>, context: IncomingRequestContext): unknown {
    const caller: Caller = { kind: 'plugin', name: this.#definition.name };
    const permissions = this.#options.permissions ?? ['*'];
    if (!permissions.some((pattern) => matchesPattern(pattern, capability))) {
      throw new BusError(ErrorCode.Forbidden, `Plugin '${caller.name}' may not call ${capability}`, { capability, caller });
    }
    const provider = this.#options.providers?.[capability];
    if (!provider) throw new BusError(ErrorCode.CapabilityNotFound, `No plugin provides ${capability}`, { capability });
    const { _meta, ...rest } = params as Record<string, unknown> & { _meta?: OutgoingCallMeta };
    return provider(rest, {
      caller,
      traceId: _meta?.traceId ?? newTraceId(),
      deadline: Date.now() + (_meta?.timeoutMs ?? Defaults.callTotalTimeoutMs),
      signal: context.signal,
      progress: (chunk) => context.progress(chunk),
    });
  }

  #onNotification(method: string, params: unknown): void {
    if (method === Method.Log) {
      this.logs.push(params as LogParams);
    } else if (method === Method.Publish) {
      const { topic, data } = params as PublishParams;
      this.events.push({ topic, data });
      // The kernel delivers to every subscriber, the publisher included.
      if (this.#subscribedTo(topic)) {
        this.#connection.notify(Method.Event, { topic, data, source: this.#definition.name } satisfies EventParams);
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Serves `definition` in-process and connects it to a stand-in kernel over a memory transport,
 * with the real handshake (`initialize`, result, `initialized`). Resolves once the plugin's
 * `setup` hook settled; rejects with the plugin's BusError when it refuses `initialize`.
 */
export async function connectPlugin(definition: PluginDefinition, options: ConnectPluginOptions = {}): Promise<TestPlugin> {
  checkSchemas(definition);
  return new InProcessKernel(definition, options).open();
}

/**
 * Compiles every schema the plugin declares, at once: a running plugin compiles each on first
 * use (to start fast), so a plugin's tests are where a schema mistake should show.
 */
function checkSchemas(definition: PluginDefinition): void {
  const validator = new SchemaValidator();
  if (definition.configSchema !== undefined) validator.compileNow(definition.configSchema, `the configSchema of plugin '${definition.name}'`);
  for (const [name, spec] of Object.entries(definition.capabilities)) {
    validator.compileNow(spec.params, `the params schema of ${name}`);
    validator.compileNow(spec.result, `the result schema of ${name}`);
  }
}
