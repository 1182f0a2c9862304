import { sql, type Kysely, type Migration } from '@cyberstudio/database';

/** The interactions table and the indexes its listings use (newest first overall, per user, per model). */
const createInteractions: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('interactions')
      .addColumn('id', 'integer', (column) => column.primaryKey())
      .addColumn('created_at', 'integer', (column) => column.notNull())
      .addColumn('capability', 'text', (column) => column.notNull())
      .addColumn('model', 'text')
      .addColumn('user_id', 'text')
      .addColumn('user_name', 'text')
      .addColumn('key_id', 'text')
      .addColumn('caller_kind', 'text', (column) => column.notNull().check(sql`caller_kind IN ('user', 'plugin', 'kernel')`))
      .addColumn('caller_plugin', 'text')
      .addColumn('trace_id', 'text')
      .addColumn('prompt', 'text')
      .addColumn('response', 'text')
      .addColumn('truncated', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('finish_reason', 'text')
      .addColumn('status', 'text', (column) => column.notNull().check(sql`status IN ('ok', 'error', 'cancelled')`))
      .addColumn('error_code', 'integer')
      .addColumn('error_message', 'text')
      .addColumn('prompt_tokens', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('completion_tokens', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('cost', 'real')
      .addColumn('latency_ms', 'real', (column) => column.notNull())
      .addColumn('ttft_ms', 'real')
      .addColumn('stream', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
    // SQLite appends the rowid (id) to every index, so each one also serves ORDER BY created_at DESC, id DESC.
    await db.schema.createIndex('interactions_created').on('interactions').column('created_at').execute();
    await db.schema.createIndex('interactions_user').on('interactions').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('interactions_model').on('interactions').columns(['model', 'created_at']).execute();
  },
};

/** Every migration of interactions.sqlite, by name; names sort in the order they apply. */
export const interactionMigrations: Readonly<Record<string, Migration>> = {
  '0001-create-interactions': createInteractions,
};
