import type { Ajv } from 'ajv';
import type { RegistryIssue } from './registry-types.ts';
import { issueAt, pluginLabel, quotePlugin } from './registry-issues.ts';

const RESERVED_PREFIX = 'kernel.';

/**
 * Rules the schema cannot express: unique plugin names, autostart agreeing with activation,
 * one provider per capability, the reserved `kernel.` namespace, timeouts only for declared capabilities, a sane backoff and a
 * configSchema that is itself a JSON Schema. Entries that failed the schema are read defensively.
 */
export function consistencyIssues(plugins: readonly unknown[], ajv: Ajv): RegistryIssue[] {
  const issues: RegistryIssue[] = [];
  const firstWithName = new Map<string, number>();
  const providers = new Map<string, string>();
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
  });
  return issues;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
