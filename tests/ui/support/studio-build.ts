import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../../integration/support/test-kernel.ts';

/** What the studio's build reads: its source, its config, the themes and the sdk and kernel modules it imports. */
const BUILD_INPUTS = ['ui/src', 'ui/index.html', 'ui/vite.config.ts', 'ui/package.json', 'themes', 'sdk/src', 'kernel/src/lifecycle', 'package-lock.json'];

/** Builds of other sources older than this are removed when a new build is made. */
const STALE_BUILD_MS = 60 * 60 * 1000;

const CACHE_PREFIX = 'cds-ui-build-';

/**
 * The studio built from the current ui/src, so a test runs the current source (not whatever
 * ui/dist holds). Builds are kept in the temporary directory under a hash of their inputs: the
 * test files of one run (and of runs until the source changes) share one build, which matters
 * since the editor makes a build take many seconds. Concurrent builders race harmlessly: each
 * builds into its own directory and the first rename wins. Nobody deletes the result.
 */
export async function buildStudio(): Promise<string> {
  const hash = await hashInputs();
  const target = join(tmpdir(), `${CACHE_PREFIX}${hash}`);
  if (existsSync(join(target, 'index.html'))) return target;

  const outDir = await mkdtemp(join(tmpdir(), 'cds-ui-partial-'));
  try {
    await viteBuild(outDir);
    await rename(outDir, target);
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    if (!existsSync(join(target, 'index.html'))) throw error; // another builder's rename won otherwise
  }
  await removeStaleBuilds(target);
  return target;
}

async function viteBuild(outDir: string): Promise<void> {
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'error'], {
    cwd: join(repoRoot, 'ui'),
    env: { ...process.env, CYBERSTUDIO_UI_OUT_DIR: outDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`vite build of ui/ failed (exit ${code}):\n${output}`);
}

async function hashInputs(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of BUILD_INPUTS) {
    for (const file of await filesUnder(join(repoRoot, input))) {
      hash.update(relative(repoRoot, file)).update('\0').update(await readFile(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.name !== 'node_modules' && entry.name !== 'dist')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => filesUnder(join(path, entry.name))),
  );
  return nested.flat();
}

async function removeStaleBuilds(keep: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const path = join(tmpdir(), name);
    if (path === keep) continue;
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_BUILD_MS) await rm(path, { recursive: true, force: true });
  }
}
