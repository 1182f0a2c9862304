/** Rules for capability names and topic patterns. */

/** A capability name: lowercase namespace, then one or more dot-separated segments. */
export const CAPABILITY_NAME_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-zA-Z0-9-]*)+$/;

/** True when `name` is a well-formed capability name. */
export function isCapabilityName(name: string): boolean {
  return CAPABILITY_NAME_PATTERN.test(name);
}

/**
 * True when `name` matches `pattern`: the pattern is exact, `*` (everything), or ends in `.*`
 * (everything under that prefix, one or more segments deep).
 */
export function matchesPattern(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** A topic pattern: `*`, or a topic without `*` or whitespace, optionally ending in `.*`. */
export const TOPIC_PATTERN = /^(\*|[^*\s]+(\.\*)?)$/;

/** A topic events are published on: no `*`, no whitespace. */
export const TOPIC_NAME = /^[^*\s]+$/;
