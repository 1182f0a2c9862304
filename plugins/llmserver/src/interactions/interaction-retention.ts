import type { Database } from '@cyberstudio/database';
import type { InteractionLogConfig } from './interaction-config.ts';
import type { InteractionTables } from './interaction-types.ts';

/** Retention timing, in one place. */
export const RetentionDefaults = {
  /** How often old entries are deleted while the log is open. */
  pruneIntervalMs: 3_600_000,
  /**
   * Between timer runs, a prune also follows every this-much-of-maxEntries written, so a busy
   * server overshoots maxEntries by a tenth at most instead of an hour's worth.
   */
  writeShareBeforePrune: 0.1,
} as const;

const DAY_MS = 86_400_000;

/**
 * Deletes, in one transaction, entries created more than retentionDays before `now` and then the
 * oldest entries beyond maxEntries (0 turns either rule off). Resolves with how many went.
 */
export async function pruneInteractions(
  database: Database<InteractionTables>, config: Pick<InteractionLogConfig, 'retentionDays' | 'maxEntries'>, now: number,
): Promise<{ deleted: number }> {
  if (config.retentionDays <= 0 && config.maxEntries <= 0) return { deleted: 0 };
  return database.transaction(async (trx) => {
    let deleted = 0;
    if (config.retentionDays > 0) {
      const result = await trx.deleteFrom('interactions').where('created_at', '<', now - config.retentionDays * DAY_MS).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    if (config.maxEntries > 0) {
      // Everything past the newest maxEntries; LIMIT -1 is SQLite's "no limit", needed before OFFSET.
      const surplus = trx.selectFrom('interactions').select('id')
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(-1).offset(config.maxEntries);
      const result = await trx.deleteFrom('interactions').where('id', 'in', surplus).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return { deleted };
  });
}

/**
 * Runs `prune` every `intervalMs` on an unref'd timer (the first run is the caller's, at open).
 * Runs never overlap. Returns the stop function, safe to call twice.
 */
export function startRetentionTimer(prune: () => Promise<unknown>, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void prune().finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
