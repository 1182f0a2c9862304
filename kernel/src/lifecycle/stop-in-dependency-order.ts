import type { DependencyNode } from '../registry/index.ts';

/**
 * Stops every plugin at once except where a dependency holds it back: `stop(name)` of a plugin
 * starts only after the stops of all the plugins that depend on it have settled. Independent
 * plugins therefore stop in parallel, and the whole stop takes as long as its slowest chain.
 * The registry is acyclic (checked at load), so every stop starts eventually.
 */
export async function stopInDependencyOrder(plugins: readonly DependencyNode[], stop: (plugin: string) => Promise<void>): Promise<void> {
  const dependents = new Map<string, string[]>(plugins.map((plugin) => [plugin.name, []]));
  for (const plugin of plugins) {
    for (const dependency of plugin.dependencies) dependents.get(dependency)?.push(plugin.name);
  }
  const stops = new Map<string, Promise<void>>();
  const stopped = (name: string): Promise<void> => {
    let settled = stops.get(name);
    if (!settled) {
      // A failed stop of a dependent must not keep its dependency running: wait, whatever the outcome.
      const before = Promise.allSettled((dependents.get(name) ?? []).map(stopped));
      settled = before.then(() => stop(name)).catch(() => {});
      stops.set(name, settled);
    }
    return settled;
  };
  await Promise.all(plugins.map((plugin) => stopped(plugin.name)));
}
