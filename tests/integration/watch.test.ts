import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchRegistry } from '../../kernel/src/cli/watch-registry.ts';
import { loadRegistry } from '../../kernel/src/registry/index.ts';
import { fixture, startTestKernel, type TestKernel } from './support/test-kernel.ts';

const echo = (watch: string[]) => ({ name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup', watch });

describe('--watch', () => {
  let test: TestKernel | undefined;
  let watcher: { close(): Promise<void> } | undefined;

  afterEach(async () => {
    await watcher?.close();
    await test?.close();
  });

  it('adds a plugin written into plugins.json while the kernel runs', async () => {
    test = await startTestKernel([]);
    watcher = watchRegistry(test.kernel);
    await new Promise((resolve) => setTimeout(resolve, 300)); // chokidar's initial scan
    await writeFile(test.registryFile, JSON.stringify({ plugins: [echo([])] }));

    await vi.waitFor(() => expect(test!.kernel.supervisors.map((s) => s.name)).toEqual(['echo']), { timeout: 10_000, interval: 100 });
    await test.waitForState('echo', 'running');
  });

  it('keeps the running registry when the changed plugins.json is invalid', async () => {
    test = await startTestKernel([echo([])]);
    watcher = watchRegistry(test.kernel);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(test.registryFile, '{ "plugins": [ { "name": "echo", "autostrat": true } ] }');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // nothing should happen: give the watcher time to (wrongly) act

    expect(test.kernel.supervisor('echo').state).toBe('running');
    expect(test.kernel.registry.plugins[0]!.entrypoint).toBe(fixture('echo/main.ts'));
  });

  it("restarts a plugin when a file under its watch paths changes", async () => {
    test = await startTestKernel([]);
    const sources = join(test.dir, 'src');
    await mkdir(sources);
    await writeFile(join(sources, 'a.txt'), 'one');
    await writeFile(test.registryFile, JSON.stringify({ plugins: [echo([sources])] }));
    await test.kernel.reload(await loadRegistry(test.registryFile));
    await test.waitForState('echo', 'running');
    const before = test.kernel.supervisor('echo').process!.pid;
    watcher = watchRegistry(test.kernel);
    await new Promise((resolve) => setTimeout(resolve, 300));

    await writeFile(join(sources, 'a.txt'), 'two');

    await vi.waitFor(() => {
      const pid = test!.kernel.supervisor('echo').process?.pid;
      expect(pid).toBeDefined();
      expect(pid).not.toBe(before);
    }, { timeout: 10_000, interval: 100 });
  });
});
