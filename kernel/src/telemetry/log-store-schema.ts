import type { Kysely } from 'kysely';

/** One row of the `logs` table; `level` is the pino number so a minimum-level filter is a range scan. */
export interface LogRow {
  seq: number;
  time: number;
  plugin: string;
  level: number;
  msg: string;
  /** JSON of the record's fields, or null when it has none. */
  fields: string | null;
  source: string;
}

/** The log store's tables, as Kysely sees them. */
export interface LogDatabase {
  logs: LogRow;
}

/** Creates the `logs` table and its indexes; idempotent, so it runs on every open. */
export async function migrateLogStore(db: Kysely<LogDatabase>): Promise<void> {
  await db.schema.createTable('logs').ifNotExists()
    .addColumn('seq', 'integer', (column) => column.primaryKey())
    .addColumn('time', 'integer', (column) => column.notNull())
    .addColumn('plugin', 'text', (column) => column.notNull())
    .addColumn('level', 'integer', (column) => column.notNull())
    .addColumn('msg', 'text', (column) => column.notNull())
    .addColumn('fields', 'text')
    .addColumn('source', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('logs_plugin_time').ifNotExists().on('logs').columns(['plugin', 'time']).execute();
  // Age-based retention deletes by time across all plugins.
  await db.schema.createIndex('logs_time').ifNotExists().on('logs').column('time').execute();
}
