import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sdkRoot = fileURLToPath(new URL('../', import.meta.url));

/** Import and export-from statements, side-effect imports, dynamic imports and require calls. */
const specifierPatterns = [
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Globals that exist only in Node; code using them breaks where the root entry must run. */
const nodeOnlyGlobals = /\b(?:process\.\w|Buffer\.\w|NodeJS\.\w|__dirname|__filename|require\s*\()/;

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier) || builtinModules.includes(specifier.split('/')[0]!);
}

/** One reason a file reachable from the entry would not run outside Node. */
interface Violation {
  file: string;
  problem: string;
}

/** Walks the relative imports from `entry` (type-only imports included) and lists Node builtins and Node-only globals. */
function nodeDependencies(entry: string): { files: string[]; violations: Violation[] } {
  const seen = new Set<string>();
  const violations: Violation[] = [];
  const queue = [resolve(sdkRoot, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const name = relative(sdkRoot, file);
    for (const pattern of specifierPatterns) {
      for (const [, specifier] of source.matchAll(pattern)) {
        if (specifier!.startsWith('.')) queue.push(resolve(dirname(file), specifier!));
        else if (isNodeBuiltin(specifier!)) violations.push({ file: name, problem: `imports ${specifier}` });
      }
    }
    const global = nodeOnlyGlobals.exec(source);
    if (global) violations.push({ file: name, problem: `uses ${global[0]}` });
  }
  return { files: [...seen].map((file) => relative(sdkRoot, file)), violations };
}

describe('platform-neutral entries', () => {
  it('loads no Node builtin and uses no Node-only global from the SDK root entry', () => {
    const { files, violations } = nodeDependencies('src/index.ts');
    expect(files).toContain('src/rpc/rpc-connection.ts');
    expect(violations).toEqual([]);
  });

  it('loads no Node builtin and uses no Node-only global from the testing entry', () => {
    const { files, violations } = nodeDependencies('src/testing/index.ts');
    expect(files).toContain('src/testing/memory-transport.ts');
    expect(violations).toEqual([]);
  });

  it('loads no Node builtin and uses no Node-only global from the client entry', () => {
    const { files, violations } = nodeDependencies('src/client/index.ts');
    expect(files).toContain('src/client/gateway-connection.ts');
    expect(violations).toEqual([]);
  });

  it('flags the Node entry, which does use Node builtins', () => {
    const { violations } = nodeDependencies('src/node/index.ts');
    expect(violations).toEqual(expect.arrayContaining([
      { file: 'src/node/run-plugin.ts', problem: 'imports node:console' },
      { file: 'src/node/stream-transport.ts', problem: 'imports node:stream' },
    ]));
  });
});
