// The kernel's own telemetry types (docs/API.md, TelemetrySample): their modules are free of
// Node imports, so the browser build checks against them instead of a copy.

export type { LatencySnapshot, PluginTelemetrySample as TelemetrySample } from '@cyberstudio/kernel/answers';
