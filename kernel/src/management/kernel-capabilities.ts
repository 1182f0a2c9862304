import { BusError, ErrorCode, Method, formatIssues, type CapabilityDescriptor, type SchemaCheck } from '@cyberstudio/sdk';
import type { BusCallOptions, CapabilityBus } from '../bus/capability-bus.ts';
import { KERNEL_NAME, KERNEL_VERSION } from '../kernel-info.ts';
import { KernelTimeouts } from '../kernel-timeouts.ts';
import { kernelValidator as validator } from '../kernel-validator.ts';
import type { PluginSupervisor } from '../lifecycle/plugin-supervisor.ts';
import { CpuMeter } from '../telemetry/cpu-meter.ts';
import type { KernelLogs } from '../telemetry/kernel-logs.ts';
import { LOG_LEVELS, type LogLevel } from '../telemetry/log-record.ts';
import type { PluginTelemetrySample } from '../telemetry/telemetry-sample.ts';
import type { ConfigOverrides } from './config-overrides.ts';
import type { OpenConnections } from './open-connections.ts';

/** What the `kernel.*` capabilities read and act on; the kernel implements it. */
export interface KernelCapabilityHost {
  /** Epoch ms when the kernel was opened. */
  readonly startedAt: number;
  /** Path of the plugins.json in force. */
  readonly registryFile: string;
  readonly dataDir: string;
  /** Supervisors of every registered plugin, in registry order. */
  readonly supervisors: readonly PluginSupervisor[];
  readonly bus: Pick<CapabilityBus, 'capabilities' | 'load'>;
  readonly logs: Pick<KernelLogs, 'droppedCount' | 'query' | 'recent'>;
  readonly connections: Pick<OpenConnections, 'counts' | 'list'>;
  readonly configOverrides: Pick<ConfigOverrides, 'get' | 'set'>;
  /** The newest `limit` telemetry samples of `plugin`, oldest first. */
  telemetryHistory(plugin: string, limit?: number): PluginTelemetrySample[];
}

const pluginParam = { type: 'object', properties: { plugin: { type: 'string', minLength: 1 } }, required: ['plugin'], additionalProperties: false };
const noParams = { type: 'object', additionalProperties: false };

// CPU is the process's, whichever kernel in it asks; each kernel.status reading covers the time since the previous one.
const kernelCpu = new CpuMeter();

/** How one `kernel.*` capability is written: its descriptor and a handler typed by what its schema admits. */
interface KernelCapabilitySpec<Params> {
  description: string;
  params: Record<string, unknown>;
  handler(host: KernelCapabilityHost, params: Params, options: BusCallOptions, capability: string): unknown;
}

/** One `kernel.*` capability as the kernel serves it: `answer` checks the params, then runs the handler. */
interface KernelCapability {
  description: string;
  params: Record<string, unknown>;
  answer(host: KernelCapabilityHost, params: Record<string, unknown>, options: BusCallOptions, capability: string): unknown;
}

/** Compiles the params schema once; invalid params answer -32007 CapabilityInvalidParams with the ajv errors. */
function capability<Params = Record<string, never>>(spec: KernelCapabilitySpec<Params>): KernelCapability {
  const check: SchemaCheck = validator.compile(spec.params);
  return {
    description: spec.description,
    params: spec.params,
    answer: (host, params, options, name) => {
      const issues = check(params);
      if (issues.length > 0) {
        throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${name}: ${formatIssues(issues)}`, { capability: name, errors: issues });
      }
      // The schema admitted these params, and `Params` is what that schema describes.
      return spec.handler(host, params as Params, options, name);
    },
  };
}

interface PluginParams {
  plugin: string;
}

const capabilities: Record<string, KernelCapability> = {
  'kernel.status': capability({
    description: 'The kernel: version, pid, uptime, CPU (percent of one core since the previous kernel.status), memory, plugins per state, dropped log records and open WebSockets.',
    params: noParams,
    handler: (kernel) => {
      const states: Record<string, number> = {};
      for (const supervisor of kernel.supervisors) states[supervisor.state] = (states[supervisor.state] ?? 0) + 1;
      return {
        name: KERNEL_NAME,
        version: KERNEL_VERSION,
        pid: process.pid,
        uptimeMs: Date.now() - kernel.startedAt,
        cpuPercent: kernelCpu.read(),
        rssBytes: process.memoryUsage().rss,
        registry: kernel.registryFile,
        dataDir: kernel.dataDir,
        plugins: states,
        logsDropped: kernel.logs.droppedCount,
        webSockets: kernel.connections.counts(),
      };
    },
  }),
  'kernel.connections': capability({
    description: "The gateway's open WebSockets, oldest first: endpoint, the user each signed in as (id, name, roles, sessionId or keyId) and when it opened. No credentials.",
    params: noParams,
    handler: (kernel) => kernel.connections.list(),
  }),
  'kernel.plugins.list': capability({
    description: 'Every registered plugin with its state.',
    params: noParams,
    handler: (kernel) => kernel.supervisors.map((supervisor) => summary(kernel, supervisor)),
  }),
  'kernel.plugins.get': capability<PluginParams>({
    description: 'One plugin: state, manifest, handshake, last error and its last log lines.',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, name) => {
      const supervisor = find(kernel, plugin, name);
      return {
        ...summary(kernel, supervisor),
        manifest: supervisor.manifest,
        handshake: supervisor.process?.handshake ?? null,
        // The config in force: a setConfig override wins over plugins.json, as at launch.
        config: kernel.configOverrides.get(supervisor.name) ?? supervisor.manifest.config,
        lastExit: supervisor.lastExit ?? null,
        recentLogs: kernel.logs.recent(supervisor.name, 20),
      };
    },
  }),
  'kernel.plugins.start': capability<PluginParams>({
    description: 'Starts a plugin (also releases a quarantined one).',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, name) => lifecycle(kernel, plugin, name, (supervisor) => supervisor.start({ reason: 'started through kernel.plugins.start' })),
  }),
  'kernel.plugins.stop': capability<PluginParams>({
    description: 'Stops a plugin gracefully.',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, name) => lifecycle(kernel, plugin, name, (supervisor) => supervisor.stop('stopped through kernel.plugins.stop')),
  }),
  'kernel.plugins.restart': capability<PluginParams>({
    description: 'Stops and starts a plugin.',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, name) => lifecycle(kernel, plugin, name, (supervisor) => supervisor.restart('restarted through kernel.plugins.restart')),
  }),
  'kernel.plugins.logs': capability<{ plugin?: string; level?: LogLevel; since?: number; until?: number; q?: string; limit?: number }>({
    description: 'Log records, newest last, filtered by plugin, minimum level, time range (epoch ms) and text.',
    params: {
      type: 'object',
      properties: {
        plugin: { type: 'string' },
        level: { enum: [...LOG_LEVELS] },
        since: { type: 'number' },
        until: { type: 'number' },
        q: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 10000 },
      },
      additionalProperties: false,
    },
    handler: (kernel, params, _options, name) => {
      if (params.plugin !== undefined) find(kernel, params.plugin, name);
      return kernel.logs.query(params);
    },
  }),
  'kernel.plugins.telemetry': capability<PluginParams & { limit?: number }>({
    description: 'Recent telemetry samples of a plugin, oldest first (one per second).',
    params: { ...pluginParam, properties: { ...pluginParam.properties, limit: { type: 'integer', minimum: 1, maximum: 300 } } },
    handler: (kernel, { plugin, limit }, _options, name) => kernel.telemetryHistory(find(kernel, plugin, name).name, limit),
  }),
  'kernel.plugins.capabilities': capability<{ plugin?: string }>({
    description: 'Every capability with its provider and, once the provider has run, its description and schemas.',
    params: { type: 'object', properties: { plugin: { type: 'string' } }, additionalProperties: false },
    handler: (kernel, { plugin }) => listCapabilities(kernel).filter((entry) => plugin === undefined || entry.plugin === plugin),
  }),
  'kernel.plugins.setConfig': capability<PluginParams & { config: Record<string, unknown> }>({
    description: "Validates a plugin's new config against its configSchema and persists it. A running plugin that applies config live (liveConfig in its handshake) gets it through `configure`; any other running plugin is restarted with it.",
    params: { type: 'object', properties: { plugin: { type: 'string' }, config: { type: 'object' } }, required: ['plugin', 'config'], additionalProperties: false },
    handler: async (kernel, { plugin, config }, _options, name) => {
      const supervisor = find(kernel, plugin, name);
      const schema = supervisor.process?.handshake.configSchema ?? supervisor.manifest.configSchema;
      const issues = schema === undefined ? [] : validator.compile(schema)(config);
      if (issues.length > 0) {
        throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid config for plugin '${supervisor.name}': ${formatIssues(issues)}`, { capability: 'kernel.plugins.setConfig', errors: issues });
      }
      const running = supervisor.process;
      if (running?.handshake.liveConfig === true) {
        // The plugin checks and applies it first: a config it refuses is neither applied nor kept.
        await running.request(Method.Configure, { config }, { totalTimeout: KernelTimeouts.configure });
        await kernel.configOverrides.set(supervisor.name, config);
        return { plugin: supervisor.name, applied: 'live', restarted: false, state: supervisor.state };
      }
      await kernel.configOverrides.set(supervisor.name, config);
      if (running === undefined) return { plugin: supervisor.name, applied: 'next-start', restarted: false, state: supervisor.state };
      await lifecycle(kernel, supervisor.name, name, (s) => s.restart('config changed'));
      return { plugin: supervisor.name, applied: 'restart', restarted: true, state: supervisor.state };
    },
  }),
};

/** Descriptors of the kernel's own capabilities, in the handshake's shape. */
export function kernelCapabilityDescriptors(): CapabilityDescriptor[] {
  return Object.entries(capabilities).map(([name, capability]) => ({
    name,
    description: capability.description,
    params: capability.params,
    result: {},
    stream: false,
  }));
}

/** Answers one `kernel.*` call: params checked against the capability's schema (-32007 with the ajv errors), then its handler. */
export async function callKernelCapability(kernel: KernelCapabilityHost, capability: string, params: Record<string, unknown>, options: BusCallOptions): Promise<unknown> {
  const entry = capabilities[capability];
  if (!entry) throw new BusError(ErrorCode.CapabilityNotFound, `The kernel does not provide ${capability}`, { capability });
  return entry.answer(kernel, params, options, capability);
}

function listCapabilities(kernel: KernelCapabilityHost) {
  const plugins = kernel.bus.capabilities().map(({ name, plugin, descriptor }) => ({ name, plugin, description: descriptor?.description ?? null, params: descriptor?.params ?? null, result: descriptor?.result ?? null, stream: descriptor?.stream ?? null }));
  const own = kernelCapabilityDescriptors().map((descriptor) => ({ ...descriptor, plugin: 'kernel' }));
  return [...own, ...plugins];
}

function summary(kernel: KernelCapabilityHost, supervisor: PluginSupervisor) {
  const manifest = supervisor.manifest;
  return {
    name: supervisor.name,
    description: manifest.description,
    state: supervisor.state,
    enabled: manifest.enabled,
    activation: manifest.activation,
    required: manifest.required,
    pid: supervisor.process?.pid ?? null,
    startedAt: supervisor.startedAt ?? null,
    restarts: supervisor.restarts,
    lastError: supervisor.lastError ?? null,
    capabilities: manifest.capabilities.length > 0 ? manifest.capabilities : (supervisor.process?.handshake.capabilities.map((c) => c.name) ?? []),
    load: kernel.bus.load(supervisor.name),
  };
}

function find(kernel: KernelCapabilityHost, plugin: string, capability: string): PluginSupervisor {
  const supervisor = kernel.supervisors.find((candidate) => candidate.name === plugin);
  if (!supervisor) {
    throw new BusError(ErrorCode.PluginNotFound, `${capability}: no plugin named '${plugin}' is registered`, { plugin, capability });
  }
  return supervisor;
}

async function lifecycle(kernel: KernelCapabilityHost, plugin: string, capability: string, action: (supervisor: PluginSupervisor) => Promise<unknown>) {
  const supervisor = find(kernel, plugin, capability);
  try {
    await action(supervisor);
  } catch (error) {
    throw new BusError(ErrorCode.PluginNotRunning, `Plugin '${supervisor.name}': ${(error as Error).message}`, { plugin: supervisor.name, state: supervisor.state, reason: (error as Error).message });
  }
  return summary(kernel, supervisor);
}
