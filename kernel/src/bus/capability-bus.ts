import {
  BusError, ErrorCode, cancelledError, formatIssues, matchesPattern, newTraceId, timeoutError,
  type CallMeta, type Caller, type CancellationSignal, type CapabilityDescriptor, type SchemaCheck,
} from '@cyberstudio/sdk';
import { kernelValidator } from '../kernel-validator.ts';
import type { PluginProcess } from '../lifecycle/plugin-process.ts';
import type { PluginManifest } from '../registry/index.ts';
import { ConcurrencyGate } from './concurrency-gate.ts';

/** Options of one call through the bus. */
export interface BusCallOptions {
  caller: Caller;
  traceId?: string;
  /** Cancels the call: an AbortSignal, or an incoming request's cancellation when the bus relays a plugin's call. */
  signal?: CancellationSignal;
  /** Idle timeout in ms (no result or progress for this long); defaults to the provider's per-capability or per-plugin setting. */
  timeout?: number;
  /** Total cap in ms, whatever the progress; never longer than the provider's `callTotalTimeoutSeconds`. */
  totalTimeout?: number;
  onProgress?(chunk: unknown): void;
}

/** What the bus needs from the kernel. */
export interface BusHost {
  manifest(plugin: string): PluginManifest | undefined;
  /** The serving process, or undefined. */
  runningProcess(plugin: string): PluginProcess | undefined;
  /** Starts the plugin (and its dependencies) for a call; rejects with the reason it cannot run. */
  startForCall(plugin: string): Promise<PluginProcess>;
  /** The state to report when a plugin cannot serve. */
  stateOf(plugin: string): string;
  /** True once the kernel is shutting down: a provider that is not running is not started any more. */
  shuttingDown(): boolean;
  /** Answers `kernel.*` capabilities. */
  callKernel(capability: string, params: Record<string, unknown>, options: BusCallOptions): Promise<unknown>;
  /** Every settled call, for telemetry. */
  onCallSettled(plugin: string, capability: string, durationMs: number, error: BusError | undefined): void;
}

/**
 * Routes capability calls to their providers: permission check, params validation against the
 * provider's published schema, lazy start, a per-plugin concurrency gate, timeouts, cancellation
 * and progress relay.
 */
export class CapabilityBus {
  readonly #host: BusHost;
  readonly #providers = new Map<string, string>();
  readonly #descriptors = new Map<string, CapabilityDescriptor>();
  readonly #checks = new Map<string, SchemaCheck>();
  readonly #gates = new Map<string, ConcurrencyGate>();

  constructor(host: BusHost) {
    this.#host = host;
  }

  /** Indexes the capabilities plugins.json declares, so lazy plugins can be found before they run. */
  registerPlugin(manifest: PluginManifest): void {
    for (const capability of manifest.capabilities) this.#providers.set(capability, manifest.name);
    const gate = this.#gates.get(manifest.name);
    if (gate) gate.resize(manifest.limits.maxConcurrentCalls, manifest.limits.queueLimit);
    else this.#gates.set(manifest.name, new ConcurrencyGate(manifest.name, manifest.limits.maxConcurrentCalls, manifest.limits.queueLimit));
  }

  /** Removes a plugin's capabilities (it left the registry). */
  unregisterPlugin(plugin: string): void {
    for (const [capability, provider] of this.#providers) {
      if (provider !== plugin) continue;
      this.#providers.delete(capability);
      this.#descriptors.delete(capability);
      this.#checks.delete(capability);
    }
    this.#gates.delete(plugin);
  }

  /** Records the capabilities a plugin published in its handshake, with their schemas. */
  setDescriptors(plugin: string, descriptors: readonly CapabilityDescriptor[]): void {
    for (const descriptor of descriptors) {
      this.#providers.set(descriptor.name, plugin);
      this.#descriptors.set(descriptor.name, descriptor);
      try {
        this.#checks.set(descriptor.name, kernelValidator.compile(descriptor.params));
      } catch {
        // An uncompilable schema is the provider's problem: the provider still validates its own params.
        this.#checks.delete(descriptor.name);
      }
    }
  }

  /** The provider of a capability, if any. */
  providerOf(capability: string): string | undefined {
    return this.#providers.get(capability);
  }

  /** Every known capability with its provider and, once the provider ran, its descriptor. */
  capabilities(): Array<{ name: string; plugin: string; descriptor: CapabilityDescriptor | undefined }> {
    return [...this.#providers].map(([name, plugin]) => ({ name, plugin, descriptor: this.#descriptors.get(name) }));
  }

  /** Calls in flight and queued for a plugin. */
  load(plugin: string): { active: number; queued: number } {
    const gate = this.#gates.get(plugin);
    return { active: gate?.active ?? 0, queued: gate?.queued ?? 0 };
  }

  /** Fails every call waiting in a plugin's queue (it stopped or crashed). */
  rejectQueued(plugin: string, error: BusError): void {
    this.#gates.get(plugin)?.rejectQueued(error);
  }

  /** Calls `capability` with `params` (a JSON object; any `_meta` in it is replaced by the kernel's). */
  async call(capability: string, params: Record<string, unknown>, options: BusCallOptions): Promise<unknown> {
    if (options.caller.kind === 'plugin') this.#authorize(options.caller.name, capability, options.caller);
    const clean = withoutMeta(params);
    if (capability.startsWith('kernel.')) return this.#host.callKernel(capability, clean, options);
    const plugin = this.#providers.get(capability);
    if (plugin === undefined) {
      throw new BusError(ErrorCode.CapabilityNotFound, `No plugin provides ${capability}`, { capability });
    }
    const issues = this.#checks.get(capability)?.(clean);
    if (issues && issues.length > 0) {
      throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: ${formatIssues(issues)}`, { capability, errors: issues });
    }
    let process = this.#host.runningProcess(plugin);
    if (!process && this.#host.shuttingDown()) {
      throw new BusError(ErrorCode.ShuttingDown, `The kernel is shutting down: ${plugin} (provider of ${capability}) is not started any more`, { plugin });
    }
    process ??= await abortable(this.#startForCall(plugin, capability), options.signal, capability);
    const gate = this.#gates.get(plugin)!;
    if (!gate.tryAcquire()) await this.#waitForSlot(gate, plugin, capability, options);
    const started = performance.now();
    let failure: BusError | undefined;
    try {
      return await this.#send(process, plugin, capability, clean, options);
    } catch (error) {
      failure = BusError.from(error);
      throw failure;
    } finally {
      gate.release();
      this.#host.onCallSettled(plugin, capability, performance.now() - started, failure);
    }
  }

  #send(process: PluginProcess, plugin: string, capability: string, params: Record<string, unknown>, options: BusCallOptions): Promise<unknown> {
    const limits = this.#host.manifest(plugin)!.limits;
    const idle = options.timeout ?? (limits.capabilityTimeouts[capability] ?? limits.callTimeoutSeconds) * 1000;
    const total = this.#totalTimeout(plugin, options);
    const _meta: CallMeta = { caller: options.caller, traceId: options.traceId ?? newTraceId(), deadline: Date.now() + total };
    return process.request(capability, { ...params, _meta }, { signal: options.signal, timeout: idle, totalTimeout: total, onProgress: options.onProgress });
  }

  /** Waits in the plugin's queue; the call's total timeout already runs while it waits. */
  async #waitForSlot(gate: ConcurrencyGate, plugin: string, capability: string, options: BusCallOptions): Promise<void> {
    const totalMs = this.#totalTimeout(plugin, options);
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(timeoutError(capability, totalMs, 'total')), totalMs);
    const caller = options.signal;
    const forward = () => stop.abort(caller!.reason);
    if (caller?.aborted) forward();
    else caller?.addEventListener('abort', forward, { once: true });
    try {
      await gate.acquire(stop.signal);
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', forward);
    }
  }

  #totalTimeout(plugin: string, options: BusCallOptions): number {
    const cap = this.#host.manifest(plugin)!.limits.callTotalTimeoutSeconds * 1000;
    return options.totalTimeout === undefined ? cap : Math.min(options.totalTimeout, cap);
  }

  async #startForCall(plugin: string, capability: string): Promise<PluginProcess> {
    try {
      return await this.#host.startForCall(plugin);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BusError(ErrorCode.PluginNotRunning, `Plugin '${plugin}' (provider of ${capability}) is not running: ${reason}`, {
        plugin,
        state: this.#host.stateOf(plugin),
        reason,
      });
    }
  }

  #authorize(callerPlugin: string, capability: string, caller: Caller): void {
    const allowed = this.#host.manifest(callerPlugin)?.permissions.call ?? [];
    if (allowed.some((pattern) => matchesPattern(pattern, capability))) return;
    throw new BusError(ErrorCode.Forbidden, `Plugin '${callerPlugin}' may not call ${capability}: add it to permissions.call in plugins.json`, { capability, caller });
  }
}

/** Settles with `work`, or rejects with Cancelled as soon as `signal` aborts (work goes on in the background). */
function abortable<T>(work: Promise<T>, signal: CancellationSignal | undefined, capability: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(cancelledError(signal.reason, capability));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError(signal.reason, capability));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function withoutMeta(params: Record<string, unknown>): Record<string, unknown> {
  if (!('_meta' in params)) return params;
  const { _meta, ...rest } = params;
  return rest;
}
