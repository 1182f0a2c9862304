#!/usr/bin/env node
/**
 * Builds what ships into each package's `dist/`, so `npm start`, the CLI and the plugins run
 * plain JavaScript under `node`: no TypeScript loader thread and no esbuild service at run time.
 *
 *   node kernel/scripts/build-runtime.mjs [--if-stale] [--quiet]
 *
 * Two kinds of output, both made by esbuild at build time:
 * - a process bundle per entrypoint that runs as its own process (the kernel's CLI and every
 *   first-party plugin's `src/main.ts`): its code and its pure-JavaScript dependencies in one
 *   file (plus lazily loaded chunks), so a process starts without resolving and reading hundreds
 *   of modules; native addons and packages that locate files of their own stay external;
 * - a library build per package export (the SDK, the kernel, the database toolkit), for
 *   third-party plugins, tests and the benchmark: the package's own code only, every package
 *   import left to node, so each package is loaded once per process.
 *
 * `--if-stale` skips the build when no source file is newer than the last build (the test
 * suite's global setup uses it). Types are checked by `npm run typecheck`, not here.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const STAMP = join(repoRoot, 'kernel', 'dist', '.build-stamp');
/** Where a build is written before it replaces dist/ whole, so a process running from dist/ never sees half a build. */
const NEXT_DIST = '.dist-next';

/**
 * Packages a process bundle leaves to node: native addons, and packages that find their own
 * files at run time (pino's transport worker, node-llama-cpp's binaries, tsx when a plugin's
 * entrypoint is TypeScript) or that are optional native speed-ups of others.
 */
const PROCESS_EXTERNALS = ['better-sqlite3', 'node-llama-cpp', 'pino', 'pino-pretty', 'tsx', 'bufferutil', 'utf-8-validate', 'fsevents'];

// CommonJS dependencies inside an ESM bundle call require() for node's built-ins.
const REQUIRE_SHIM = "import { createRequire as __cdsCreateRequire } from 'node:module'; const require = __cdsCreateRequire(import.meta.url);";

/** The package folders (relative to the repository root) whose `src/` ships. */
function runtimePackages() {
  const plugins = readdirSync(join(repoRoot, 'plugins'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, 'plugins', entry.name, 'src', 'main.ts')))
    .map((entry) => join('plugins', entry.name));
  return ['sdk', 'database', 'kernel', ...plugins];
}

/** A workspace package's manifest and folder, by package name (`@cyberstudio/sdk` -> sdk). */
function workspaceManifests(packages) {
  return new Map(packages.map((pkg) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, pkg, 'package.json'), 'utf8'));
    return [manifest.name, { dir: join(repoRoot, pkg), manifest }];
  }));
}

/**
 * An esbuild plugin for process bundles: `@cyberstudio/<pkg>[/<subpath>]` resolves to the
 * source file its export names under `types`, so a bundle is made from sources alone, whatever
 * state the other packages' dist/ folders are in.
 */
function workspaceSources(packages) {
  const workspaces = workspaceManifests(packages);
  return {
    name: 'workspace-sources',
    setup(build) {
      build.onResolve({ filter: /^@cyberstudio\// }, (args) => {
        const [scope, name, ...rest] = args.path.split('/');
        const workspace = workspaces.get(`${scope}/${name}`);
        if (workspace === undefined) return undefined;
        const subpath = rest.length === 0 ? '.' : `./${rest.join('/')}`;
        const source = workspace.manifest.exports?.[subpath]?.types;
        if (typeof source !== 'string') return { errors: [{ text: `${args.path} is not exported by ${workspace.manifest.name} (its package.json exports)` }] };
        return { path: join(workspace.dir, source) };
      });
    },
  };
}

/** The `./dist/*.js` targets of a package's exports, with the `./src/*.ts` file each is built from. */
function libraryEntries(pkg) {
  const manifest = JSON.parse(readFileSync(join(repoRoot, pkg, 'package.json'), 'utf8'));
  const entries = {};
  for (const target of Object.values(manifest.exports ?? {})) {
    if (typeof target !== 'object' || typeof target.default !== 'string' || typeof target.types !== 'string') continue;
    entries[target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '')] = join(repoRoot, pkg, target.types);
  }
  return entries;
}

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else files.push(path);
  }
  return files;
}

function newestMtime(files) {
  let newest = 0;
  for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

/** Every build of the runtime: [esbuild options] for each package. */
function builds(packages) {
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', splitting: true, logLevel: 'silent', legalComments: 'none', charset: 'ascii', minifyWhitespace: true, minifySyntax: true, sourcemap: 'linked', chunkNames: 'chunks/[name]-[hash]' };
  const result = [];
  for (const pkg of packages) {
    const outdir = join(repoRoot, pkg, NEXT_DIST);
    const library = libraryEntries(pkg);
    if (Object.keys(library).length > 0) {
      result.push({ ...common, entryPoints: library, outdir, packages: 'external' });
    }
    const processEntries = pkg === 'kernel'
      ? { 'cli/main': join(repoRoot, 'kernel/src/cli/main.ts') }
      : pkg.startsWith('plugins') ? { main: join(repoRoot, pkg, 'src/main.ts') } : {};
    if (Object.keys(processEntries).length > 0) {
      result.push({ ...common, entryPoints: processEntries, outdir, external: PROCESS_EXTERNALS, plugins: [workspaceSources(packages)], banner: { js: REQUIRE_SHIM }, chunkNames: 'chunks/run-[name]-[hash]' });
    }
  }
  return result;
}

const LOCK = join(repoRoot, 'kernel', '.build-lock');
const LOCK_WAIT_MS = 120_000;

/**
 * Runs `work` holding the build lock (a file holding the builder's pid), so two builds started at
 * once (two test runs, a watcher) take turns instead of swapping dist/ folders under each other.
 * A lock whose process is gone is taken over.
 */
async function withBuildLock(work) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      writeFileSync(LOCK, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(LOCK, 'utf8')) || 0;
      if (holder > 0 && !processAlive(holder)) rmSync(LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`another runtime build (pid ${holder}) has held ${LOCK} for ${LOCK_WAIT_MS / 1000} s`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Builds every runtime package; returns the number of files written (0: up to date). */
function buildRuntime(options = {}) {
  return withBuildLock(() => buildUnlocked(options));
}

async function buildUnlocked({ ifStale = false }) {
  const packages = runtimePackages();
  // The kernel's bundle also holds the JSON Schemas under schemas/ (imported, not read at run time).
  const inputs = packages.flatMap((pkg) => [...sourceFiles(join(repoRoot, pkg, 'src')), join(repoRoot, pkg, 'package.json')]);
  inputs.push(...sourceFiles(join(repoRoot, 'schemas')), fileURLToPath(import.meta.url));
  // The stamp carries the time the build started: a source saved while it ran is newer, so the next --if-stale builds again.
  const startedAt = new Date();
  if (ifStale && existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestMtime(inputs)) return 0;
  const esbuild = await import('esbuild');
  for (const pkg of packages) rmSync(join(repoRoot, pkg, NEXT_DIST), { recursive: true, force: true });
  let written = 0;
  try {
    for (const options of builds(packages)) {
      const result = await esbuild.build({ ...options, metafile: true });
      written += Object.keys(result.metafile.outputs).length;
    }
  } catch (error) {
    const messages = (error.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    throw new Error(`the runtime build failed:\n${messages.join('\n') || error.message}`);
  }
  for (const pkg of packages) replaceDist(join(repoRoot, pkg));
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${startedAt.toISOString()}\n`);
  utimesSync(STAMP, startedAt, startedAt);
  return written;
}

/** Relative path -> content of every file under `dir` (empty when it does not exist). */
function treeContents(dir, prefix = '') {
  const contents = new Map();
  if (!existsSync(dir)) return contents;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const [name, text] of treeContents(path, `${prefix}${entry.name}/`)) contents.set(name, text);
    else if (entry.name !== '.build-stamp') contents.set(`${prefix}${entry.name}`, readFileSync(path));
  }
  return contents;
}

function sameTree(a, b) {
  const left = treeContents(a);
  const right = treeContents(b);
  return left.size === right.size && [...left].every(([name, text]) => right.get(name)?.equals(text));
}

/**
 * Swaps `<pkg>/.dist-next` in as `<pkg>/dist` (two renames) and removes the old build; a
 * package whose output did not change keeps its dist/ untouched, so `start --watch` restarts
 * only the plugins a change reached.
 */
function replaceDist(pkgDir) {
  const dist = join(pkgDir, 'dist');
  const next = join(pkgDir, NEXT_DIST);
  if (existsSync(next) && sameTree(next, dist)) {
    rmSync(next, { recursive: true, force: true });
    return;
  }
  const old = join(pkgDir, '.dist-old');
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dist)) renameSync(dist, old);
  if (existsSync(join(pkgDir, NEXT_DIST))) renameSync(join(pkgDir, NEXT_DIST), dist);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  try {
    const written = await buildRuntime({ ifStale: process.argv.includes('--if-stale') });
    if (!process.argv.includes('--quiet')) {
      console.log(written === 0
        ? 'runtime build: up to date'
        : `runtime build: ${written} files into sdk, database, kernel and plugins/*/dist in ${Math.round(performance.now() - started)} ms`);
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
