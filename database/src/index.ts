/** @cyberstudio/database: the data toolkit every plugin uses; typed SQLite through Kysely, migrations, one writer per file. */
export { openDatabase } from './open-database.ts';
export type { Database } from './database.ts';
export {
  DatabaseDefaults,
  type DatabaseOptions, type DatabaseDialect, type CommonDatabaseOptions, type SqliteDatabaseOptions,
  type PostgresDatabaseOptions, type MigrationSource,
} from './database-options.ts';
export type { MigrationStatus, MigrationFailure } from './migration-runner.ts';
// What plugins need from Kysely, re-exported so they depend on the toolkit and not on its driver.
export { sql } from 'kysely';
export type {
  Kysely, Transaction, Migration, Generated, ColumnType, Insertable, Selectable, Updateable,
} from 'kysely';
