import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalErrorCode } from '@cyberstudio/sdk';
import { DatabaseDefaults, openDatabase, sql, type Database, type Generated, type Migration } from '../src/index.ts';

interface NotesTable {
  id: Generated<number>;
  title: string;
  /** SQLite has no boolean: 0 or 1; Generated because the column has a default. */
  done: Generated<number>;
}

interface Tables {
  notes: NotesTable;
}

const createNotes: Migration = {
  up: async (db) => {
    await db.schema.createTable('notes')
      .addColumn('id', 'integer', (column) => column.primaryKey())
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('done', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
  },
};

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cds-database-'));
  file = join(dir, 'nested', 'data', 'notes.sqlite');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function openNotes(): Promise<Database<Tables>> {
  return openDatabase<Tables>({ dialect: 'sqlite', file, migrations: { '0001-create-notes': createNotes } });
}

async function pragma(database: Database<Tables>, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`PRAGMA ${sql.raw(name)}`.execute(database.db);
  return Object.values(rows[0] ?? {})[0];
}

describe('openDatabase', () => {
  it('creates the file and its directory with WAL, foreign keys, busy timeout, NORMAL sync and exclusive locking', async () => {
    await using database = await openNotes();
    expect(existsSync(file)).toBe(true);
    expect(await pragma(database, 'journal_mode')).toBe('wal');
    expect(await pragma(database, 'foreign_keys')).toBe(1);
    expect(await pragma(database, 'busy_timeout')).toBe(DatabaseDefaults.busyTimeoutMs);
    expect(await pragma(database, 'synchronous')).toBe(1);
    expect(await pragma(database, 'locking_mode')).toBe('exclusive');
  });

  it('sets the busy timeout it is given', async () => {
    await using database = await openDatabase<Tables>({ dialect: 'sqlite', file, busyTimeoutMs: 1234 });
    expect(await pragma(database, 'busy_timeout')).toBe(1234);
  });

  it('round-trips typed rows', async () => {
    await using database = await openNotes();
    const { id } = await database.db.insertInto('notes').values({ title: 'write the README' })
      .returning('id').executeTakeFirstOrThrow();
    const row = await database.db.selectFrom('notes').select(['id', 'title', 'done']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ id, title: 'write the README', done: 0 });
    // @ts-expect-error: the Tables interface has no `author` column, so the query does not compile.
    database.db.selectFrom('notes').select('author');
  });

  it('commits a transaction whose function resolves', async () => {
    await using database = await openNotes();
    const result = await database.transaction(async (trx) => {
      await trx.insertInto('notes').values([{ title: 'a' }, { title: 'b' }]).execute();
      return 'done';
    });
    expect(result).toBe('done');
    expect(await database.db.selectFrom('notes').select('title').orderBy('id').execute()).toEqual([{ title: 'a' }, { title: 'b' }]);
  });

  it('rolls back a transaction whose function throws, and rethrows', async () => {
    await using database = await openNotes();
    const failure = new Error('second step failed');
    await expect(database.transaction(async (trx) => {
      await trx.insertInto('notes').values({ title: 'half done' }).execute();
      throw failure;
    })).rejects.toBe(failure);
    expect(await database.db.selectFrom('notes').selectAll().execute()).toEqual([]);
  });

  it('fails the postgres dialect with a clear not-available error', async () => {
    const opening = openDatabase({ dialect: 'postgres', connectionString: 'postgres://localhost/studio' });
    await expect(opening).rejects.toMatchObject({
      code: LocalErrorCode.DatabaseDialectUnavailable,
      message: expect.stringMatching(/postgres.*not available yet/),
      details: { dialect: 'postgres' },
    });
  });

  it('fails a file that is not a database with the open-failed code', async () => {
    const notDatabase = join(dir, 'notes.txt');
    await writeFile(notDatabase, 'these are plain notes, not SQLite pages '.repeat(100));
    await expect(openDatabase({ dialect: 'sqlite', file: notDatabase })).rejects.toMatchObject({
      code: LocalErrorCode.DatabaseOpenFailed,
      details: { file: notDatabase, reason: expect.stringContaining('not a database') },
    });
  });

  it('closes twice without error', async () => {
    const database = await openNotes();
    await database.close();
    await expect(database.close()).resolves.toBeUndefined();
  });

  it('fails queries, transactions and migration status after close with the closed code', async () => {
    const database = await openNotes();
    await database.close();
    const closed = { code: LocalErrorCode.DatabaseClosed, details: { file } };
    await expect(database.db.selectFrom('notes').selectAll().execute()).rejects.toMatchObject(closed);
    await expect(database.transaction(async () => 'never')).rejects.toMatchObject(closed);
    await expect(database.migrationStatus()).rejects.toMatchObject(closed);
  });

  it('lets the query in flight finish before close releases the file', async () => {
    const database = await openNotes();
    const insert = database.db.insertInto('notes').values({ title: 'last word' }).execute();
    const closing = database.close();
    await insert;
    await closing;
    await using reopened = await openNotes();
    expect(await reopened.db.selectFrom('notes').select('title').execute()).toEqual([{ title: 'last word' }]);
  });
});
