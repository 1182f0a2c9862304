import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, sql, type Migration } from '../src/index.ts';

const createNotes: Migration = {
  up: async (db) => {
    await db.schema.createTable('notes').addColumn('id', 'integer', (column) => column.primaryKey()).addColumn('title', 'text').execute();
  },
};

const modeOf = (path: string) => statSync(path).mode & 0o777;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cds-database-modes-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('database file modes', () => {
  it('creates the database file and its WAL 0600 and the directories it makes 0700', async () => {
    const file = join(dir, 'plugin-data', 'nested', 'notes.sqlite');
    const database = await openDatabase<any>({ dialect: 'sqlite', file, migrations: { '0001-notes': createNotes } });
    try {
      for (let row = 0; row < 50; row += 1) await sql`INSERT INTO notes (title) VALUES (${`note ${row}`})`.execute(database.db);

      expect(existsSync(`${file}-wal`)).toBe(true);
      const modes = [file, `${file}-wal`, `${file}-shm`].filter(existsSync).map(modeOf);
      expect(modes.every((mode) => mode === 0o600)).toBe(true);
      expect([modeOf(join(dir, 'plugin-data')), modeOf(join(dir, 'plugin-data', 'nested'))]).toEqual([0o700, 0o700]);
    } finally {
      await database.close();
    }
  });

  it('tightens an existing database file left readable by others to 0600', async () => {
    const file = join(dir, 'old.sqlite');
    const first = await openDatabase<any>({ dialect: 'sqlite', file, migrations: { '0001-notes': createNotes } });
    await first.close();
    await chmod(file, 0o644);

    const again = await openDatabase<any>({ dialect: 'sqlite', file, migrations: { '0001-notes': createNotes } });
    try {
      expect(modeOf(file)).toBe(0o600);
    } finally {
      await again.close();
    }
  });
});
