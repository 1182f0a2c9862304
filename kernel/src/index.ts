/** @cyberstudio/kernel: the plugin host. */
export { Kernel, KernelTopic, type KernelOptions } from './kernel.ts';
export { KERNEL_NAME, KERNEL_VERSION } from './kernel-info.ts';
export { CapabilityBus, type BusCallOptions } from './bus/capability-bus.ts';
export { TopicHub, type EventSink } from './bus/topic-hub.ts';
export { PluginState, isServing, type StateChange } from './lifecycle/plugin-state.ts';
export { PluginSupervisor, describeExit } from './lifecycle/plugin-supervisor.ts';
export { PluginProcess, type ExitInfo, type StopOptions } from './lifecycle/plugin-process.ts';
export { kernelCapabilityDescriptors } from './management/kernel-capabilities.ts';
export type { PluginTelemetrySample } from './telemetry/telemetry-sampler.ts';
export type { LogRecord } from './telemetry/log-record.ts';
export { launchEnvironment, loadRegistry, parseRegistry, type PluginManifest, type Registry } from './registry/index.ts';
export { Gateway, GatewayContext, resolveGatewaySettings, ANONYMOUS, LOCAL_OPERATOR, type GatewayOptions, type UserCaller } from './gateway/index.ts';
