import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceRoot = fileURLToPath(new URL('../src/', import.meta.url));

// Every relative specifier of a static import or export, type-only ones included: a type
// import is still a dependency between two files, and the cycle it closes is a design knot.
const RELATIVE_IMPORT = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports per file of kernel/src, as absolute paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(RELATIVE_IMPORT)].map((match) => resolve(dirname(file), match[1]!)).filter((path) => path.endsWith('.ts'));
    graph.set(file, imports);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the files on it with the first repeated at the end. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const finished = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const open = path.indexOf(file);
    if (open !== -1) {
      cycles.push([...path.slice(open), file].map((entry) => relative(sourceRoot, entry)));
      return;
    }
    if (finished.has(file)) return;
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    finished.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

describe('kernel/src import graph', () => {
  it('sees the relative imports of kernel.ts, so an empty cycle list means something', () => {
    const graph = importGraph();
    expect(graph.get(join(sourceRoot, 'kernel.ts'))).toContain(join(sourceRoot, 'lifecycle', 'plugin-supervisor.ts'));
  });

  it('finds a cycle when two files import each other', () => {
    const a = join(sourceRoot, 'a.ts');
    const b = join(sourceRoot, 'b.ts');
    expect(findCycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(findCycles(importGraph())).toEqual([]);
  });
});
