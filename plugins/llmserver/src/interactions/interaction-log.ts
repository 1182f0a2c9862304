import path from 'node:path';
import { openDatabase, type Database, type Insertable } from '@cyberstudio/database';
import { LocalError, LocalErrorCode, type PluginLogger } from '@cyberstudio/sdk';
import { resolveInteractionLogConfig, type InteractionLogConfig, type InteractionLogSettings } from './interaction-config.ts';
import { interactionMigrations } from './interaction-migrations.ts';
import { getInteraction, listInteractions } from './interaction-query.ts';
import { RetentionDefaults, pruneInteractions, startRetentionTimer } from './interaction-retention.ts';
import { rowOf } from './interaction-row.ts';
import type {
  InteractionFilter, InteractionPage, InteractionRecord, InteractionTables, InteractionView, InteractionsTable,
} from './interaction-types.ts';

/** The log's file name in the plugin's data directory. */
export const INTERACTIONS_FILE = 'interactions.sqlite';

/** Write-queue limits, in one place. */
export const InteractionLogDefaults = {
  /** Rows per INSERT: one statement, so a batch lands whole or not at all. */
  batchSize: 200,
  /** Entries waiting for the disk; beyond it new ones are dropped (and counted in the log) rather than held in memory. */
  maxPending: 10_000,
} as const;

/** Options of InteractionLog.open / over; tests inject the clock and the timer interval. */
export interface InteractionLogOptions {
  /** Epoch ms now; default Date.now. Used for entries without createdAt and for retention. */
  clock?: () => number;
  /** Default RetentionDefaults.pruneIntervalMs (hourly). */
  pruneIntervalMs?: number;
  /** Aborts open while it waits for a busy file. */
  signal?: AbortSignal;
}

/**
 * The interaction log: one SQLite row per generation call, kept within retentionDays and
 * maxEntries. record() only queues; the queue is written after the current tick, so logging
 * never slows or fails a generation. Pruned at open, hourly, and after every tenth of maxEntries written.
 */
export class InteractionLog {
  readonly #database: Database<InteractionTables>;
  readonly #config: InteractionLogConfig;
  readonly #log: PluginLogger;
  readonly #clock: () => number;
  readonly #stopRetention: () => void;
  #pending: Insertable<InteractionsTable>[] = [];
  /** Settles once every entry queued so far is written (or given up on); never rejects. */
  #idle: Promise<void> = Promise.resolve();
  #drainScheduled = false;
  #dropped = 0;
  #writtenSincePrune = 0;
  #closing: Promise<void> | undefined;
  #warnedClosed = false;

  private constructor(database: Database<InteractionTables>, config: InteractionLogConfig, log: PluginLogger, options: InteractionLogOptions) {
    this.#database = database;
    this.#config = config;
    this.#log = log;
    this.#clock = options.clock ?? Date.now;
    this.#stopRetention = startRetentionTimer(() => this.#pruneLogged(), options.pruneIntervalMs ?? RetentionDefaults.pruneIntervalMs);
  }

  /** Opens (creating and migrating) the log in `file` and prunes it. Fails with the database toolkit's LocalErrors. */
  static async open(file: string, settings: InteractionLogSettings, log: PluginLogger, options: InteractionLogOptions = {}): Promise<InteractionLog> {
    const database = await openDatabase<InteractionTables>({ dialect: 'sqlite', file, migrations: interactionMigrations, signal: options.signal });
    return InteractionLog.over(database, settings, log, options);
  }

  /** A log over an already-open, migrated database, which it now owns: close() closes it. Prunes before resolving. */
  static async over(
    database: Database<InteractionTables>, settings: InteractionLogSettings, log: PluginLogger, options: InteractionLogOptions = {},
  ): Promise<InteractionLog> {
    const interactionLog = new InteractionLog(database, resolveInteractionLogConfig(settings), log, options);
    await interactionLog.#pruneLogged();
    return interactionLog;
  }

  /** The settings in force, defaults filled in. */
  get config(): InteractionLogConfig {
    return this.#config;
  }

  /** Queues one finished call for writing. Never throws and never waits: a failure is logged and the entry lost. */
  record(entry: InteractionRecord): void {
    try {
      if (this.#closing !== undefined) {
        if (!this.#warnedClosed) this.#log.warn({ capability: entry.capability }, 'interaction log: an entry arrived after close; dropped');
        this.#warnedClosed = true;
        return;
      }
      const row = rowOf(entry, this.#config, this.#clock());
      if (this.#pending.length >= InteractionLogDefaults.maxPending) {
        this.#dropped += 1;
        return;
      }
      this.#pending.push(row);
      this.#scheduleDrain();
    } catch (error) {
      this.#log.error({ error: describe(error) }, 'interaction log: an entry could not be prepared; dropped');
    }
  }

  /** One page of entries, newest first; see InteractionFilter. */
  list(filter: InteractionFilter = {}): Promise<InteractionPage> {
    return listInteractions(this.#database.db, filter);
  }

  /** The entry with `id`, or undefined (never recorded, or pruned). */
  get(id: number): Promise<InteractionView | undefined> {
    return getInteraction(this.#database.db, id);
  }

  /** Applies retention as of `now`: deletes entries past retentionDays, then the oldest beyond maxEntries. */
  async prune(now: number = this.#clock()): Promise<{ deleted: number }> {
    this.#writtenSincePrune = 0;
    const outcome = await pruneInteractions(this.#database, this.#config, now);
    if (outcome.deleted > 0) {
      this.#log.info({ deleted: outcome.deleted, retentionDays: this.#config.retentionDays, maxEntries: this.#config.maxEntries }, 'interaction log: pruned old entries');
    }
    return outcome;
  }

  /** Resolves once every entry recorded before this call is on disk (or was given up on and logged). */
  flush(): Promise<void> {
    return this.#idle;
  }

  /** Stops retention, writes what is queued, then closes the database. Later entries are dropped. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stopRetention();
      await this.#idle;
      await this.#database.close();
    })();
    return this.#closing;
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Entries recorded in the same tick (a burst of calls) go to disk together, one statement per batch. */
  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    this.#idle = this.#idle
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.#drainScheduled = false;
        return this.#drain();
      });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) await this.#write(this.#pending.splice(0, InteractionLogDefaults.batchSize));
    if (this.#dropped > 0) {
      this.#log.error({ dropped: this.#dropped, maxPending: InteractionLogDefaults.maxPending }, 'interaction log: the write queue was full; entries were dropped');
      this.#dropped = 0;
    }
    const share = Math.max(1, Math.ceil(this.#config.maxEntries * RetentionDefaults.writeShareBeforePrune));
    if (this.#config.maxEntries > 0 && this.#writtenSincePrune >= share) await this.#pruneLogged();
  }

  async #write(batch: Insertable<InteractionsTable>[]): Promise<void> {
    try {
      await this.#database.db.insertInto('interactions').values(batch).execute();
      this.#writtenSincePrune += batch.length;
      return;
    } catch (error) {
      if (batch.length === 1 || isClosed(error)) {
        this.#log.error({ error: describe(error), lost: batch.length, capability: batch[0]?.capability }, 'interaction log: entries could not be written; they are lost');
        return;
      }
    }
    // One bad entry must not take the rest of its batch with it.
    for (const row of batch) await this.#write([row]);
  }

  /** prune() for the timer and the write path, which have no caller to tell: failures go to the log. */
  async #pruneLogged(): Promise<void> {
    try {
      await this.prune();
    } catch (error) {
      if (this.#closing === undefined) this.#log.error({ error: describe(error) }, 'interaction log: pruning failed; retrying on the next run');
    }
  }
}

/**
 * Opens `<dataDir>/interactions.sqlite` when `settings.enabled` is not false; undefined when the
 * log is disabled (no file is created then).
 */
export async function openInteractionLog(
  dataDir: string, settings: InteractionLogSettings | undefined, log: PluginLogger, options: InteractionLogOptions = {},
): Promise<InteractionLog | undefined> {
  const config = resolveInteractionLogConfig(settings);
  if (!config.enabled) return undefined;
  return InteractionLog.open(path.join(dataDir, INTERACTIONS_FILE), config, log, options);
}

function isClosed(error: unknown): boolean {
  return error instanceof LocalError && error.code === LocalErrorCode.DatabaseClosed;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
