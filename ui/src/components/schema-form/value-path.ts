// Paths into a config value, and JSON Pointers (RFC 6901) for them: errors from either validator
// name the field they belong to by pointer.

/** Steps from the root of a value to one field: property names and array indexes. */
export type ValuePath = readonly (string | number)[];

/** The JSON Pointer of `path`: `/level`, `/server/port`, `/hosts/0`; the root is ''. */
export function pointerOf(path: ValuePath): string {
  return path.map((step) => `/${String(step).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The value at `path`, or undefined when any step is missing. */
export function valueAt(root: unknown, path: ValuePath): unknown {
  let current = root;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/**
 * A copy of `root` with `value` at `path`, copying only the objects and arrays on the way;
 * `undefined` removes an object property (so an emptied optional field leaves the config).
 */
export function withValueAt(root: unknown, path: ValuePath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [step, ...rest] = path;
  if (typeof step === 'number') {
    const list = Array.isArray(root) ? [...(root as unknown[])] : [];
    list[step] = withValueAt(list[step], rest, value);
    return list;
  }
  const object = typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  const next = withValueAt(object[step!], rest, value);
  if (next === undefined) delete object[step!];
  else object[step!] = next;
  return object;
}
