import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalErrorCode } from '@cyberstudio/sdk';
import { openDatabase, sql, type Database, type Kysely, type Migration, type MigrationSource } from '../src/index.ts';

let dir: string;
let file: string;
/** Names of the migrations whose `up` ran, in the order they ran. */
let ran: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cds-database-'));
  file = join(dir, 'tasks.sqlite');
  ran = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A migration that records its run and then executes `statements`, one at a time. */
function migration(name: string, ...statements: string[]): [string, Migration] {
  return [name, {
    up: async (db: Kysely<any>) => {
      ran.push(name);
      for (const statement of statements) await sql.raw(statement).execute(db);
    },
  }];
}

const createTasks = migration('0001-create-tasks', 'CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL)');
const addDue = migration('0002-add-due', 'ALTER TABLE tasks ADD COLUMN due INTEGER');
const createTags = migration('0003-create-tags', 'CREATE TABLE tags (task INTEGER NOT NULL REFERENCES tasks (id), tag TEXT NOT NULL)');

function open(...migrations: [string, Migration][]): Promise<Database<unknown>> {
  return openDatabase({ dialect: 'sqlite', file, migrations: Object.fromEntries(migrations) });
}

async function tableNames(database: Database<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'kysely_%' ORDER BY name`
    .execute(database.db);
  return rows.map((row) => row.name);
}

describe('migrations', () => {
  it('applies every migration of an empty database in name order and records them', async () => {
    // Listed out of order on purpose: the names decide.
    await using database = await open(createTags, createTasks, addDue);
    expect(ran).toEqual(['0001-create-tasks', '0002-add-due', '0003-create-tags']);
    expect(await database.migrationStatus()).toEqual({ applied: ['0001-create-tasks', '0002-add-due', '0003-create-tags'], pending: [] });
    expect(await tableNames(database)).toEqual(['tags', 'tasks']);
  });

  it('runs nothing when every migration is already applied', async () => {
    await (await open(createTasks, addDue)).close();
    ran = [];
    await using database = await open(createTasks, addDue);
    expect(ran).toEqual([]);
    expect((await database.migrationStatus()).pending).toEqual([]);
  });

  it('applies only a migration added later', async () => {
    await (await open(createTasks, addDue)).close();
    ran = [];
    await using database = await open(createTasks, addDue, createTags);
    expect(ran).toEqual(['0003-create-tags']);
    expect((await database.migrationStatus()).applied).toEqual(['0001-create-tasks', '0002-add-due', '0003-create-tags']);
  });

  it('rolls back a failing migration alone, keeps the earlier ones, and fails open naming it and the SQL error', async () => {
    const broken = migration('0002-broken', 'CREATE TABLE half_done (id INTEGER)', 'CREATE TABLE tasks_again (oops OOPS OOPS,)');
    const opening = open(createTasks, broken, createTags);
    await expect(opening).rejects.toMatchObject({
      code: LocalErrorCode.MigrationFailed,
      message: expect.stringMatching(/0002-broken.*syntax error/),
      details: { file, migration: '0002-broken', reason: expect.stringContaining('syntax error') },
    });
    expect(ran).toEqual(['0001-create-tasks', '0002-broken']);

    await using database = await open(createTasks);
    expect(await database.migrationStatus()).toEqual({ applied: ['0001-create-tasks'], pending: [] });
    expect(await tableNames(database)).toEqual(['tasks']);
  });

  it('releases the file when a migration fails, so the fixed set can be applied', async () => {
    await expect(open(createTasks, migration('0002-broken', 'SELECT * FROM missing_table'))).rejects.toMatchObject({ code: LocalErrorCode.MigrationFailed });
    await using database = await openDatabase({ dialect: 'sqlite', file, busyTimeoutMs: 0, migrations: Object.fromEntries([createTasks, addDue]) });
    expect((await database.migrationStatus()).applied).toEqual(['0001-create-tasks', '0002-add-due']);
  });

  it('refuses a new migration that sorts before an applied one', async () => {
    await (await open(createTasks, createTags)).close();
    await expect(open(createTasks, addDue, createTags)).rejects.toMatchObject({
      code: LocalErrorCode.MigrationFailed,
      details: { migration: null, reason: expect.stringContaining('0002-add-due') },
    });
  });

  it('fails a migration that leaves a row breaking a foreign key, and rolls it back', async () => {
    const orphan = migration('0004-orphan-tag', "INSERT INTO tags (task, tag) VALUES (42, 'nobody owns me')");
    await expect(open(createTasks, addDue, createTags, orphan)).rejects.toMatchObject({
      code: LocalErrorCode.MigrationFailed,
      details: { migration: '0004-orphan-tag', reason: expect.stringMatching(/foreign key/i) },
    });
    await using database = await open(createTasks, addDue, createTags);
    expect(await sql`SELECT * FROM tags`.execute(database.db).then((result) => result.rows)).toEqual([]);
  });

  it('lets a migration rebuild a parent table without deleting its child rows', async () => {
    const seed = migration('0004-seed', "INSERT INTO tasks (id, title) VALUES (1, 'ship')", "INSERT INTO tags (task, tag) VALUES (1, 'release')");
    // SQLite's recipe for a change ALTER TABLE cannot make: copy, drop, rename.
    const rebuild = migration('0005-rebuild-tasks',
      'CREATE TABLE tasks_new (id INTEGER PRIMARY KEY, title TEXT NOT NULL, due INTEGER NOT NULL DEFAULT 0)',
      'INSERT INTO tasks_new (id, title, due) SELECT id, title, coalesce(due, 0) FROM tasks',
      'DROP TABLE tasks',
      'ALTER TABLE tasks_new RENAME TO tasks');
    await using database = await open(createTasks, addDue, createTags, seed, rebuild);
    expect(await sql`SELECT task, tag FROM tags`.execute(database.db).then((result) => result.rows)).toEqual([{ task: 1, tag: 'release' }]);
    expect(await sql`PRAGMA foreign_keys`.execute(database.db).then((result) => result.rows)).toEqual([{ foreign_keys: 1 }]);
  });

  it('loads migrations from a folder of modules', async () => {
    const folder = join(dir, 'migrations');
    await mkdir(folder);
    await writeFile(join(folder, '0001-create-tasks.mjs'),
      "export async function up(db) { await db.schema.createTable('tasks').addColumn('id', 'integer', (c) => c.primaryKey()).execute(); }\n");
    await writeFile(join(folder, '0002-add-title.mjs'),
      "export async function up(db) { await db.schema.alterTable('tasks').addColumn('title', 'text').execute(); }\n");
    const source: MigrationSource = { folder };
    await using database = await openDatabase({ dialect: 'sqlite', file, migrations: source });
    expect(await database.migrationStatus()).toEqual({ applied: ['0001-create-tasks', '0002-add-title'], pending: [] });
  });

  it('reports no migrations for a database opened without them', async () => {
    await using database = await openDatabase({ dialect: 'sqlite', file });
    expect(await database.migrationStatus()).toEqual({ applied: [], pending: [] });
  });
});
