import { BusError, ErrorCode, Method, formatIssues, type CapabilityDescriptor, type SchemaCheck } from '@cyberstudio/sdk';
import type { BusCallOptions } from '../bus/capability-bus.ts';
import type { Kernel } from '../kernel.ts';
import { KERNEL_NAME, KERNEL_VERSION } from '../kernel-info.ts';
import { kernelValidator as validator } from '../kernel-validator.ts';
import type { PluginSupervisor } from '../lifecycle/plugin-supervisor.ts';
import { CpuMeter } from '../telemetry/cpu-meter.ts';
import { LOG_LEVELS, type LogLevel } from '../telemetry/log-record.ts';

/** How long a plugin may take to apply a config in place. */
const CONFIGURE_TIMEOUT_MS = 10_000;

type Handler = (kernel: Kernel, params: Record<string, unknown>, options: BusCallOptions, capability: string) => unknown;

const pluginParam = { type: 'object', properties: { plugin: { type: 'string', minLength: 1 } }, required: ['plugin'], additionalProperties: false };
const anyObject = { type: 'object' };

// CPU is the process's, whichever kernel in it asks; each kernel.status reading covers the time since the previous one.
const kernelCpu = new CpuMeter();

/** One `kernel.*` capability: its descriptor and its handler. */
interface KernelCapability {
  description: string;
  params: Record<string, unknown>;
  handler: Handler;
}

const capabilities: Record<string, KernelCapability> = {
  'kernel.status': {
    description: 'The kernel: version, pid, uptime, CPU (percent of one core since the previous kernel.status), memory, plugins per state, dropped log records and open WebSockets.',
    params: { type: 'object', additionalProperties: false },
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
        registry: kernel.registry.file,
        dataDir: kernel.options.dataDir,
        plugins: states,
        logsDropped: kernel.logs.droppedCount,
        webSockets: kernel.connections.counts(),
      };
    },
  },
  'kernel.connections': {
    description: "The gateway's open WebSockets, oldest first: endpoint, the user each signed in as (id, name, roles, sessionId or keyId) and when it opened. No credentials.",
    params: { type: 'object', additionalProperties: false },
    handler: (kernel) => kernel.connections.list(),
  },
  'kernel.plugins.list': {
    description: 'Every registered plugin with its state.',
    params: { type: 'object', additionalProperties: false },
    handler: (kernel) => kernel.supervisors.map((supervisor) => summary(kernel, supervisor)),
  },
  'kernel.plugins.get': {
    description: 'One plugin: state, manifest, handshake, last error and its last log lines.',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, capability) => {
      const supervisor = find(kernel, plugin as string, capability);
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
  },
  'kernel.plugins.start': {
    description: 'Starts a plugin (also releases a quarantined one).',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, capability) => lifecycle(kernel, plugin as string, capability, (supervisor) => supervisor.start({ reason: 'started through kernel.plugins.start' })),
  },
  'kernel.plugins.stop': {
    description: 'Stops a plugin gracefully.',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, capability) => lifecycle(kernel, plugin as string, capability, (supervisor) => supervisor.stop('stopped through kernel.plugins.stop')),
  },
  'kernel.plugins.restart': {
    description: 'Stops and starts a plugin.',
    params: pluginParam,
    handler: (kernel, { plugin }, _options, capability) => lifecycle(kernel, plugin as string, capability, (supervisor) => supervisor.restart('restarted through kernel.plugins.restart')),
  },
  'kernel.plugins.logs': {
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
    handler: (kernel, params, _options, capability) => {
      if (typeof params.plugin === 'string') find(kernel, params.plugin, capability);
      return kernel.logs.query({ ...params, level: params.level as LogLevel | undefined });
    },
  },
  'kernel.plugins.telemetry': {
    description: 'Recent telemetry samples of a plugin, oldest first (one per second).',
    params: { ...pluginParam, properties: { ...pluginParam.properties, limit: { type: 'integer', minimum: 1, maximum: 300 } } },
    handler: (kernel, { plugin, limit }, _options, capability) => kernel.telemetry.history(find(kernel, plugin as string, capability).name, limit as number | undefined),
  },
  'kernel.plugins.capabilities': {
    description: 'Every capability with its provider and, once the provider has run, its description and schemas.',
    params: { type: 'object', properties: { plugin: { type: 'string' } }, additionalProperties: false },
    handler: (kernel, { plugin }) => listCapabilities(kernel).filter((entry) => plugin === undefined || entry.plugin === plugin),
  },
  'kernel.plugins.setConfig': {
    description: "Validates a plugin's new config against its configSchema and persists it. A running plugin that applies config live (liveConfig in its handshake) gets it through `configure`; any other running plugin is restarted with it.",
    params: { type: 'object', properties: { plugin: { type: 'string' }, config: anyObject }, required: ['plugin', 'config'], additionalProperties: false },
    handler: async (kernel, { plugin, config }, _options, capability) => {
      const supervisor = find(kernel, plugin as string, capability);
      const schema = supervisor.process?.handshake.configSchema ?? supervisor.manifest.configSchema;
      const issues = schema === undefined ? [] : validator.compile(schema)(config);
      if (issues.length > 0) {
        throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid config for plugin '${supervisor.name}': ${formatIssues(issues)}`, { capability: 'kernel.plugins.setConfig', errors: issues });
      }
      const running = supervisor.process;
      if (running?.handshake.liveConfig === true) {
        // The plugin checks and applies it first: a config it refuses is neither applied nor kept.
        await running.request(Method.Configure, { config }, { totalTimeout: CONFIGURE_TIMEOUT_MS });
        await kernel.configOverrides.set(supervisor.name, config as Record<string, unknown>);
        return { plugin: supervisor.name, applied: 'live', restarted: false, state: supervisor.state };
      }
      await kernel.configOverrides.set(supervisor.name, config as Record<string, unknown>);
      if (running === undefined) return { plugin: supervisor.name, applied: 'next-start', restarted: false, state: supervisor.state };
      await lifecycle(kernel, supervisor.name, capability, (s) => s.restart('config changed'));
      return { plugin: supervisor.name, applied: 'restart', restarted: true, state: supervisor.state };
    },
  },
};

const checks = new Map<string, SchemaCheck>(Object.entries(capabilities).map(([name, capability]) => [name, validator.compile(capability.params)]));

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

/** Answers one `kernel.*` call. */
export async function callKernelCapability(kernel: Kernel, capability: string, params: Record<string, unknown>, options: BusCallOptions): Promise<unknown> {
  const entry = capabilities[capability];
  if (!entry) throw new BusError(ErrorCode.CapabilityNotFound, `The kernel does not provide ${capability}`, { capability });
  const issues = checks.get(capability)!(params);
  if (issues.length > 0) {
    throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: ${formatIssues(issues)}`, { capability, errors: issues });
  }
  return entry.handler(kernel, params, options, capability);
}

function listCapabilities(kernel: Kernel) {
  const plugins = kernel.bus.capabilities().map(({ name, plugin, descriptor }) => ({ name, plugin, description: descriptor?.description ?? null, params: descriptor?.params ?? null, result: descriptor?.result ?? null, stream: descriptor?.stream ?? null }));
  const own = kernelCapabilityDescriptors().map((descriptor) => ({ ...descriptor, plugin: 'kernel' }));
  return [...own, ...plugins];
}

function summary(kernel: Kernel, supervisor: PluginSupervisor) {
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

function find(kernel: Kernel, plugin: string, capability: string): PluginSupervisor {
  const supervisor = kernel.supervisors.find((candidate) => candidate.name === plugin);
  if (!supervisor) {
    throw new BusError(ErrorCode.PluginNotFound, `${capability}: no plugin named '${plugin}' is registered`, { plugin, capability });
  }
  return supervisor;
}

async function lifecycle(kernel: Kernel, plugin: string, capability: string, action: (supervisor: PluginSupervisor) => Promise<unknown>) {
  const supervisor = find(kernel, plugin, capability);
  try {
    await action(supervisor);
  } catch (error) {
    throw new BusError(ErrorCode.PluginNotRunning, `Plugin '${supervisor.name}': ${(error as Error).message}`, { plugin: supervisor.name, state: supervisor.state, reason: (error as Error).message });
  }
  return summary(kernel, supervisor);
}
