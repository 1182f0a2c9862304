import { performance } from 'node:perf_hooks';

/** The shortest window a CPU reading covers; reads closer together repeat the last value. */
export const CPU_WINDOW_MIN_MS = 1000;

/**
 * CPU use of this process between readings, in percent of one core (200 = two busy cores),
 * as TelemetrySample reports it for plugins. Each reading covers the time since the previous
 * one (the first: since the process started), so a status page polled every few seconds shows
 * the load of those seconds rather than a lifetime average. A reading less than
 * CPU_WINDOW_MIN_MS after the previous one repeats it: a window that short is mostly noise.
 */
export class CpuMeter {
  // performance.now() counts from the process start, as process.cpuUsage() does.
  #since = 0;
  #usage: NodeJS.CpuUsage = { user: 0, system: 0 };
  #last: number | undefined;

  /** The CPU percent since the previous reading, rounded to one decimal. */
  read(): number {
    const now = performance.now();
    if (this.#last !== undefined && now - this.#since < CPU_WINDOW_MIN_MS) return this.#last;
    const usage = process.cpuUsage();
    const cpuMs = (usage.user - this.#usage.user + usage.system - this.#usage.system) / 1000;
    const elapsedMs = Math.max(now - this.#since, 1);
    this.#since = now;
    this.#usage = usage;
    this.#last = Math.round((cpuMs / elapsedMs) * 1000) / 10;
    return this.#last;
  }
}
