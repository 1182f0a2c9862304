import { BusError } from '../protocol/bus-error.ts';
import { matchesPattern } from '../protocol/capability-name.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { CallMeta, ConfigureParams, EventParams, InitializeParams, InitializeResult, LogParams } from '../protocol/messages.ts';
import { Defaults, Method, PROTOCOL_VERSION } from '../protocol/protocol-constants.ts';
import { RpcConnection, type IncomingRequestContext } from '../rpc/rpc-connection.ts';
import type { Transport } from '../rpc/transport.ts';
import type { CapabilitySpec, PluginDefinition } from './define-plugin.ts';
import { HandlerContext, newTraceId, type HandlerHost, type OutgoingCallOptions } from './handler-context.ts';
import type { PluginCallOptions, PluginServices, TopicListener } from './plugin-context.ts';
import { createPluginLogger, type PluginLogger } from './plugin-logger.ts';
import { SchemaValidator, formatIssues, type SchemaCheck } from './schema-validator.ts';

/** Share of the stop budget running handlers get to finish on `shutdown`. */
const DRAIN_SHARE = 0.5;
/** Share of the stop budget aborted handlers get to settle before `dispose` runs. */
const ABORT_SHARE = 0.2;

interface CompiledCapability {
  spec: CapabilitySpec;
  check: SchemaCheck;
}

interface TopicSubscription {
  listeners: Set<TopicListener>;
  /** The kernel's answer to `$/subscribe`; every subscriber to the topic waits for it, and fails with it. */
  acknowledged: Promise<unknown>;
}

/** Lifecycle of a served plugin, as the plugin sees it. */
export type PluginServerState = 'awaiting-initialize' | 'initializing' | 'ready' | 'shutting-down' | 'closed';

/**
 * Serves one plugin definition on a transport: answers the handshake, validates params and runs
 * handlers, relays bus calls and topic events, and drains on `shutdown`.
 */
export class PluginServer implements PluginServices, HandlerHost {
  readonly #definition: PluginDefinition;
  readonly #connection: RpcConnection;
  readonly #capabilities = new Map<string, CompiledCapability>();
  readonly #configCheck: SchemaCheck | undefined;
  readonly #topics = new Map<string, TopicSubscription>();
  readonly #active = new Set<Promise<unknown>>();
  readonly #closed: Promise<BusError>;
  #state: PluginServerState = 'awaiting-initialize';
  #config: Record<string, unknown> = {};
  #dataDir = '';
  #shutdownTimeout: number = Defaults.shutdownTimeoutMs;
  #disposed = false;
  readonly log: PluginLogger;

  constructor(definition: PluginDefinition, transport: Transport) {
    this.#definition = definition;
    const validator = new SchemaValidator();
    for (const [name, spec] of Object.entries(definition.capabilities)) {
      this.#capabilities.set(name, { spec, check: validator.compile(spec.params, `the params schema of ${name}`) });
    }
    this.#configCheck = definition.configSchema === undefined ? undefined : validator.compile(definition.configSchema, `the configSchema of plugin '${definition.name}'`);
    let closed!: (error: BusError) => void;
    this.#closed = new Promise((resolve) => (closed = resolve));
    this.#connection = new RpcConnection(transport, {
      onRequest: (method, params, context) => this.#onRequest(method, params, context),
      onNotification: (method, params) => this.#onNotification(method, params),
      // A late answer to a request we cancelled or timed out is normal, not worth a warning.
      onDiagnostic: (diagnostic) => {
        if (diagnostic.kind !== 'unknown-response') this.log.warn({ diagnostic }, `ignored input: ${diagnostic.kind}`);
      },
      onClose: (error) => {
        this.#state = 'closed';
        void this.#runDispose().finally(() => closed(error));
      },
    });
    this.log = createPluginLogger((record) => this.#connection.notify(Method.Log, record satisfies LogParams), {
      level: definition.logLevel,
    });
  }

  /** Starts reading; the kernel's `initialize` request comes next. */
  start(): void {
    this.#connection.start();
  }

  /** Where the plugin is in its lifecycle. */
  get state(): PluginServerState {
    return this.#state;
  }

  /**
   * Resolves when the connection closed, after `dispose` hooks ran: with ConnectionClosed on stdin EOF
   * or dispose, with the error `initialize` was answered with when the plugin refused to start.
   */
  get closed(): Promise<BusError> {
    return this.#closed;
  }

  get config(): Record<string, unknown> {
    return this.#config;
  }

  get dataDir(): string {
    return this.#dataDir;
  }

  /** Calls a capability through the kernel with a fresh trace id. */
  call<Result = unknown>(capability: string, params: Record<string, unknown> = {}, options: PluginCallOptions = {}): Promise<Result> {
    return this.callTraced(newTraceId(), capability, params, options);
  }

  /** Calls a capability through the kernel as part of trace `traceId`. */
  callTraced<Result>(traceId: string, capability: string, params: Record<string, unknown>, options: OutgoingCallOptions): Promise<Result> {
    const _meta = options.timeout === undefined ? { traceId } : { traceId, timeoutMs: options.timeout };
    return this.#connection.request(capability, { ...params, _meta }, options) as Promise<Result>;
  }

  emit(topic: string, data: unknown): void {
    this.#connection.notify(Method.Publish, { topic, data });
  }

  async subscribe(topic: string, listener: TopicListener): Promise<() => Promise<void>> {
    let subscription = this.#topics.get(topic);
    if (!subscription) {
      const created: TopicSubscription = { listeners: new Set(), acknowledged: this.#connection.request(Method.Subscribe, { topic }) };
      this.#topics.set(topic, created);
      created.acknowledged.catch(() => {
        if (this.#topics.get(topic) === created) this.#topics.delete(topic);
      });
      subscription = created;
    }
    await subscription.acknowledged;
    const { listeners } = subscription;
    listeners.add(listener);
    return async () => {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      if (this.#topics.get(topic) === subscription) this.#topics.delete(topic);
      await this.#connection.request(Method.Unsubscribe, { topic });
    };
  }

  /** Closes the connection at once, aborting running handlers. Idempotent. */
  dispose(): void {
    this.#connection.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
    await this.#closed;
  }

  #onRequest(method: string, params: unknown, context: IncomingRequestContext): unknown {
    const capability = this.#capabilities.get(method);
    if (capability) return this.#runCapability(method, capability, params, context);
    switch (method) {
      case Method.Initialize:
        return this.#initialize(params as InitializeParams).catch((error: unknown) => {
          this.#refuse(BusError.from(error));
          throw error;
        });
      case Method.Shutdown:
        return this.#shutdown(context);
      case Method.Configure:
        return this.#configure(params as ConfigureParams);
      default:
        throw method.startsWith('$/') || method === Method.Initialized
          ? new BusError(ErrorCode.MethodNotFound, `Unknown protocol method ${method}`, { method })
          : new BusError(ErrorCode.CapabilityNotFound, `Plugin '${this.#definition.name}' does not provide ${method}`, { capability: method });
    }
  }

  #onNotification(method: string, params: unknown): void {
    if (method === Method.Initialized) void this.#setup();
    else if (method === Method.Event) this.#dispatchEvent(params as EventParams);
  }

  async #initialize(params: InitializeParams): Promise<InitializeResult> {
    const range = params?.protocolVersions;
    if (!range || range.min > PROTOCOL_VERSION || range.max < PROTOCOL_VERSION) {
      throw new BusError(ErrorCode.ProtocolVersionUnsupported, `Plugin speaks protocol ${PROTOCOL_VERSION}, kernel offered ${JSON.stringify(range)}`, {
        supported: { min: PROTOCOL_VERSION, max: PROTOCOL_VERSION },
        requested: range,
      });
    }
    const config = params.config ?? {};
    const issues = this.#configCheck?.(config) ?? [];
    if (issues.length > 0) {
      throw new BusError(ErrorCode.InvalidParams, `Invalid config for plugin '${this.#definition.name}': ${formatIssues(issues)}`, {
        method: Method.Initialize,
        errors: issues,
      });
    }
    this.#config = config;
    this.#dataDir = params.dataDir ?? '';
    // A kernel older than the field sends none: assume the default budget.
    const budget = params.shutdownTimeoutMs;
    this.#shutdownTimeout = typeof budget === 'number' && budget >= 0 ? budget : Defaults.shutdownTimeoutMs;
    this.#state = 'initializing';
    await this.#definition.init?.(this);
    const http = await this.#startHttp();
    return {
      name: this.#definition.name,
      version: this.#definition.version,
      protocolVersion: PROTOCOL_VERSION,
      capabilities: [...this.#capabilities].map(([name, { spec }]) => ({
        name,
        description: spec.description,
        params: spec.params as Record<string, unknown>,
        result: spec.result as Record<string, unknown>,
        stream: spec.stream === true,
      })),
      ...(this.#definition.configSchema === undefined ? {} : { configSchema: this.#definition.configSchema as Record<string, unknown> }),
      ...(http === undefined ? {} : { http }),
      ...(this.#definition.configure === undefined ? {} : { liveConfig: true }),
    };
  }

  /** Validates and applies a new config through the definition's `configure` hook; the old one stays if either fails. */
  async #configure(params: ConfigureParams): Promise<Record<string, never>> {
    if (this.#definition.configure === undefined) {
      throw new BusError(ErrorCode.MethodNotFound, `Plugin '${this.#definition.name}' applies config changes by restart only`, { method: Method.Configure });
    }
    const config = params?.config;
    const issues = typeof config === 'object' && config !== null && !Array.isArray(config)
      ? (this.#configCheck?.(config) ?? [])
      : [{ instancePath: '/config', message: 'must be object', keyword: 'type', params: { type: 'object' } }];
    if (issues.length > 0) {
      throw new BusError(ErrorCode.InvalidParams, `Invalid config for plugin '${this.#definition.name}': ${formatIssues(issues)}`, { method: Method.Configure, errors: issues });
    }
    await this.#definition.configure(config as never, this);
    this.#config = config;
    return {};
  }

  /** Runs the definition's `http` hook, if any, and checks the port it reports. */
  async #startHttp(): Promise<{ port: number } | undefined> {
    if (this.#definition.http === undefined) return undefined;
    const server = await this.#definition.http(this);
    const port = (server as { port?: unknown } | undefined)?.port;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw new BusError(ErrorCode.InternalError, `Plugin '${this.#definition.name}': the http hook must resolve with { port } (an integer 1..65535, the port it listens on), not ${JSON.stringify(server)}`, { name: 'HttpHookError' });
    }
    return { port: port as number };
  }

  /**
   * A plugin that cannot start answers `initialize` with the error and then exits: close once the
   * answer is out, so `closed` resolves with the refusal instead of ConnectionClosed.
   */
  #refuse(error: BusError): void {
    // A macrotask: the answer to an async `initialize` goes out in a later microtask than this one.
    setTimeout(() => this.#connection.dispose(error), 0);
  }

  async #setup(): Promise<void> {
    this.#state = 'ready';
    try {
      await this.#definition.setup?.(this);
    } catch (error) {
      this.log.error({ err: error }, 'setup failed');
    }
  }

  #runCapability(method: string, capability: CompiledCapability, received: unknown, context: IncomingRequestContext): unknown {
    const receivedAt = Date.now();
    // The protocol asks receivers to read a request without params as `{}`.
    const params = received === undefined ? {} : received;
    if (this.#state === 'shutting-down' || this.#state === 'closed') {
      throw new BusError(ErrorCode.ShuttingDown, `Plugin '${this.#definition.name}' is shutting down`, { plugin: this.#definition.name });
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw invalidParams(method, [{ instancePath: '', message: 'must be object', keyword: 'type', params: { type: 'object' } }]);
    }
    const { _meta, ...rest } = params as { _meta?: CallMeta };
    const issues = capability.check(rest);
    if (issues.length > 0) throw invalidParams(method, issues);
    const handlerContext = new HandlerContext(this, method, context, _meta, receivedAt);
    const run = Promise.resolve().then(() => capability.spec.handler(rest, handlerContext));
    this.#active.add(run);
    // Inline arrows rather than one named closure: tsx wraps every named closure (`__name`) as it is made, on every call.
    run.then(
      () => this.#forget(run, handlerContext),
      () => this.#forget(run, handlerContext),
    );
    return run;
  }

  /** A handler's call settled: it no longer holds up shutdown, and its context lets go. */
  #forget(run: Promise<unknown>, handlerContext: HandlerContext): void {
    this.#active.delete(run);
    handlerContext.dispose();
  }

  /**
   * Drains: running handlers get DRAIN_SHARE of the stop budget to finish; those still running
   * are then answered ShuttingDown and aborted, and get ABORT_SHARE more to settle before
   * `dispose` runs. The rest of the budget is for `dispose` and the exit.
   */
  async #shutdown(context: IncomingRequestContext): Promise<Record<string, never>> {
    this.#state = 'shutting-down';
    if (!(await settledWithin([...this.#active], this.#shutdownTimeout * DRAIN_SHARE))) {
      const error = new BusError(ErrorCode.ShuttingDown, `Plugin '${this.#definition.name}' is shutting down`, { plugin: this.#definition.name });
      this.#connection.abortIncoming(error, { keep: context.id });
      await settledWithin([...this.#active], this.#shutdownTimeout * ABORT_SHARE);
    }
    await this.#runDispose();
    return {};
  }

  async #runDispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await this.#definition.dispose?.();
    } catch (error) {
      this.log.error({ err: error }, 'dispose failed');
    }
  }

  #dispatchEvent(event: EventParams): void {
    if (typeof event?.topic !== 'string') return;
    for (const [pattern, { listeners }] of this.#topics) {
      if (!matchesPattern(pattern, event.topic)) continue;
      for (const listener of listeners) {
        try {
          listener(event.data, event);
        } catch (error) {
          this.log.error({ err: error, topic: event.topic }, 'topic listener threw');
        }
      }
    }
  }
}

/** Resolves true once every promise settled, false when `ms` passed first. */
async function settledWithin(work: Promise<unknown>[], ms: number): Promise<boolean> {
  if (work.length === 0) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([Promise.allSettled(work).then(() => true as const), late]);
  clearTimeout(timer);
  return settled;
}

function invalidParams(capability: string, errors: ReturnType<SchemaCheck>): BusError {
  return new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: ${formatIssues(errors)}`, { capability, errors });
}
