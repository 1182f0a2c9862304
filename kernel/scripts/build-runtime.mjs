#!/usr/bin/env node
/**
 * Builds what ships: every `src/**.ts` of the SDK, the kernel, the database toolkit and each
 * first-party plugin into that package's `dist/`, file for file, so `npm start`, the CLI and the
 * plugins run plain JavaScript under `node` (no tsx loader thread, no esbuild service).
 *
 *   node kernel/scripts/build-runtime.mjs [--if-stale] [--quiet]
 *
 * `--if-stale` skips the build when no source file is newer than the last build (the test
 * suite's global setup uses it). Types are checked by `npm run typecheck`, not here: the emit
 * is TypeScript's own (`noCheck`), which takes a few seconds for the whole tree.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const STAMP = join(repoRoot, 'kernel', 'dist', '.build-stamp');

/** The packages whose `src/` is built into `dist/`, relative to the repository root. */
export function runtimePackages() {
  const plugins = readdirSync(join(repoRoot, 'plugins'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, 'plugins', entry.name, 'src')))
    .map((entry) => join('plugins', entry.name));
  return ['sdk', 'database', 'kernel', ...plugins];
}

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(c|m)?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

function newestMtime(files) {
  let newest = 0;
  for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

function compilerOptions(ts) {
  const configFile = join(repoRoot, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent({ compilerOptions: config.compilerOptions }, ts.sys, repoRoot, undefined, configFile);
  return {
    ...options,
    noEmit: false,
    noCheck: true,
    // Source imports name `.ts` files (as tsx and the typechecker want); the output names `.js`.
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: false,
    declaration: false,
    sourceMap: false,
    rootDir: repoRoot,
    // Emitted paths are under a virtual folder and mapped to each package's dist/ by writeFile.
    outDir: join(repoRoot, '.runtime-out'),
  };
}

/** `<outDir>/<package>/src/x.js` -> `<package>/dist/x.js`. */
function distPathFor(emitted, packages, outDir) {
  const rel = relative(outDir, emitted);
  for (const pkg of packages) {
    const prefix = `${pkg}${sep}src${sep}`;
    if (rel.startsWith(prefix)) return join(repoRoot, pkg, 'dist', rel.slice(prefix.length));
  }
  throw new Error(`the build emitted ${rel}, which is not under a package's src/`);
}

/** Builds every runtime package; returns the number of files written. */
export async function buildRuntime({ ifStale = false } = {}) {
  const packages = runtimePackages();
  const roots = packages.flatMap((pkg) => sourceFiles(join(repoRoot, pkg, 'src')));
  if (ifStale && existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestMtime(roots)) return 0;
  // Loaded only when there is something to build: it is most of an up-to-date check's time.
  const { default: ts } = await import('typescript');
  const options = compilerOptions(ts);
  const program = ts.createProgram({ rootNames: roots, options });
  const written = new Set();
  const result = program.emit(undefined, (fileName, text) => {
    const target = distPathFor(fileName, packages, options.outDir);
    mkdirSync(dirname(target), { recursive: true });
    // Write then rename: a kernel or test running from dist/ meanwhile never reads half a file.
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, target);
    written.add(target);
  });
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (result.emitSkipped || errors.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => repoRoot, getNewLine: () => '\n' };
    throw new Error(`the runtime build failed:\n${ts.formatDiagnostics(errors, host)}`);
  }
  for (const pkg of packages) pruneStale(join(repoRoot, pkg, 'dist'), written);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return written.size;
}

/** Removes the files of earlier builds whose source is gone (a rename would leave them behind). */
function pruneStale(dir, written) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) pruneStale(path, written);
    else if (path !== STAMP && !written.has(path)) rmSync(path, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const written = await buildRuntime({ ifStale: process.argv.includes('--if-stale') });
  if (!process.argv.includes('--quiet')) {
    console.log(written === 0
      ? 'runtime build: up to date'
      : `runtime build: ${written} files into sdk, database, kernel and plugins/*/dist in ${Math.round(performance.now() - started)} ms`);
  }
}
