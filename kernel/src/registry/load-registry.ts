import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import { checkDependencies } from './dependency-order.ts';
import { consistencyIssues } from './registry-consistency.ts';
import { issuesFromSchemaErrors, pluginLabel, registryInvalid } from './registry-issues.ts';
import type { GatewaySettings, PluginManifest, Registry, RegistryIssue } from './registry-types.ts';
import pluginsSchemaDocument from '../../../schemas/plugins.schema.json' with { type: 'json' };

/**
 * schemas/plugins.schema.json, which also serves editors through `$schema` in plugins.json.
 * Imported, not read from disk: the build puts it inside the kernel's bundle.
 */
export const pluginsSchema: Record<string, unknown> = pluginsSchemaDocument;

// useDefaults fills every optional field, so the rest of the kernel trusts complete manifests.
const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true });
const validateDocument = ajv.compile(pluginsSchema);

/** An entry after the schema's defaults; the defaults that depend on other fields come last. */
type SchemaDefaultedManifest = Omit<PluginManifest, 'autostart' | 'activation' | 'watch'> &
  Partial<Pick<PluginManifest, 'autostart' | 'activation' | 'watch'>>;

/**
 * Reads and validates the registry at `file`; paths in it resolve against the file's directory.
 * Throws LocalError CDS_ERR_REGISTRY_NOT_FOUND when the file cannot be read, otherwise as
 * `parseRegistry` does.
 */
export async function loadRegistry(file: string): Promise<Registry> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
    throw new LocalError(LocalErrorCode.RegistryNotFound, `plugin registry ${path} cannot be read: ${reason}`, { file: path }, { cause: error });
  }
  return parseRegistry(parseJson(text, path), { file: path, baseDir: dirname(path) });
}

/**
 * Validates a parsed plugins.json document and applies every default. Throws LocalError
 * CDS_ERR_REGISTRY_INVALID listing every problem (details.errors = [{ plugin, field, message }]),
 * CDS_ERR_DEPENDENCY_MISSING or CDS_ERR_DEPENDENCY_CYCLE. `json` is not modified.
 */
export function parseRegistry(json: unknown, opts: { file: string; baseDir: string }): Registry {
  if (Array.isArray(json)) {
    throw registryInvalid(opts.file, [
      { plugin: null, field: '', message: 'the registry is a bare array; wrap it in an object: { "plugins": [ ... ] }' },
    ]);
  }
  const document = structuredClone(json);
  const issues: RegistryIssue[] = validateDocument(document) ? [] : issuesFromSchemaErrors(validateDocument.errors ?? [], document);
  const entries = (document as { plugins?: unknown } | null)?.plugins;
  if (Array.isArray(entries)) issues.push(...consistencyIssues(entries, ajv));
  if (issues.length > 0) throw registryInvalid(opts.file, inEntryOrder(issues, entries));

  const plugins = (entries as SchemaDefaultedManifest[]).map(completeManifest);
  try {
    checkDependencies(plugins);
  } catch (error) {
    throw error instanceof LocalError ? inFile(error, opts.file) : error;
  }
  const gateway = (document as { gateway: GatewaySettings }).gateway;
  return { plugins, gateway, file: opts.file, baseDir: opts.baseDir };
}

function completeManifest(entry: SchemaDefaultedManifest): PluginManifest {
  const activation = entry.activation ?? (entry.autostart === true ? 'startup' : 'lazy');
  return {
    ...entry,
    autostart: activation === 'startup',
    activation,
    watch: entry.watch ?? (entry.entrypoint === undefined ? [] : [dirname(entry.entrypoint)]),
  };
}

/** File-level issues first, then each entry's issues together, in file order. */
function inEntryOrder(issues: RegistryIssue[], entries: unknown): RegistryIssue[] {
  const labels = Array.isArray(entries) ? entries.map((_, index) => pluginLabel(entries, index)) : [];
  const rank = (issue: RegistryIssue) => (issue.plugin === null ? -1 : labels.indexOf(issue.plugin));
  return [...issues].sort((a, b) => rank(a) - rank(b));
}

function parseJson(text: string, file: string): unknown {
  const source = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    const reason = message.replace(/ in JSON at position \d+.*$/, '');
    const position = /at position (\d+)/.exec(message)?.[1];
    const offset = position !== undefined ? Number(position) : message.startsWith('Unexpected end') ? source.length : undefined;
    if (offset === undefined) {
      throw registryInvalid(file, [{ plugin: null, field: '', message: `not valid JSON: ${reason}` }]);
    }
    const lines = source.slice(0, offset).split('\n');
    const line = lines.length;
    const column = lines[lines.length - 1]!.length + 1;
    const issue = { plugin: null, field: '', message: `not valid JSON at line ${line}, column ${column}: ${reason}` };
    throw registryInvalid(file, [issue], { line, column });
  }
}

function inFile(error: LocalError, file: string): LocalError {
  const message = error.message.split('\n').map((line) => `${basename(file)}: ${line}`).join('\n');
  return new LocalError(error.code, message, { ...(error.details as object), file });
}
