import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalError } from '@cyberstudio/sdk';
import { loadRegistry } from '../../src/registry/index.ts';

const seedEntry = {
  name: 'hello',
  description: 'Says hello',
  entrypoint: 'plugins/hello/src/main.ts',
  autostart: true,
  capabilities: ['hello.echo'],
  healthcheck: { intervalSeconds: 30 },
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cds-registry-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRegistry(text: string): Promise<string> {
  const file = join(dir, 'plugins.json');
  await writeFile(file, text);
  return file;
}

async function loadError(file: string): Promise<LocalError> {
  const error = await loadRegistry(file).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LocalError);
  return error as LocalError;
}

describe('loadRegistry', () => {
  it('loads a seed-style plugins.json as written', async () => {
    const file = await writeRegistry(JSON.stringify({ $schema: './schemas/plugins.schema.json', plugins: [seedEntry] }, null, 2));
    const registry = await loadRegistry(file);
    expect(registry.plugins.map((plugin) => plugin.name)).toEqual(['hello']);
    expect(registry.plugins[0]?.healthcheck.intervalSeconds).toBe(30);
  });

  it('records the absolute file and its directory as baseDir', async () => {
    const file = await writeRegistry(JSON.stringify({ plugins: [] }));
    const registry = await loadRegistry(file);
    expect(registry).toMatchObject({ file, baseDir: dir, plugins: [] });
  });

  it('accepts a file that starts with a byte order mark', async () => {
    const file = await writeRegistry(`\uFEFF${JSON.stringify({ plugins: [seedEntry] })}`);
    await expect(loadRegistry(file)).resolves.toMatchObject({ plugins: [{ name: 'hello' }] });
  });

  it('fails with CDS_ERR_REGISTRY_NOT_FOUND naming the path when the file does not exist', async () => {
    const file = join(dir, 'missing.json');
    const error = await loadError(file);
    expect(error.code).toBe('CDS_ERR_REGISTRY_NOT_FOUND');
    expect(error.message).toContain(file);
  });

  it('fails with CDS_ERR_REGISTRY_NOT_FOUND when the path is a directory', async () => {
    await mkdir(join(dir, 'plugins.json'));
    const error = await loadError(join(dir, 'plugins.json'));
    expect(error.code).toBe('CDS_ERR_REGISTRY_NOT_FOUND');
  });

  it('reports the line and column of a JSON syntax error', async () => {
    const file = await writeRegistry('{\n  "plugins": [\n    { "name": "hello" "entrypoint": "a.ts" }\n  ]\n}\n');
    const error = await loadError(file);
    expect(error.code).toBe('CDS_ERR_REGISTRY_INVALID');
    expect(error.message).toMatch(/^plugins\.json: not valid JSON at line 3, column 23: /);
    expect(error.details).toMatchObject({ line: 3, column: 23 });
  });

  it('reports truncated JSON at the end of the file', async () => {
    const file = await writeRegistry('{\n  "plugins": [\n');
    const error = await loadError(file);
    expect(error.message).toContain('not valid JSON at line 3, column 1');
  });

  it('reports schema errors with the file name, plugin and field', async () => {
    const file = await writeRegistry(JSON.stringify({ plugins: [{ ...seedEntry, healthcheck: { intervalSeconds: 0 } }] }));
    const error = await loadError(file);
    expect(error.message).toBe("plugins.json: plugin 'hello': field 'healthcheck.intervalSeconds' must be >= 1 (got 0)");
  });
});
