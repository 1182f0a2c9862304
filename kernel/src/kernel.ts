import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  BusError, DATA_DIR_ENV, Defaults, ErrorCode, PLUGIN_COOKIE_ENV, PLUGIN_COOKIE_VALUE, PLUGIN_NAME_ENV, PROTOCOL_VERSIONS_ENV,
  SUPPORTED_PROTOCOL_VERSIONS, LocalError, LocalErrorCode, formatIssues,
} from '@cyberstudio/sdk';
import { CapabilityBus, type BusCallOptions } from './bus/capability-bus.ts';
import { PluginMessages, diagnosticRecord } from './bus/plugin-messages.ts';
import { TopicHub } from './bus/topic-hub.ts';
import { KERNEL_NAME, KERNEL_VERSION } from './kernel-info.ts';
import { kernelValidator } from './kernel-validator.ts';
import type { PluginProcessOptions } from './lifecycle/plugin-process.ts';
import { PluginState, type StateChange } from './lifecycle/plugin-state.ts';
import { PluginSupervisor } from './lifecycle/plugin-supervisor.ts';
import { inDependencyOrder } from './lifecycle/in-dependency-order.ts';
import { callKernelCapability, type KernelCapabilityHost } from './management/kernel-capabilities.ts';
import { ConfigOverrides } from './management/config-overrides.ts';
import { OpenConnections } from './management/open-connections.ts';
import { launchCommand, launchEnvironment, loadRegistry, startOrder, type PluginManifest, type Registry } from './registry/index.ts';
import { CallMetrics } from './telemetry/call-metrics.ts';
import { KernelLogs } from './telemetry/kernel-logs.ts';
import { parseStderrLine } from './telemetry/log-line-parser.ts';
import { TelemetrySampler, type TelemetryHost } from './telemetry/telemetry-sampler.ts';

/** How to open a kernel. */
export interface KernelOptions {
  /** Path of plugins.json. */
  registryFile: string;
  /** Directory for logs, plugin data and config overrides; created if missing. */
  dataDir: string;
  /** The kernel's own logger; plugin log lines are re-levelled into it under the plugin's name. */
  logger: Logger;
  /** Sampling period of telemetry in ms (default KernelTimeouts.telemetryInterval, 1000). */
  telemetryIntervalMs?: number;
}

/** Topics the kernel itself publishes. */
export const KernelTopic = {
  PluginState: 'kernel.plugin.state',
  Telemetry: 'kernel.telemetry',
} as const;

/**
 * The plugin host: loads the registry, supervises plugin processes, routes capability calls
 * through the bus, relays topic events, and keeps logs and telemetry.
 */
export class Kernel {
  readonly options: KernelOptions;
  readonly logger: Logger;
  readonly bus: CapabilityBus;
  readonly topics = new TopicHub();
  readonly logs: KernelLogs;
  readonly metrics = new CallMetrics();
  /** The gateway's open WebSockets (the gateway adds and removes them), for kernel.status and kernel.connections. */
  readonly connections = new OpenConnections();
  readonly configOverrides: ConfigOverrides;
  readonly startedAt = Date.now();
  readonly #supervisors = new Map<string, PluginSupervisor>();
  readonly #plugins: PluginMessages;
  readonly #managementHost: KernelCapabilityHost;
  #registry: Registry;
  #sampler: TelemetrySampler;
  #closing: Promise<void> | undefined;
  #startFinished = false;

  private constructor(options: KernelOptions, registry: Registry, logs: KernelLogs, overrides: ConfigOverrides) {
    this.options = options;
    this.logger = options.logger;
    this.#registry = registry;
    this.logs = logs;
    this.configOverrides = overrides;
    this.bus = new CapabilityBus({
      manifest: (plugin) => this.#supervisors.get(plugin)?.manifest,
      runningProcess: (plugin) => this.#supervisors.get(plugin)?.process,
      startForCall: (plugin) => this.#supervisorOf(plugin).start({ reason: 'lazy activation by a call', explicit: false }),
      stateOf: (plugin) => this.#supervisors.get(plugin)?.state ?? 'unknown',
      shuttingDown: () => this.#closing !== undefined,
      callKernel: (capability, params, options) => callKernelCapability(this.#managementHost, capability, params, options),
      onCallSettled: (plugin, capability, ms, error) => this.metrics.record(plugin, capability, ms, error),
    });
    this.#managementHost = this.#openManagementHost();
    this.#plugins = new PluginMessages({ bus: this.bus, topics: this.topics, logs, supervisor: (plugin) => this.#supervisors.get(plugin) });
    for (const manifest of registry.plugins) this.#addPlugin(manifest);
    this.#sampler = new TelemetrySampler(this.#openTelemetryHost(), { interval: options.telemetryIntervalMs });
  }

  /** Loads the registry and opens the data directory; starts no plugin yet. */
  static async open(options: KernelOptions): Promise<Kernel> {
    const registry = await loadRegistry(resolve(options.registryFile));
    const dataDir = resolve(options.dataDir);
    try {
      await mkdir(join(dataDir, 'plugins'), { recursive: true });
    } catch (error) {
      throw new LocalError(LocalErrorCode.DataDirUnavailable, `Cannot create the data directory ${dataDir}: ${(error as Error).message}`, { path: dataDir }, { cause: error });
    }
    const logs = await KernelLogs.open({ file: join(dataDir, 'logs.sqlite'), logger: options.logger });
    const overrides = await ConfigOverrides.open(join(dataDir, 'config-overrides.json'));
    return new Kernel({ ...options, dataDir }, registry, logs, overrides);
  }

  /** Telemetry samples and history. */
  get telemetry(): TelemetrySampler {
    return this.#sampler;
  }

  /** The registry currently in force. */
  get registry(): Registry {
    return this.#registry;
  }

  /** Supervisors of every registered plugin, in registry order. */
  get supervisors(): PluginSupervisor[] {
    return [...this.#supervisors.values()];
  }

  /** The supervisor of `plugin`; throws CDS_ERR_PLUGIN_UNKNOWN when it is not registered. */
  supervisor(plugin: string): PluginSupervisor {
    return this.#supervisorOf(plugin);
  }

  /** Starts every enabled plugin with startup activation, dependencies first. Failures are logged, not thrown. */
  async start(): Promise<void> {
    this.#sampler.start();
    const startup = this.#registry.plugins.filter(isStartupPlugin);
    try {
      // Independent plugins start together: `kernel ready` waits for the slowest chain, not the sum.
      await inDependencyOrder(startup, 'dependencies-first', async (name) => {
        await this.#supervisorOf(name).start({ reason: 'kernel start' }).catch((error: Error) => {
          this.logger.error({ plugin: name, err: error }, `plugin '${name}' failed to start: ${error.message}`);
        });
      });
    } finally {
      this.#startFinished = true;
    }
  }

  /** True until start() has tried every startup plugin (also before start() is called). */
  get starting(): boolean {
    return !this.#startFinished;
  }

  /** True once start() has finished and every enabled startup plugin is running. */
  get ready(): boolean {
    return this.#startFinished && this.supervisors.every((supervisor) => !isStartupPlugin(supervisor.manifest) || supervisor.state === PluginState.Running);
  }

  /** Calls a capability as `caller` (default: the kernel). */
  call(capability: string, params: Record<string, unknown> = {}, options: Partial<BusCallOptions> = {}): Promise<unknown> {
    return this.bus.call(capability, params, { caller: { kind: 'kernel' }, ...options });
  }

  /** Publishes an event on a topic as `source`. */
  publish(topic: string, data: unknown, source = 'kernel'): void {
    this.topics.publish(topic, data, source);
  }

  /** Replaces the registry (watch mode): adds, removes and restarts changed plugins. */
  async reload(registry: Registry): Promise<void> {
    const next = new Map(registry.plugins.map((plugin) => [plugin.name, plugin]));
    for (const supervisor of this.supervisors) {
      if (next.has(supervisor.name)) continue;
      await supervisor.dispose();
      this.#supervisors.delete(supervisor.name);
      this.bus.unregisterPlugin(supervisor.name);
    }
    this.#registry = registry;
    for (const manifest of startOrder(registry.plugins)) {
      const existing = this.#supervisors.get(manifest.name);
      if (!existing) {
        this.#addPlugin(manifest);
        if (manifest.enabled && manifest.activation === 'startup') {
          await this.#supervisorOf(manifest.name).start({ reason: 'added to plugins.json' }).catch(() => {});
        }
        continue;
      }
      const changed = JSON.stringify(existing.manifest) !== JSON.stringify(manifest);
      if (!changed) continue;
      existing.manifest = manifest;
      this.bus.registerPlugin(manifest);
      if (!manifest.enabled) await existing.stop('disabled in plugins.json');
      else if (existing.process) await existing.restart('plugins.json changed').catch(() => {});
    }
  }

  /**
   * Stops every plugin, in parallel except that a plugin stops only after every plugin depending
   * on it has stopped, within the longest single plugin's budget (shutdownTimeoutSeconds plus the
   * kill escalation, see #close); then closes logs. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    this.#sampler.dispose();
    const plugins = this.#registry.plugins;
    // A dependency waits for its dependents, so a chain could add budgets up. The longest single
    // budget caps the whole stop instead, plus one more kill grace so that a dependency of a plugin
    // that had to be killed still gets a moment to stop cleanly; whatever runs after that is killed.
    const budget = Math.max(0, ...plugins.map((plugin) => plugin.shutdownTimeoutSeconds * 1000)) + 2 * Defaults.killGraceMs;
    const overdue = new AbortController();
    const timer = setTimeout(() => overdue.abort(), budget);
    try {
      await inDependencyOrder(plugins, 'dependents-first', async (name) => this.#supervisors.get(name)?.dispose({ signal: overdue.signal }));
    } finally {
      clearTimeout(timer);
    }
    await this.logs.close();
  }

  /** The view of this kernel that the telemetry sampler gets. */
  #openTelemetryHost(): TelemetryHost {
    const kernel = this;
    return {
      get supervisors() {
        return kernel.supervisors;
      },
      metrics: this.metrics,
      load: (plugin) => this.bus.load(plugin),
      publish: (samples) => this.topics.publish(KernelTopic.Telemetry, samples, 'kernel'),
    };
  }

  /** The view of this kernel that the `kernel.*` capabilities get. */
  #openManagementHost(): KernelCapabilityHost {
    const kernel = this;
    return {
      startedAt: this.startedAt,
      get registryFile() {
        return kernel.#registry.file;
      },
      dataDir: this.options.dataDir,
      get supervisors() {
        return kernel.supervisors;
      },
      bus: this.bus,
      logs: this.logs,
      connections: this.connections,
      configOverrides: this.configOverrides,
      telemetryHistory: (plugin, limit) => this.#sampler.history(plugin, limit),
    };
  }

  #supervisorOf(plugin: string): PluginSupervisor {
    const supervisor = this.#supervisors.get(plugin);
    if (!supervisor) throw new LocalError(LocalErrorCode.PluginUnknown, `No plugin named '${plugin}' in ${this.#registry.file}`, { plugin });
    return supervisor;
  }

  #addPlugin(manifest: PluginManifest): void {
    this.bus.registerPlugin(manifest);
    const supervisor: PluginSupervisor = new PluginSupervisor(manifest, {
      launchOptions: () => this.#launchOptions(supervisor.manifest),
      beforeStart: () => this.#startDependencies(supervisor.manifest),
      onStateChange: (change) => this.#onStateChange(change),
      onProcessStarted: (process) => this.bus.setDescriptors(manifest.name, process.handshake.capabilities),
      onProcessExited: (_process, info) => {
        this.topics.removeSubscriber(`plugin:${manifest.name}`);
        this.bus.rejectQueued(manifest.name, new BusError(ErrorCode.PluginExited, `Plugin '${manifest.name}' exited before the queued call ran`, { plugin: manifest.name, exitCode: info.exitCode, signal: info.signal }));
      },
    });
    this.#supervisors.set(manifest.name, supervisor);
  }

  async #startDependencies(manifest: PluginManifest): Promise<void> {
    if (!manifest.enabled) throw new LocalError(LocalErrorCode.PluginUnknown, `Plugin '${manifest.name}' is disabled in plugins.json`, { plugin: manifest.name });
    for (const dependency of manifest.dependencies) {
      try {
        await this.#supervisorOf(dependency).start({ reason: `dependency of '${manifest.name}'`, explicit: false });
      } catch (error) {
        throw new LocalError(LocalErrorCode.DependencyMissing, `Plugin '${manifest.name}' needs '${dependency}', which is not running: ${(error as Error).message}`, { plugin: manifest.name, dependency }, { cause: error });
      }
    }
  }

  #launchOptions(manifest: PluginManifest): PluginProcessOptions {
    const name = manifest.name;
    const config = this.configOverrides.get(name) ?? manifest.config;
    if (manifest.configSchema) {
      const issues = kernelValidator.compile(manifest.configSchema)(config);
      if (issues.length > 0) {
        throw new LocalError(LocalErrorCode.ConfigInvalid, `Invalid config for plugin '${name}': ${formatIssues(issues)}`, { plugin: name, errors: issues });
      }
    }
    const dataDir = join(this.options.dataDir, 'plugins', name);
    const launch = launchCommand(manifest, this.#registry.baseDir);
    checkLaunchable(name, manifest.entrypoint === undefined ? undefined : resolve(this.#registry.baseDir, manifest.entrypoint), launch.cwd);
    return {
      name,
      ...launch,
      env: {
        ...launchEnvironment(manifest),
        [PLUGIN_COOKIE_ENV]: PLUGIN_COOKIE_VALUE,
        [PROTOCOL_VERSIONS_ENV]: supportedVersionList(),
        [PLUGIN_NAME_ENV]: name,
        [DATA_DIR_ENV]: dataDir,
      },
      initialize: {
        protocolVersions: { ...SUPPORTED_PROTOCOL_VERSIONS },
        kernel: { name: KERNEL_NAME, version: KERNEL_VERSION },
        plugin: { name },
        config,
        dataDir,
        shutdownTimeoutMs: Math.round(manifest.shutdownTimeoutSeconds * 1000),
      },
      declaredCapabilities: manifest.capabilities,
      startTimeout: manifest.healthcheck.startTimeoutSeconds * 1000,
      maxUnreadInputBytes: manifest.limits.inputBufferMb * 2 ** 20,
      onRequest: (method, params, context) => this.#plugins.request(manifest.name, method, params, context),
      onNotification: (method, params) => this.#plugins.notification(manifest.name, method, params),
      onStderrLine: (line) => this.logs.append(parseStderrLine(line, name, Date.now())),
      onDiagnostic: (diagnostic) => this.logs.append(diagnosticRecord(name, diagnostic)),
    };
  }

  #onStateChange(change: StateChange): void {
    const level = change.to === PluginState.Crashed || change.to === PluginState.Quarantined ? 'error' : change.to === PluginState.Unhealthy ? 'warn' : 'info';
    this.logs.append({ time: change.time, plugin: change.plugin, level, msg: `${change.from} -> ${change.to}: ${change.reason}`, source: 'kernel', fields: { from: change.from, to: change.to } });
    this.topics.publish(KernelTopic.PluginState, change, 'kernel');
  }
}

/** An enabled plugin the kernel starts with itself. */
function isStartupPlugin(manifest: PluginManifest): boolean {
  return manifest.enabled && manifest.activation === 'startup';
}

/** The versions the kernel speaks, comma-separated, as CYBERSTUDIO_PROTOCOL_VERSIONS carries them. */
function supportedVersionList(): string {
  const { min, max } = SUPPORTED_PROTOCOL_VERSIONS;
  return Array.from({ length: max - min + 1 }, (_, index) => min + index).join(',');
}

/** Fails before spawning when the entrypoint or working directory is missing, naming the path. */
function checkLaunchable(plugin: string, entrypoint: string | undefined, cwd: string): void {
  const missing = (what: string) => new LocalError(LocalErrorCode.SpawnFailed, `Plugin '${plugin}' cannot start: ${what} does not exist`, { plugin, path: what });
  if (entrypoint !== undefined && !existsSync(entrypoint)) throw missing(`entrypoint ${entrypoint}`);
  if (!existsSync(cwd)) throw missing(`working directory ${cwd}`);
}
