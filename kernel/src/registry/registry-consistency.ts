import type { Ajv } from 'ajv';
import type { RegistryIssue } from './registry-types.ts';
import { issueAt, pluginLabel, quotePlugin, type IssueLocation } from './registry-issues.ts';
import { GATEWAY_API_SEGMENTS, GATEWAY_PATH_PREFIXES, isGatewayPath, isGatewayRoute, normalizeMount, parseRouteKey, routeShape } from './plugin-http-paths.ts';

const RESERVED_PREFIX = 'kernel.';
const GATEWAY_PATHS = GATEWAY_PATH_PREFIXES.join(', ');
const GATEWAY_ROUTE_PATHS = [...GATEWAY_PATH_PREFIXES.filter((prefix) => prefix !== '/api'), '/api', ...GATEWAY_API_SEGMENTS.map((segment) => `/api/${segment}`), '/api/:param'].join(', ');

/**
 * Rules the schema cannot express: unique plugin names, autostart agreeing with activation,
 * one provider per capability, the reserved `kernel.` namespace, timeouts only for declared capabilities, a sane backoff, a
 * configSchema that is itself a JSON Schema, and HTTP routes and mounts that neither collide with each other nor with
 * the gateway's own paths. Entries that failed the schema are read defensively.
 */
export function consistencyIssues(plugins: readonly unknown[], ajv: Ajv): RegistryIssue[] {
  const issues: RegistryIssue[] = [];
  const firstWithName = new Map<string, number>();
  const providers = new Map<string, string>();
  const http = new HttpClaims();
  plugins.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null) return;
    const entry = raw as Record<string, unknown>;
    const plugin = pluginLabel(plugins, index);
    const at = (...path: (string | number)[]) => ({ plugin, path });

    if (typeof entry.name === 'string') {
      const first = firstWithName.get(entry.name);
      if (first === undefined) firstWithName.set(entry.name, index);
      else issues.push(issueAt(at('name'), (field) => `field ${field}: '${entry.name}' is already used by entry #${first + 1}; plugin names must be unique`));
    }

    if (typeof entry.autostart === 'boolean' && entry.activation !== undefined && entry.autostart !== (entry.activation === 'startup')) {
      issues.push(issueAt(at('autostart'), (field) => `field ${field} (${entry.autostart}) contradicts activation '${String(entry.activation)}'; give only 'activation'`));
    }

    const capabilities = stringsOf(entry.capabilities);
    const lazy = entry.activation === 'lazy' || (entry.activation === undefined && entry.autostart !== true);
    if (lazy && entry.enabled !== false && capabilities.length === 0) {
      issues.push(issueAt(at('capabilities'), (field) => `field ${field} is empty, so no call can activate this lazy plugin; list its capabilities or set "activation": "startup"`));
    }
    capabilities.forEach((capability, position) => {
      if (capability.startsWith(RESERVED_PREFIX)) {
        issues.push(issueAt(at('capabilities', position), (field) => `field ${field}: '${capability}' is reserved; names under '${RESERVED_PREFIX}' are served by the kernel itself`));
        return;
      }
      const provider = providers.get(capability);
      if (provider === undefined) providers.set(capability, plugin);
      else if (provider !== plugin) {
        issues.push(issueAt(at('capabilities', position), (field) => `field ${field}: capability '${capability}' is already provided by plugin ${quotePlugin(provider)}; a capability has exactly one provider`));
      }
    });

    const limits = objectOf(entry.limits);
    if (capabilities.length > 0) {
      for (const capability of Object.keys(objectOf(limits.capabilityTimeouts))) {
        if (!capabilities.includes(capability)) {
          issues.push(issueAt(at('limits', 'capabilityTimeouts', capability), (field) => `field ${field} names a capability this plugin does not list in 'capabilities'`));
        }
      }
    }

    const backoff = objectOf(objectOf(entry.restart).backoff);
    if (typeof backoff.initialMs === 'number' && typeof backoff.maxMs === 'number' && backoff.maxMs < backoff.initialMs) {
      issues.push(issueAt(at('restart', 'backoff', 'maxMs'), (field) => `field ${field} must be >= restart.backoff.initialMs (${backoff.initialMs})`));
    }

    const configSchema = entry.configSchema;
    if (typeof configSchema === 'object' && configSchema !== null && !ajv.validateSchema(configSchema)) {
      const reason = ajv.errorsText(ajv.errors?.slice(0, 1), { dataVar: 'configSchema' });
      issues.push(issueAt(at('configSchema'), (field) => `field ${field} is not a valid JSON Schema: ${reason}`));
    }

    issues.push(...http.claim(plugin, objectOf(entry.http), capabilities));
  });
  return issues;
}

/** Routes and mounts claimed so far, so a second claim on the same requests is reported with the first owner. */
class HttpClaims {
  readonly #routes = new Map<string, { plugin: string; key: string }>();
  readonly #mounts = new Map<string, string>();

  /** Issues of one entry's `http` section; records its claims. */
  claim(plugin: string, http: Record<string, unknown>, capabilities: readonly string[]): RegistryIssue[] {
    const issues: RegistryIssue[] = [];
    const at = (...path: (string | number)[]): IssueLocation => ({ plugin, path: ['http', ...path] });
    for (const [key, capability] of Object.entries(objectOf(http.routes))) {
      const route = parseRouteKey(key);
      if (!route) continue;
      if (isGatewayRoute(route)) {
        issues.push(issueAt(at('routes', key), (field) => `key ${field} collides with the gateway's own paths (${GATEWAY_ROUTE_PATHS}); choose another path`));
        continue;
      }
      const shape = routeShape(route);
      const first = this.#routes.get(shape);
      if (first === undefined) this.#routes.set(shape, { plugin, key });
      else {
        const owner = first.plugin === plugin ? 'this plugin' : `plugin ${quotePlugin(first.plugin)}`;
        issues.push(issueAt(at('routes', key), (field) => `key ${field} matches the same requests as '${first.key}' of ${owner}; a route has exactly one capability`));
      }
      if (typeof capability === 'string' && capabilities.length > 0 && !capabilities.includes(capability)) {
        issues.push(issueAt(at('routes', key), (field) => `field ${field} names '${capability}', a capability this plugin does not list in 'capabilities'`));
      }
    }
    if (typeof http.mount === 'string') {
      const mount = normalizeMount(http.mount);
      const first = this.#mounts.get(mount);
      if (mount !== '/' && isGatewayPath(mount)) {
        issues.push(issueAt(at('mount'), (field) => `field ${field} ('${http.mount}') collides with the gateway's own paths (${GATEWAY_PATHS}); choose another prefix, or '/' for the fallback`));
      } else if (first !== undefined) {
        issues.push(issueAt(at('mount'), (field) => `field ${field}: '${mount}' is already mounted by plugin ${quotePlugin(first)}; a prefix has exactly one plugin`));
      } else {
        this.#mounts.set(mount, plugin);
      }
    }
    return issues;
  }
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
