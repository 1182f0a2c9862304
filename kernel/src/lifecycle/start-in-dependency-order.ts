import type { DependencyNode } from '../registry/index.ts';

/**
 * Starts every plugin at once except where a dependency holds it back: `start(name)` of a plugin
 * begins only after the starts of the plugins in `plugins` it depends on have settled (whatever
 * their outcome: the supervisor reports a dependency that is down). Independent plugins start in
 * parallel, so the whole start takes as long as its slowest chain, not the sum of all.
 * Dependencies outside `plugins` (lazy ones) are left to the supervisor, which starts them first.
 * The registry is acyclic (checked at load), so every start begins eventually.
 */
export async function startInDependencyOrder(plugins: readonly DependencyNode[], start: (plugin: string) => Promise<void>): Promise<void> {
  const byName = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  const starts = new Map<string, Promise<void>>();
  const started = (name: string): Promise<void> => {
    let settled = starts.get(name);
    if (!settled) {
      const dependencies = byName.get(name)!.dependencies.filter((dependency) => byName.has(dependency));
      settled = Promise.allSettled(dependencies.map(started)).then(() => start(name)).catch(() => {});
      starts.set(name, settled);
    }
    return settled;
  };
  await Promise.all(plugins.map((plugin) => started(plugin.name)));
}
