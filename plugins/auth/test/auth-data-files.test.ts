import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityPerTest } from './support/identity-harness.ts';

const open = identityPerTest();
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("auth's data files", () => {
  it('keeps auth.sqlite and its WAL readable by their owner only (0600), like the operator key', async () => {
    const auth = await open();
    await auth.createUser('ada');
    const file = join(auth.dataDir, 'auth.sqlite');

    const files = [file, `${file}-wal`, `${file}-shm`].filter(existsSync);
    expect(files).toContain(`${file}-wal`);
    expect(files.map(modeOf)).toEqual(files.map(() => 0o600));
  });
});
