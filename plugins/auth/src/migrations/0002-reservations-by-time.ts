import type { Kysely } from '@cyberstudio/database';

/** Reservations by creation time: a start reads the last minute's to rebuild the rate-limit windows. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('reservations_created').on('reservations').column('created_at').execute();
}
