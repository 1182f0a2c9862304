import { sql, type Kysely } from '@cyberstudio/database';

/** Users, sessions, API keys, reservations, daily usage and the audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('users')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('username', 'text', (column) => column.notNull().unique())
    .addColumn('role', 'text', (column) => column.notNull().check(sqlIn('role', ['admin', 'developer', 'viewer'])))
    .addColumn('password_hash', 'text')
    .addColumn('password_salt', 'text')
    .addColumn('balance', 'integer', (column) => column.notNull().defaultTo(0).check(nonNegative('balance')))
    .addColumn('unlimited', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('disabled_at', 'integer')
    .addColumn('failed_logins', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('locked_until', 'integer')
    .addColumn('rpm_limit', 'integer')
    .addColumn('tpm_limit', 'integer')
    .execute();
  await db.schema.createTable('sessions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('expires_at', 'integer', (column) => column.notNull())
    .addColumn('revoked_at', 'integer')
    .addColumn('last_seen_at', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema.createTable('api_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('prefix', 'text', (column) => column.notNull())
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('expires_at', 'integer')
    .addColumn('revoked_at', 'integer')
    .addColumn('last_used_at', 'integer')
    .addColumn('allowed_models', 'text')
    .addColumn('allowed_capabilities', 'text')
    .addColumn('rpm_limit', 'integer')
    .addColumn('tpm_limit', 'integer')
    .execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
  await db.schema.createTable('reservations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (column) => column.references('api_keys.id').onDelete('set null'))
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('tokens', 'integer', (column) => column.notNull().check(nonNegative('tokens')))
    .addColumn('unlimited', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('state', 'text', (column) => column.notNull().check(sqlIn('state', ['open', 'committed', 'released', 'expired'])))
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('expires_at', 'integer', (column) => column.notNull())
    .addColumn('settled_at', 'integer')
    .addColumn('prompt_tokens', 'integer')
    .addColumn('completion_tokens', 'integer')
    .execute();
  await db.schema.createIndex('reservations_open').on('reservations').columns(['state', 'expires_at']).execute();
  await db.schema.createTable('usage_daily')
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('day', 'text', (column) => column.notNull())
    .addColumn('requests', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('prompt_tokens', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'integer', (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_daily_pk', ['user_id', 'key_id', 'model', 'day'])
    .execute();
  await db.schema.createTable('audit')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('time', 'integer', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('target', 'text')
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_time').on('audit').column('time').execute();
}

function sqlIn(column: string, values: string[]) {
  return sql.raw(`${column} IN (${values.map((value) => `'${value}'`).join(', ')})`);
}

function nonNegative(column: string) {
  return sql.raw(`${column} >= 0`);
}
