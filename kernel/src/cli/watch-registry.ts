import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Kernel } from '../kernel.ts';
import { loadRegistry } from '../registry/index.ts';

const DEBOUNCE_MS = 300;

/**
 * `--watch`: reloads plugins.json when it changes (an invalid file is reported and the running
 * registry kept), and restarts a plugin when files under its `watch` paths change.
 */
export function watchRegistry(kernel: Kernel): { close(): Promise<void> } {
  const registryFile = kernel.registry.file;
  const registryWatcher = watch(registryFile, { ignoreInitial: true });
  let pluginWatcher = watchPluginFiles(kernel);
  const reload = debounce(async () => {
    try {
      const registry = await loadRegistry(registryFile);
      await kernel.reload(registry);
      await pluginWatcher.close();
      pluginWatcher = watchPluginFiles(kernel);
      kernel.logger.info('plugins.json reloaded');
    } catch (error) {
      kernel.logger.error(`plugins.json not reloaded: ${(error as Error).message}`);
    }
  });
  registryWatcher.on('change', reload);
  return {
    async close() {
      await registryWatcher.close();
      await pluginWatcher.close();
    },
  };
}

function watchPluginFiles(kernel: Kernel): FSWatcher {
  const owners = new Map<string, string>();
  for (const manifest of kernel.registry.plugins) {
    for (const path of manifest.watch) owners.set(resolve(kernel.registry.baseDir, path), manifest.name);
  }
  const watcher = watch([...owners.keys()], { ignoreInitial: true, ignored: (path) => path.includes('node_modules') });
  const restarts = new Map<string, () => void>();
  watcher.on('all', (_event, path) => {
    const owner = [...owners].find(([root]) => path === root || path.startsWith(root + '/'))?.[1];
    if (!owner) return;
    let restart = restarts.get(owner);
    if (!restart) {
      restart = debounce(async () => {
        const supervisor = kernel.supervisor(owner);
        if (!supervisor.process) return;
        kernel.logger.info({ plugin: owner }, `files changed (${path}); restarting`);
        await supervisor.restart('files changed').catch((error: Error) => kernel.logger.error({ plugin: owner }, error.message));
      });
      restarts.set(owner, restart);
    }
    restart();
  });
  return watcher;
}

function debounce(action: () => Promise<void>): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => void action(), DEBOUNCE_MS);
  };
}
