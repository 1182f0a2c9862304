import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A fresh temporary folder for the tests of one file: created before them, removed after. */
export function useScratchDir(): { readonly path: string; file(name: string): string } {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'cds-llmserver-'));
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  return {
    get path() {
      return folder;
    },
    file: (name: string) => path.join(folder, name),
  };
}
