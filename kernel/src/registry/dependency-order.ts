import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { PluginManifest } from './registry-types.ts';

/** The part of a manifest the dependency graph needs. */
export type DependencyNode = Pick<PluginManifest, 'name' | 'dependencies'>;

/**
 * Throws CDS_ERR_DEPENDENCY_MISSING when a plugin depends on a name not in `plugins`, and
 * CDS_ERR_DEPENDENCY_CYCLE (naming the cycle) when dependencies loop.
 */
export function checkDependencies(plugins: readonly DependencyNode[]): void {
  const names = new Set(plugins.map((plugin) => plugin.name));
  const missing = plugins.flatMap((plugin) =>
    plugin.dependencies.filter((dependency) => !names.has(dependency)).map((dependency) => ({ plugin: plugin.name, dependency })),
  );
  if (missing.length > 0) {
    const lines = missing.map(({ plugin, dependency }) => `plugin '${plugin}' depends on '${dependency}', which is not in the registry; add it or remove the dependency`);
    throw new LocalError(LocalErrorCode.DependencyMissing, lines.join('\n'), { ...missing[0]!, missing });
  }
  const cycle = findCycle(plugins);
  if (cycle !== undefined) {
    throw new LocalError(
      LocalErrorCode.DependencyCycle,
      `plugin dependencies form a cycle: ${cycle.join(' -> ')}; remove one of these dependencies`,
      { cycle },
    );
  }
}

/**
 * Plugins in start order: every plugin after its dependencies, otherwise in file order (the
 * earliest-listed startable plugin goes next). Throws like `checkDependencies`.
 */
export function startOrder<T extends DependencyNode>(plugins: readonly T[]): T[] {
  checkDependencies(plugins);
  const started = new Set<string>();
  const placed = new Set<number>();
  const order: T[] = [];
  while (order.length < plugins.length) {
    const index = plugins.findIndex((plugin, position) => !placed.has(position) && plugin.dependencies.every((dependency) => started.has(dependency)));
    placed.add(index);
    started.add(plugins[index]!.name);
    order.push(plugins[index]!);
  }
  return order;
}

/** Plugins in stop order: the reverse of `startOrder`, so dependents stop before what they use. */
export function stopOrder<T extends DependencyNode>(plugins: readonly T[]): T[] {
  return startOrder(plugins).reverse();
}

/** Everything `name` needs, transitively, in start order (without `name` itself). */
export function dependenciesOf<T extends DependencyNode>(plugins: readonly T[], name: string): T[] {
  const byName = indexByName(plugins, name);
  const needed = new Set<string>();
  const visit = (current: string): void => {
    for (const dependency of byName.get(current)?.dependencies ?? []) {
      if (!needed.has(dependency)) {
        needed.add(dependency);
        visit(dependency);
      }
    }
  };
  visit(name);
  return startOrder(plugins).filter((plugin) => needed.has(plugin.name));
}

/** Everything that needs `name`, transitively, in stop order (without `name` itself). */
export function dependentsOf<T extends DependencyNode>(plugins: readonly T[], name: string): T[] {
  indexByName(plugins, name);
  const affected = new Set([name]);
  const order = startOrder(plugins);
  for (const plugin of order) {
    if (plugin.dependencies.some((dependency) => affected.has(dependency))) affected.add(plugin.name);
  }
  affected.delete(name);
  return order.filter((plugin) => affected.has(plugin.name)).reverse();
}

function indexByName<T extends DependencyNode>(plugins: readonly T[], name: string): Map<string, T> {
  const byName = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  if (!byName.has(name)) {
    throw new LocalError(LocalErrorCode.PluginUnknown, `no plugin named '${name}' in the registry`, { plugin: name });
  }
  return byName;
}

/** The first cycle met walking plugins in file order, as names with the first repeated at the end. */
function findCycle(plugins: readonly DependencyNode[]): string[] | undefined {
  const byName = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  const finished = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const open = path.indexOf(name);
    if (open !== -1) return [...path.slice(open), name];
    if (finished.has(name)) return undefined;
    path.push(name);
    for (const dependency of byName.get(name)?.dependencies ?? []) {
      const cycle = visit(dependency);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    finished.add(name);
    return undefined;
  };
  for (const plugin of plugins) {
    const cycle = visit(plugin.name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
