import type uPlot from 'uplot';
import type { TelemetrySample } from '../../telemetry-types.ts';

/** One line of a chart: a value per sample, null where there is none (a gap in the line). */
type Values = (number | null)[];

const MEGABYTE = 1_048_576;

/** How many capabilities the latency chart draws; the table under it lists every one. */
export const LATENCY_CHART_CAPABILITIES = 6;

/** True when the sample was taken of a live process (a stopped plugin has none to measure). */
export function hasProcess(sample: TelemetrySample): boolean {
  return sample.pid !== null;
}

/** The x values of a chart: each sample's time in epoch seconds, as uPlot's time scale reads them. */
function times(samples: readonly TelemetrySample[]): number[] {
  return samples.map((sample) => sample.time / 1000);
}

/** CPU % of each sample; gaps while the plugin had no process. */
export function cpuSeries(samples: readonly TelemetrySample[]): uPlot.AlignedData {
  return [times(samples), samples.map((sample) => (hasProcess(sample) ? sample.cpuPercent : null))];
}

/** Resident memory (MB) of each sample; gaps while the plugin had no process. */
export function memorySeries(samples: readonly TelemetrySample[]): uPlot.AlignedData {
  return [times(samples), samples.map((sample) => (hasProcess(sample) ? sample.rssBytes / MEGABYTE : null))];
}

/** How much a cumulative counter grew since the previous sample; null for the first and after a reset. */
function perInterval(samples: readonly TelemetrySample[], counter: (sample: TelemetrySample) => number): Values {
  return samples.map((sample, index) => {
    if (index === 0) return null;
    const growth = counter(sample) - counter(samples[index - 1]!);
    return growth >= 0 ? growth : null;
  });
}

/** Calls and failed calls per sampling interval, from the cumulative counters. */
export function callSeries(samples: readonly TelemetrySample[]): uPlot.AlignedData {
  return [times(samples), perInterval(samples, (sample) => sample.calls), perInterval(samples, (sample) => sample.errors)];
}

/** The capabilities that have had calls, most called first (by the newest sample, whose counts are totals). */
export function calledCapabilities(samples: readonly TelemetrySample[]): string[] {
  const latency = samples.at(-1)?.latency ?? {};
  return Object.keys(latency)
    .filter((name) => latency[name]!.count > 0)
    .sort((a, b) => latency[b]!.count - latency[a]!.count || a.localeCompare(b));
}

/** p50 then p95 (ms) of each of `capabilities`, in that order; gaps before a capability's first call. */
export function latencySeries(samples: readonly TelemetrySample[], capabilities: readonly string[]): uPlot.AlignedData {
  const lines: Values[] = [];
  for (const name of capabilities) {
    lines.push(samples.map((sample) => sample.latency[name]?.p50 ?? null));
    lines.push(samples.map((sample) => sample.latency[name]?.p95 ?? null));
  }
  return [times(samples), ...lines];
}

/** The newest `seconds` of `samples`, for the dashboard's sparklines. */
export function recent(samples: readonly TelemetrySample[], seconds: number): readonly TelemetrySample[] {
  const newest = samples.at(-1)?.time;
  if (newest === undefined) return samples;
  const from = newest - seconds * 1000;
  return samples.filter((sample) => sample.time > from);
}

/** `12.3 %`: a CPU share for people (100 % is one full core). */
export function formatPercent(value: number): string {
  return `${value.toFixed(1)} %`;
}

/** `54.2 MB`: resident memory with one decimal, since sparklines show small changes. */
export function formatMemory(bytes: number): string {
  return `${(bytes / MEGABYTE).toFixed(1)} MB`;
}

/** `3.4 ms`, `120 ms`: a latency with a decimal only where it matters. */
export function formatMs(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}
