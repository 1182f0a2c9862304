import { basename } from 'node:path';
import type { ErrorObject } from 'ajv';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { RegistryIssue } from './registry-types.ts';

/** Operator wording for each pattern-checked definition in schemas/plugins.schema.json. */
const patternHints: Record<string, string> = {
  pluginName: "must be lowercase letters, digits and '-', starting with a letter",
  capabilityName: "must be a capability name like 'hello.echo': a lowercase namespace, a dot, then segments",
  capabilityPattern: "must be '*', a prefix like 'llm.*', or a capability name like 'llm.complete'",
  topicPattern: "must be '*', a prefix like 'build.*', or an exact topic",
  envName: "must be an environment variable name (letters, digits and '_')",
};

/** Where an issue sits in plugins.json: the plugin label (or null at file level) and the path inside it. */
export interface IssueLocation {
  plugin: string | null;
  path: (string | number)[];
}

/** Labels entry `index` of `plugins` by its name, or `#n` (1-based) when it has no usable name. */
export function pluginLabel(plugins: unknown, index: number): string {
  const name = Array.isArray(plugins) ? (plugins[index] as { name?: unknown } | undefined)?.name : undefined;
  return typeof name === 'string' && name !== '' ? name : `#${index + 1}`;
}

/** Renders a path as the dotted field name operators see: `restart.backoff.initialMs`, `args[0]`. */
export function fieldName(path: readonly (string | number)[]): string {
  let field = '';
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) field += field === '' ? segment : `.${segment}`;
    else field += `["${segment}"]`;
  }
  return field;
}

/** Builds an issue at `location`; `describe` gets the quoted field and returns the sentence. */
export function issueAt(location: IssueLocation, describe: (field: string) => string): RegistryIssue {
  const field = fieldName(location.path);
  return { plugin: location.plugin, field, message: describe(`'${field}'`) };
}

/** Turns ajv errors for a plugins.json document into operator-readable issues. */
export function issuesFromSchemaErrors(errors: readonly ErrorObject[], document: unknown): RegistryIssue[] {
  const plugins = (document as { plugins?: unknown } | null)?.plugins;
  const issues: RegistryIssue[] = [];
  for (const error of errors) {
    // anyOf branches and the propertyNames wrapper repeat what their own error already says.
    if (error.schemaPath.includes('/anyOf/') || error.keyword === 'propertyNames') continue;
    const segments = error.instancePath.split('/').slice(1).map(decodePointerSegment);
    const inPlugin = segments[0] === 'plugins' && segments.length >= 2;
    const location: IssueLocation = inPlugin
      ? { plugin: pluginLabel(plugins, Number(segments[1])), path: segments.slice(2).map(asIndex) }
      : { plugin: null, path: segments.map(asIndex) };
    issues.push(describeError(error, location));
  }
  return issues;
}

/** The LocalError for an invalid registry: one line per issue, all issues in `details.errors`. */
export function registryInvalid(file: string, issues: RegistryIssue[], extra: object = {}): LocalError {
  const lines = issues.map((issue) => `${basename(file)}: ${issue.plugin === null ? '' : `plugin ${quotePlugin(issue.plugin)}: `}${issue.message}`);
  return new LocalError(LocalErrorCode.RegistryInvalid, lines.join('\n'), { file, errors: issues, ...extra });
}

/** `'hello'` for a name, `#3` for an unnamed entry. */
export function quotePlugin(label: string): string {
  return label.startsWith('#') ? label : `'${label}'`;
}

function describeError(error: ErrorObject, location: IssueLocation): RegistryIssue {
  const params = error.params as Record<string, unknown>;
  const at = (extra: string | number) => ({ ...location, path: [...location.path, extra] });
  switch (error.keyword) {
    case 'required':
      return issueAt(at(String(params.missingProperty)), (field) => `field ${field} is required`);
    case 'additionalProperties': {
      const unknown = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const guess = closestName(unknown, known);
      return issueAt(at(unknown), (field) => `unknown field ${field}${guess ? ` (did you mean '${guess}'?)` : ''}`);
    }
    case 'anyOf':
      return issueAt(location, () => "needs an 'entrypoint' (a script to run) or a 'command' (a program to run)");
    case 'not':
      return issueAt(location, () => "has both 'entrypoint' and 'command'; keep only one");
    case 'type':
      return issueAt(location, (field) => `field ${field} must be ${article(String(params.type))}, not ${article(jsonType(error.data))}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return issueAt(location, (field) => `field ${field} must be ${String(params.comparison)} ${String(params.limit)} (got ${JSON.stringify(error.data)})`);
    case 'enum':
      return issueAt(location, (field) => `field ${field} must be one of ${(params.allowedValues as unknown[]).map((value) => `'${String(value)}'`).join(', ')} (got ${JSON.stringify(error.data)})`);
    case 'pattern': {
      const hint = patternHints[error.schemaPath.split('/')[2] ?? ''] ?? `must match ${String(params.pattern)}`;
      if (error.propertyName !== undefined) return issueAt(at(error.propertyName), (field) => `key ${field} ${hint}`);
      return issueAt(location, (field) => `field ${field} ${hint} (got ${JSON.stringify(error.data)})`);
    }
    case 'minLength':
      return issueAt(location, (field) => `field ${field} must not be empty`);
    case 'maxLength':
      return issueAt(location, (field) => `field ${field} must be at most ${String(params.limit)} characters`);
    case 'uniqueItems': {
      const repeated = (error.data as unknown[])[Number(params.i)];
      return issueAt(location, (field) => `field ${field} lists ${JSON.stringify(repeated)} more than once`);
    }
    default:
      return issueAt(location, (field) => `field ${field} ${error.message ?? 'is invalid'}`);
  }
}

function decodePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function asIndex(segment: string): string | number {
  return /^\d+$/.test(segment) ? Number(segment) : segment;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return Number.isInteger(value) ? 'integer' : typeof value;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The known name within edit distance 2 of `name`, so a typo gets a suggestion. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
