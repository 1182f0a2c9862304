import { parseArgs } from 'node:util';
import { LocalError } from '@cyberstudio/sdk';
import { loadRegistry } from '../registry/index.ts';
import { ExitCode, exitCodeHelp } from './exit-codes.ts';

/** --help of `cyberstudio plugins validate`. */
export const validateHelp = `Usage: cyberstudio plugins validate [file]

Checks a plugin registry (default: ./plugins.json) against schemas/plugins.schema.json and the
rules the schema cannot express (unique names and capabilities, known dependencies, no cycles).
Prints every problem with the plugin and field it concerns.

${exitCodeHelp}`;

/** Validates a registry file; prints a summary or every problem. */
export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(validateHelp);
    return ExitCode.Ok;
  }
  const file = positionals[0] ?? 'plugins.json';
  try {
    const registry = await loadRegistry(file);
    const names = registry.plugins.map((plugin) => `${plugin.name} (${plugin.activation}${plugin.enabled ? '' : ', disabled'})`);
    console.log(`${registry.file}: valid, ${registry.plugins.length} plugin(s): ${names.join(', ')}`);
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof LocalError)) throw error;
    console.error(error.message);
    return ExitCode.RegistryInvalid;
  }
}
