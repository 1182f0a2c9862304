import type { Kysely } from '@cyberstudio/database';

/**
 * Who holds each reservation (the plugin that reserved it) and the tokens it has reported
 * delivered so far, so auth can settle a holder's reservations when its process is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reservations').addColumn('holder', 'text').execute();
  await db.schema.alterTable('reservations').addColumn('delivered_prompt_tokens', 'integer', (column) => column.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('reservations').addColumn('delivered_completion_tokens', 'integer', (column) => column.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('reservations_holder').on('reservations').columns(['holder', 'state']).execute();
}
