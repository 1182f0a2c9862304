import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const benchDir = fileURLToPath(new URL('../', import.meta.url));
const repoRoot = join(benchDir, '../..');

/** The bench's own build: where its measuring process and its plugins are written. */
export const BENCH_DIST = join(benchDir, 'dist');

/**
 * Brings the runtime build up to date, then bundles the benchmark plugins to JavaScript with
 * every package left to node, so they run as first-party plugins do: the SDK from its dist/,
 * under plain node. The measuring process itself runs under tsx, which leaves the kernel's
 * built JavaScript as it is (it transforms only TypeScript).
 */
export async function buildBench(): Promise<void> {
  execFileSync(process.execPath, [join(repoRoot, 'kernel/scripts/build-runtime.mjs'), '--if-stale'], { stdio: 'inherit' });
  rmSync(BENCH_DIST, { recursive: true, force: true });
  await build({
    entryPoints: {
      'plugins/bench-echo/main': join(benchDir, 'plugins/bench-echo/main.ts'),
      'plugins/bench-driver/main': join(benchDir, 'plugins/bench-driver/main.ts'),
      'plugins/bench-hold/main': join(benchDir, 'plugins/bench-hold/main.ts'),
    },
    outdir: BENCH_DIST,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
}
