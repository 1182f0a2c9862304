// The kernel's own telemetry types (docs/API.md, TelemetrySample): their modules are free of
// Node imports, so the browser build checks against them instead of a copy.

export type { LatencySnapshot } from '../../kernel/src/telemetry/latency-stats.ts';
export type { PluginTelemetrySample as TelemetrySample } from '../../kernel/src/telemetry/telemetry-sample.ts';
