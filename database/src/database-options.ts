import type { Migration } from 'kysely';

/** Defaults of openDatabase, in one place. */
export const DatabaseDefaults = {
  /** How long open waits for another holder of the file to let go, and SQLite's busy_timeout. */
  busyTimeoutMs: 5000,
  /** Pause between attempts to take a busy file; the wait runs on timers so the event loop stays free. */
  lockRetryIntervalMs: 25,
} as const;

/**
 * Where a database's migrations come from: an object map of name -> migration (recommended:
 * `plugins/<name>/src/migrations/index.ts` exporting it), or a folder whose `.ts`/`.js`/`.mjs`
 * modules each export `up` (and optionally `down`). Names sort in code-unit order.
 */
export type MigrationSource = Readonly<Record<string, Migration>> | { readonly folder: string };

/** Options every dialect shares. */
export interface CommonDatabaseOptions {
  /** Applied at open, each in its own transaction, in name order. */
  migrations?: MigrationSource;
  /** Aborts open while it waits for a busy file or between migrations; open then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A SQLite database in one file, owned by one process at a time. */
export interface SqliteDatabaseOptions extends CommonDatabaseOptions {
  dialect: 'sqlite';
  /** Path of the database file; its parent directory is created. Normally inside the plugin's data directory. */
  file: string;
  /** How long open waits for another holder of the file; default DatabaseDefaults.busyTimeoutMs. */
  busyTimeoutMs?: number;
}

/** Declared so plugins can name it; opening one fails with CDS_ERR_DATABASE_DIALECT_UNAVAILABLE until it exists. */
export interface PostgresDatabaseOptions extends CommonDatabaseOptions {
  dialect: 'postgres';
  /** A `postgres://` connection URL. */
  connectionString: string;
}

/** Options of openDatabase, discriminated on `dialect` so a new dialect needs no change in plugins. */
export type DatabaseOptions = SqliteDatabaseOptions | PostgresDatabaseOptions;

/** The dialects openDatabase knows by name. */
export type DatabaseDialect = DatabaseOptions['dialect'];
