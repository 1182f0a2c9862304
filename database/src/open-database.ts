import { Kysely } from 'kysely';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import { ToolkitSqliteDialect } from './toolkit-sqlite-dialect.ts';
import { Database } from './database.ts';
import type { DatabaseOptions, SqliteDatabaseOptions } from './database-options.ts';
import { MigrationRunner } from './migration-runner.ts';
import { openSqliteFile } from './open-sqlite-file.ts';

/**
 * Opens a database for this process alone and applies its pending migrations. `Tables` maps
 * table names to row types and types every query. Fails with a LocalError: CDS_ERR_DATABASE_IN_USE,
 * CDS_ERR_MIGRATION_FAILED, CDS_ERR_DATABASE_OPEN_FAILED, CDS_ERR_DATA_DIR_UNAVAILABLE or
 * CDS_ERR_DATABASE_DIALECT_UNAVAILABLE; with the signal's reason when `signal` aborts.
 */
export async function openDatabase<Tables>(options: DatabaseOptions): Promise<Database<Tables>> {
  switch (options.dialect) {
    case 'sqlite':
      return openSqlite<Tables>(options);
    case 'postgres':
      throw dialectUnavailable('postgres');
    default:
      options satisfies never;
      // Plain JavaScript callers can pass anything.
      throw dialectUnavailable(String((options as { dialect?: unknown }).dialect));
  }
}

async function openSqlite<Tables>(options: SqliteDatabaseOptions): Promise<Database<Tables>> {
  const sqlite = await openSqliteFile(options);
  const dialect = new ToolkitSqliteDialect(sqlite, options.file);
  const db = new Kysely<Tables>({ dialect });
  const migrations = options.migrations === undefined ? undefined : new MigrationRunner(db, options.migrations, options.file);
  try {
    await migrations?.applyPending(options.signal);
  } catch (error) {
    await dialect.close();
    throw error;
  }
  return new Database({ db, location: options.file, migrations, shutDown: () => dialect.close() });
}

function dialectUnavailable(dialect: string): LocalError<{ dialect: string }> {
  return new LocalError(
    LocalErrorCode.DatabaseDialectUnavailable,
    `The database dialect '${dialect}' is not available yet; use dialect 'sqlite'`,
    { dialect },
  );
}
