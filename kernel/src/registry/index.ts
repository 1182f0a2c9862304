/** The plugin registry: plugins.json loading and validation, start order and launch commands. */
export { loadRegistry, parseRegistry, pluginsSchema } from './load-registry.ts';
export { checkDependencies, dependenciesOf, dependentsOf, startOrder, stopOrder } from './dependency-order.ts';
export type { DependencyNode } from './dependency-order.ts';
export { launchCommand, launchEnvironment, PASS_THROUGH_ENV } from './launch-command.ts';
export type { LaunchCommand } from './launch-command.ts';
export { GATEWAY_API_SEGMENTS, GATEWAY_PATH_PREFIXES, isGatewayPath, isGatewayRoute, normalizeMount, parseRouteKey, routeShape, segmentsOf } from './plugin-http-paths.ts';
export type { RouteKey, RouteMethod } from './plugin-http-paths.ts';
export type {
  AccessRule,
  Activation,
  BackoffSettings,
  GatewayAuthSettings,
  GatewayLimits,
  GatewaySettings,
  HealthcheckSettings,
  LimitSettings,
  PermissionSettings,
  PluginHttpSettings,
  PluginManifest,
  Registry,
  RegistryIssue,
  RestartPolicy,
  RestartSettings,
} from './registry-types.ts';
