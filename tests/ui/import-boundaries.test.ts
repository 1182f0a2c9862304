// The studio reads the kernel's and plugins' answer types only through their package exports
// (`@cyberstudio/kernel/answers`, ...), never by a path into another package's src/: a path
// there ties the browser build to files the package is free to move or fill with Node code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const uiRoot = join(repoRoot, 'ui');
/** The studio's themes: stylesheets at the top level (no package, no code), which the studio imports by path. */
const themesRoot = join(repoRoot, 'themes');

/** Import and export-from statements, side-effect imports and dynamic imports. */
const specifierPatterns = [
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

function specifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return specifierPatterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** The workspace packages by name, with their folder and export map. */
function workspacePackages(): Map<string, { dir: string; exports: Record<string, { types: string; default: string }> }> {
  const dirs = ['sdk', 'kernel', 'database', 'ui', ...readdirSync(join(repoRoot, 'plugins')).map((name) => join('plugins', name))];
  const packages = new Map<string, { dir: string; exports: Record<string, { types: string; default: string }> }>();
  for (const dir of dirs) {
    let manifest: { name: string; exports?: Record<string, { types: string; default: string }> };
    try {
      manifest = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    packages.set(manifest.name, { dir: join(repoRoot, dir), exports: manifest.exports ?? {} });
  }
  return packages;
}

/** `@scope/name/sub/path` as its package name and `./sub/path`. */
function splitBare(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(count).join('/');
  return { name: parts.slice(0, count).join('/'), subpath: rest === '' ? '.' : `./${rest}` };
}

/** Every import in ui/src that leaves ui/ by a relative path or reaches into a package's src/ by a bare one. */
function boundaryViolations(): string[] {
  const packages = workspacePackages();
  const violations: string[] = [];
  for (const file of sourceFiles(join(uiRoot, 'src'))) {
    const name = relative(repoRoot, file);
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(uiRoot + sep) && !(target.startsWith(themesRoot + sep) && target.endsWith('.css'))) violations.push(`${name}: ${specifier} leaves ui/`);
        continue;
      }
      const { name: packageName, subpath } = splitBare(specifier);
      const workspace = packages.get(packageName);
      if (workspace === undefined) continue;
      if (/(^|\/)(src|dist)(\/|$)/.test(subpath)) violations.push(`${name}: ${specifier} reaches into ${packageName}'s files`);
      else if (!(subpath in workspace.exports)) violations.push(`${name}: ${specifier} is not an export of ${packageName}`);
    }
  }
  return violations;
}

/** The imports of packages, values or effects reachable from an answers module by its relative imports. */
function answerModuleImports(entry: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(import|export)(\s+type)?\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)) {
      const [, , typeOnly, specifier] = match;
      const name = relative(repoRoot, file);
      if (!specifier!.startsWith('.')) problems.push(`${name}: imports ${specifier}`);
      else if (typeOnly === undefined) problems.push(`${name}: imports ${specifier} as a value`);
      else queue.push(resolve(dirname(file), specifier!));
    }
    for (const match of source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) problems.push(`${relative(repoRoot, file)}: imports ${match[1]} for its effects`);
  }
  return problems;
}

describe('the studio\'s import boundaries', () => {
  it('imports nothing outside ui/ by a relative path, and other packages only through their exports', () => {
    expect(boundaryViolations()).toEqual([]);
  });

  it('reads the kernel and plugin answer types through ./answers exports whose modules import only types of one another', () => {
    const packages = workspacePackages();
    const answers = [...packages].filter(([, workspace]) => './answers' in workspace.exports);
    expect(answers.map(([name]) => name)).toEqual(expect.arrayContaining(['@cyberstudio/kernel', '@cyberstudio/plugin-auth', '@cyberstudio/plugin-llmserver']));
    for (const [, workspace] of answers) {
      expect(answerModuleImports(join(workspace.dir, workspace.exports['./answers']!.types))).toEqual([]);
    }
  });
});
