import type { Kernel } from '../kernel.ts';
import { forgetProcess, sampleProcesses } from './process-stats.ts';
import type { PluginTelemetrySample } from './telemetry-sample.ts';

export type { PluginTelemetrySample } from './telemetry-sample.ts';

const HISTORY_LENGTH = 300;

/**
 * Samples every plugin once per interval (CPU, RSS, counters, latency), keeps a short history per
 * plugin, publishes each round on `kernel.telemetry`, and restarts a plugin over its memory limit.
 */
export class TelemetrySampler {
  readonly #kernel: Kernel;
  readonly #intervalMs: number;
  readonly #history = new Map<string, PluginTelemetrySample[]>();
  readonly #knownPids = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;

  constructor(kernel: Kernel, intervalMs: number) {
    this.#kernel = kernel;
    this.#intervalMs = intervalMs;
  }

  /** Starts sampling; idempotent. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops sampling; idempotent. */
  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const pid of this.#knownPids) forgetProcess(pid);
    this.#knownPids.clear();
  }

  /** The newest `limit` samples of `plugin`, oldest first. */
  history(plugin: string, limit = HISTORY_LENGTH): PluginTelemetrySample[] {
    return (this.#history.get(plugin) ?? []).slice(-limit);
  }

  /** Takes one sample of every plugin now (also used by the timer). */
  async sample(): Promise<PluginTelemetrySample[]> {
    if (this.#sampling) return [];
    this.#sampling = true;
    try {
      const supervisors = this.#kernel.supervisors;
      const pids = supervisors.map((supervisor) => supervisor.process?.pid).filter((pid): pid is number => pid !== undefined);
      const stats = await sampleProcesses(pids);
      this.#forgetExited(new Set(pids));
      const time = Date.now();
      const samples = supervisors.map((supervisor): PluginTelemetrySample => {
        const pid = supervisor.process?.pid ?? null;
        const process = pid === null ? undefined : stats.get(pid);
        const load = this.#kernel.bus.load(supervisor.name);
        const counters = this.#kernel.metrics.counters(supervisor.name);
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
          latency: this.#kernel.metrics.latency(supervisor.name),
        };
      });
      for (const sample of samples) this.#keep(sample);
      this.#enforceMemoryLimits(samples);
      this.#kernel.publish('kernel.telemetry', samples);
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

  #enforceMemoryLimits(samples: PluginTelemetrySample[]): void {
    for (const sample of samples) {
      const supervisor = this.#kernel.supervisor(sample.plugin);
      const limitMb = supervisor.manifest.limits.memoryMb;
      if (limitMb === undefined || sample.rssBytes <= limitMb * 1024 * 1024) continue;
      supervisor.fail(`memory limit exceeded: RSS ${Math.round(sample.rssBytes / 1048576)} MB over ${limitMb} MB`);
    }
  }
}
