import { KernelTimeouts } from '../kernel-timeouts.ts';
import type { PluginSupervisor } from '../lifecycle/plugin-supervisor.ts';
import type { CallMetrics } from './call-metrics.ts';
import { forgetProcess, sampleProcesses } from './process-stats.ts';
import type { PluginTelemetrySample } from './telemetry-sample.ts';

export type { PluginTelemetrySample } from './telemetry-sample.ts';

const HISTORY_LENGTH = 300;

/** What the sampler reads and reports to; the kernel implements it. */
export interface TelemetryHost {
  /** Supervisors of every registered plugin, in registry order. */
  readonly supervisors: readonly PluginSupervisor[];
  readonly metrics: Pick<CallMetrics, 'counters' | 'latency'>;
  /** Calls in flight and queued for a plugin. */
  load(plugin: string): { active: number; queued: number };
  /** Reports one round of samples (the kernel publishes it on `kernel.telemetry`). */
  publish(samples: PluginTelemetrySample[]): void;
}

/**
 * Samples every plugin once per interval (CPU, RSS, counters, latency), keeps a short history per
 * plugin, publishes each round on `kernel.telemetry`, and restarts a plugin over its memory limit.
 */
export class TelemetrySampler {
  readonly #host: TelemetryHost;
  readonly #intervalMs: number;
  readonly #history = new Map<string, PluginTelemetrySample[]>();
  readonly #knownPids = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;
  #disposed = false;

  constructor(host: TelemetryHost, { interval = KernelTimeouts.telemetryInterval }: { interval?: number } = {}) {
    this.#host = host;
    this.#intervalMs = interval;
  }

  /** Starts sampling; idempotent, and a no-op once disposed. */
  start(): void {
    if (this.#timer || this.#disposed) return;
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops sampling for good: a round still measuring is dropped (neither kept nor published). Idempotent. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const pid of this.#knownPids) forgetProcess(pid);
    this.#knownPids.clear();
  }

  /** Same as dispose(). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
  }

  /** The newest `limit` samples of `plugin`, oldest first. */
  history(plugin: string, limit = HISTORY_LENGTH): PluginTelemetrySample[] {
    return (this.#history.get(plugin) ?? []).slice(-limit);
  }

  /** Takes one sample of every plugin now (also used by the timer); resolves with none once disposed. */
  async sample(): Promise<PluginTelemetrySample[]> {
    if (this.#sampling || this.#disposed) return [];
    this.#sampling = true;
    try {
      const supervisors = this.#host.supervisors;
      const pids = supervisors.map((supervisor) => supervisor.process?.pid).filter((pid): pid is number => pid !== undefined);
      const stats = await sampleProcesses(pids);
      if (this.#disposed) return [];
      this.#forgetExited(new Set(pids));
      const time = Date.now();
      const samples = supervisors.map((supervisor): PluginTelemetrySample => {
        const pid = supervisor.process?.pid ?? null;
        const process = pid === null ? undefined : stats.get(pid);
        const load = this.#host.load(supervisor.name);
        const counters = this.#host.metrics.counters(supervisor.name);
        return {
          plugin: supervisor.name,
          time,
          state: supervisor.state,
          pid,
          cpuPercent: process?.cpuPercent ?? 0,
          rssBytes: process?.rssBytes ?? 0,
          restarts: supervisor.restarts,
          uptimeMs: supervisor.startedAt === undefined ? 0 : time - supervisor.startedAt,
          calls: counters.calls,
          errors: counters.errors,
          inFlight: load.active,
          queueDepth: load.queued,
          latency: this.#host.metrics.latency(supervisor.name),
        };
      });
      for (const sample of samples) this.#keep(sample);
      this.#enforceMemoryLimits(supervisors, samples);
      this.#host.publish(samples);
      return samples;
    } finally {
      this.#sampling = false;
    }
  }

  #keep(sample: PluginTelemetrySample): void {
    let history = this.#history.get(sample.plugin);
    if (!history) this.#history.set(sample.plugin, (history = []));
    history.push(sample);
    if (history.length > HISTORY_LENGTH) history.shift();
  }

  #forgetExited(alive: Set<number>): void {
    for (const pid of this.#knownPids) {
      if (alive.has(pid)) continue;
      forgetProcess(pid);
      this.#knownPids.delete(pid);
    }
    for (const pid of alive) this.#knownPids.add(pid);
  }

  #enforceMemoryLimits(supervisors: readonly PluginSupervisor[], samples: PluginTelemetrySample[]): void {
    samples.forEach((sample, index) => {
      const supervisor = supervisors[index]!;
      const limitMb = supervisor.manifest.limits.memoryMb;
      if (limitMb === undefined || sample.rssBytes <= limitMb * 1024 * 1024) return;
      supervisor.fail(`memory limit exceeded: RSS ${Math.round(sample.rssBytes / 1048576)} MB over ${limitMb} MB`);
    });
  }
}
