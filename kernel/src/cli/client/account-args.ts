import { UsageError } from './client-errors.ts';

/**
 * The positional arguments a subcommand takes, in order: throws UsageError naming the first
 * missing one (with the subcommand's usage line) or the first one too many.
 */
export function takeArgs(args: string[], names: string[], usage: string): string[] {
  const missing = names[args.length];
  if (missing !== undefined) throw new UsageError(`missing ${missing}: ${usage}`);
  if (args.length > names.length) throw new UsageError(`unexpected argument '${args[names.length]}' (${usage})`);
  return args;
}

/**
 * Throws UsageError when a flag that another subcommand takes was given to this one: the
 * commands parse the flags of all their subcommands at once, so this keeps each strict.
 * A flag counts as given when its value is not undefined (subcommand flags have no default).
 */
export function assertFlagsApply(values: Record<string, unknown>, all: readonly string[], allowed: readonly string[], subcommand: string): void {
  const foreign = all.find((flag) => values[flag] !== undefined && !allowed.includes(flag));
  if (foreign !== undefined) throw new UsageError(`--${foreign} does not apply to '${subcommand}'`);
}

/** A whole number from a flag or argument, at least `min`; throws UsageError naming `what` otherwise. */
export function parseInteger(text: string, what: string, min: number = Number.MIN_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    const range = min === 0 ? 'a whole number, 0 or more' : min === 1 ? 'a whole number, 1 or more' : 'a whole number';
    throw new UsageError(`${what} must be ${range}, not '${text}'`);
  }
  return value;
}

/** A comma-separated list (`a,b`) without blanks; throws UsageError for an empty one. */
export function parseList(text: string, what: string): string[] {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`${what} must list at least one name, separated by commas`);
  return items;
}

/** `object` without its undefined members, so absent flags send no params. */
export function definedOnly(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
