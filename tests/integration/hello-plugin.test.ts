import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/src/index.ts';
import { repoRoot } from './support/test-kernel.ts';

describe('the hello plugin from the repository plugins.json', () => {
  let dataDir: string;
  let kernel: Kernel;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cds-hello-'));
    kernel = await Kernel.open({ registryFile: join(repoRoot, 'plugins.json'), dataDir, logger: pino({ level: 'silent' }) });
    await kernel.start();
  });

  afterAll(async () => {
    await kernel?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('is lazy: the kernel start leaves it stopped', () => {
    expect(kernel.supervisor('hello').manifest.activation).toBe('lazy');
    expect(kernel.supervisor('hello').state).toBe('stopped');
  });

  it('returns the params of hello.echo unchanged, starting on that first call', async () => {
    const params = { text: 'hi', nested: { list: [1, 'two', null] } };

    await expect(kernel.call('hello.echo', params)).resolves.toEqual(params);
    expect(kernel.supervisor('hello').state).toBe('running');
  });

  it('streams hello.stream chunks as progress, then answers with how many it sent', async () => {
    const chunks: unknown[] = [];

    const result = await kernel.call('hello.stream', { count: 5 }, { onProgress: (chunk) => chunks.push(chunk) });

    expect(chunks).toEqual([0, 1, 2, 3, 4].map((index) => ({ index, text: `chunk ${index}` })));
    expect(result).toEqual({ sent: 5 });
  });
});
