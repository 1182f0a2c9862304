// The shape of a telemetry sample, kept free of Node imports so the studio's browser build
// can check against the kernel's own type.
import type { LatencySnapshot } from './latency-stats.ts';

/** One plugin's telemetry at one moment. */
export interface PluginTelemetrySample {
  plugin: string;
  /** Epoch ms. */
  time: number;
  state: string;
  pid: number | null;
  /** 100 = one full core. The first sample of a process reads 0. */
  cpuPercent: number;
  rssBytes: number;
  restarts: number;
  uptimeMs: number;
  /** Calls since the kernel started (cumulative). */
  calls: number;
  /** Failed calls since the kernel started (cumulative). */
  errors: number;
  inFlight: number;
  queueDepth: number;
  latency: Record<string, LatencySnapshot>;
}
