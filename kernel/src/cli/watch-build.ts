import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watch } from 'chokidar';
import type { Logger } from 'pino';

const DEBOUNCE_MS = 200;
const BUILD_SCRIPT = join('kernel', 'scripts', 'build-runtime.mjs');

/** The checkout this code runs from: the nearest folder above it holding the build script (this file may be inside a bundle). */
function checkoutRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, BUILD_SCRIPT))) return dir;
  }
  return undefined;
}

/**
 * `start --watch` in a source checkout: rebuilds the runtime (kernel/scripts/build-runtime.mjs)
 * when a source file of the SDK, the database toolkit or a first-party plugin changes. The build
 * replaces only the dist/ folders whose output changed, and the registry watcher restarts the
 * plugins whose entrypoint folder that is. The kernel's own code takes effect at the next start.
 * Does nothing (and returns undefined) where there is no build script, as in an installed copy.
 */
export function watchBuild(logger: Logger): { close(): Promise<void> } | undefined {
  const repoRoot = checkoutRoot();
  if (repoRoot === undefined) return undefined;
  const script = join(repoRoot, BUILD_SCRIPT);
  const plugins = readdirSync(join(repoRoot, 'plugins')).map((name) => join('plugins', name, 'src'));
  const sources = ['sdk/src', 'database/src', 'kernel/src', ...plugins].map((path) => join(repoRoot, path)).filter((path) => existsSync(path));
  const watcher = watch(sources, { ignoreInitial: true });
  let timer: NodeJS.Timeout | undefined;
  let building = false;
  let again = false;
  const build = () => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    execFile(process.execPath, [script, '--if-stale'], { cwd: repoRoot }, (error, stdout, stderr) => {
      building = false;
      if (error) logger.error(`runtime rebuild failed: ${(stderr || error.message).trim()}`);
      else logger.info(stdout.trim() || 'runtime rebuilt');
      if (again) {
        again = false;
        build();
      }
    });
  };
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(build, DEBOUNCE_MS);
  });
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
