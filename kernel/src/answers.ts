// The kernel's answer types that outside clients (the studio) read, behind the `./answers` export.
// Every module re-exported here has no imports of its own beyond others listed here, so a browser
// build can check against the kernel's own types instead of copies.

export type { PluginState, StateChange } from './lifecycle/plugin-state.ts';
export type { ConnectionCounts, ConnectionInfo } from './management/open-connections.ts';
export type { LatencySnapshot } from './telemetry/latency-stats.ts';
export type { PluginTelemetrySample } from './telemetry/telemetry-sample.ts';
