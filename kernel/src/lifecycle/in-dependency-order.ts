import type { DependencyNode } from '../registry/index.ts';

/**
 * Which plugins an action on one waits for: its dependencies (a start: they come up first) or
 * its dependents (a stop: they go down first).
 */
export type DependencyDirection = 'dependencies-first' | 'dependents-first';

/**
 * Runs `action` on every plugin at once except where the dependency graph holds one back: the
 * action on a plugin begins only after the actions on the plugins it waits for (see
 * DependencyDirection; only those in `plugins`) have settled, whatever their outcome. Independent
 * plugins therefore go in parallel, and the whole run takes as long as its slowest chain, not the
 * sum. Failures of `action` are swallowed (the caller reports them). The registry is acyclic
 * (checked at load), so every action begins eventually.
 */
export async function inDependencyOrder(plugins: readonly DependencyNode[], direction: DependencyDirection, action: (plugin: string) => Promise<unknown>): Promise<void> {
  const waitsFor = new Map<string, string[]>(plugins.map((plugin) => [plugin.name, []]));
  for (const plugin of plugins) {
    for (const dependency of plugin.dependencies) {
      if (!waitsFor.has(dependency)) continue;
      if (direction === 'dependencies-first') waitsFor.get(plugin.name)!.push(dependency);
      else waitsFor.get(dependency)!.push(plugin.name);
    }
  }
  const runs = new Map<string, Promise<void>>();
  const settled = (name: string): Promise<void> => {
    let run = runs.get(name);
    if (!run) {
      run = Promise.allSettled(waitsFor.get(name)!.map(settled)).then(() => action(name)).then(() => {}, () => {});
      runs.set(name, run);
    }
    return run;
  };
  await Promise.all(plugins.map((plugin) => settled(plugin.name)));
}
