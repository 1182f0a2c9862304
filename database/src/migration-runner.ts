import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { MigrationSource } from './database-options.ts';

/** Which migrations a database has applied and which it has not, each in name order. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** Details of CDS_ERR_MIGRATION_FAILED. */
export interface MigrationFailure {
  file: string;
  /** The migration that failed, or null when none ran (unreadable folder, missing or out-of-order names). */
  migration: string | null;
  reason: string;
}

/** Applies a SQLite database's migrations with Kysely's Migrator (tables `kysely_migration`, `kysely_migration_lock`). */
export class MigrationRunner {
  readonly #db: Kysely<any>;
  readonly #migrator: Migrator;
  readonly #location: string;

  constructor(db: Kysely<any>, source: MigrationSource, location: string) {
    this.#db = db;
    this.#migrator = new Migrator({ db, provider: providerOf(source) });
    this.#location = location;
  }

  /**
   * Applies every pending migration, one transaction each, in name order. A failing migration
   * is rolled back alone: the ones before it stay applied. Fails with CDS_ERR_MIGRATION_FAILED.
   */
  async applyPending(signal?: AbortSignal): Promise<void> {
    // Off, a migration can rebuild a table the way SQLite's ALTER TABLE guide says, without the
    // DROP cascading into child rows; each migration ends with foreign_key_check instead.
    // SQLite ignores this pragma inside a transaction, so it is switched around them all.
    await sql`PRAGMA foreign_keys = OFF`.execute(this.#db);
    try {
      for (;;) {
        signal?.throwIfAborted();
        // migrateToLatest would run the whole batch in one transaction; migrateUp is one step, one transaction.
        const outcome = await this.#migrator.migrateUp();
        if (outcome.error !== undefined) throw this.#failure(outcome);
        if (outcome.results === undefined || outcome.results.length === 0) return;
      }
    } finally {
      await sql`PRAGMA foreign_keys = ON`.execute(this.#db);
    }
  }

  /** Applied and pending migration names. */
  async status(): Promise<MigrationStatus> {
    const migrations = await this.#migrator.getMigrations();
    return {
      applied: migrations.filter((migration) => migration.executedAt !== undefined).map((migration) => migration.name),
      pending: migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name),
    };
  }

  #failure({ error, results }: MigrationResultSet): LocalError<MigrationFailure> {
    const migration = results?.find((result) => result.status === 'Error')?.migrationName ?? null;
    const reason = error instanceof Error ? error.message : String(error);
    const message = migration === null
      ? `The migrations of ${this.#location} cannot run: ${reason}`
      : `Migration ${migration} of ${this.#location} failed and was rolled back: ${reason}`;
    return new LocalError(LocalErrorCode.MigrationFailed, message, { file: this.#location, migration, reason }, { cause: error });
  }
}

function providerOf(source: MigrationSource): MigrationProvider {
  const provider: MigrationProvider = isFolder(source)
    ? new FileMigrationProvider({ fs, path, migrationFolder: path.resolve(source.folder) })
    : { getMigrations: async () => ({ ...source }) };
  return {
    getMigrations: async () => {
      const migrations = await provider.getMigrations();
      return Object.fromEntries(Object.entries(migrations).map(([name, migration]) => [name, withForeignKeyCheck(migration)]));
    },
  };
}

/** `migration` whose `up` fails, inside its transaction, when it leaves a row breaking a foreign key. */
function withForeignKeyCheck(migration: Migration): Migration {
  return {
    ...migration,
    up: async (db) => {
      await migration.up(db);
      const { rows } = await sql<{ table: string; rowid: number | null; parent: string }>`PRAGMA foreign_key_check`.execute(db);
      const first = rows[0];
      if (first !== undefined) {
        throw new Error(`it leaves ${rows.length} row(s) breaking a foreign key, first: ${first.table} row ${first.rowid} -> ${first.parent}`);
      }
    },
  };
}

function isFolder(source: MigrationSource): source is { readonly folder: string } {
  return typeof (source as { folder?: unknown }).folder === 'string';
}
