import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import { queryLimit, type LogQuery } from './log-query.ts';
import { levelFromNumber, levelToNumber, type LogRecord, type LogSource } from './log-record.ts';
import { migrateLogStore, type LogDatabase, type LogRow } from './log-store-schema.ts';

/** Retention, batching and back-pressure defaults of the log store. */
export const LogStoreDefaults = {
  maxRows: 500_000,
  maxAgeMs: 7 * 24 * 60 * 60_000,
  maxBytes: 256 * 1024 * 1024,
  flushIntervalMs: 250,
  /** Records per INSERT; 7 columns each stays far below SQLite's bound-parameter limit. */
  flushBatchSize: 500,
  retainIntervalMs: 60_000,
  /** Records waiting for a write beyond this are dropped (and counted) rather than held in memory. */
  maxPendingRecords: 100_000,
} as const;

/** After a size-based trim the store keeps this share of the budget, so it does not trim every pass. */
const SIZE_RETENTION_HEADROOM = 0.9;

/** Options of LogStore.open. */
export interface LogStoreOptions {
  /** The SQLite file, normally inside the kernel's data directory; its directory is created. */
  file: string;
  maxRows?: number;
  maxAgeMs?: number;
  /** Approximate bound on the live data in the file (pages in use). */
  maxBytes?: number;
  /** Receives failures of background writes and retention passes; defaults to a process warning. */
  onError?: (error: unknown) => void;
}

/**
 * Log records persisted in SQLite. Appends are buffered and written in batches off the caller's
 * stack, so a noisy plugin costs an array push, not a disk write, per line.
 */
export class LogStore {
  readonly #db: Kysely<LogDatabase>;
  readonly #limits: { maxRows: number; maxAgeMs: number; maxBytes: number };
  readonly #onError: (error: unknown) => void;
  readonly #retainTimer: NodeJS.Timeout;
  #pending: LogRecord[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #retaining: Promise<unknown> | undefined;
  #lastSeq: number;
  #dropped = 0;

  private constructor(db: Kysely<LogDatabase>, options: LogStoreOptions, lastSeq: number) {
    this.#db = db;
    this.#limits = {
      maxRows: options.maxRows ?? LogStoreDefaults.maxRows,
      maxAgeMs: options.maxAgeMs ?? LogStoreDefaults.maxAgeMs,
      maxBytes: options.maxBytes ?? LogStoreDefaults.maxBytes,
    };
    this.#onError = options.onError ?? ((error) => process.emitWarning(`log store: ${describe(error)}`));
    this.#lastSeq = lastSeq;
    this.#retainTimer = setInterval(() => this.#retainInBackground(), LogStoreDefaults.retainIntervalMs);
    this.#retainTimer.unref();
  }

  /** Opens (creating if needed) the store at `options.file` and applies retention; CDS_ERR_DATA_DIR_UNAVAILABLE when it cannot. */
  static async open(options: LogStoreOptions): Promise<LogStore> {
    const { file } = options;
    let sqlite: Database.Database | undefined;
    let store: LogStore | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      sqlite = new Database(file);
      // WAL lets queries read while a batch is written; NORMAL sync is durable across process crashes.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      const db = new Kysely<LogDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
      await migrateLogStore(db);
      const { seq } = await db.selectFrom('logs').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirstOrThrow();
      store = new LogStore(db, options, seq ?? 0);
      await store.retain();
      return store;
    } catch (error) {
      await store?.close();
      sqlite?.close();
      throw new LocalError(
        LocalErrorCode.DataDirUnavailable,
        `The log database ${file} cannot be opened: ${describe(error)}`,
        { path: file },
        { cause: error },
      );
    }
  }

  /** Highest seq stored or appended; a kernel numbers new records after it so seq stays unique across restarts. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Records dropped: appended after close, beyond the pending bound, or lost to a failed write. */
  get droppedCount(): number {
    return this.#dropped;
  }

  /** Queues `record` for the next batch write; O(1), never touches the disk. A repeated seq is ignored. */
  append(record: LogRecord): void {
    if (this.#closing !== undefined || this.#pending.length >= LogStoreDefaults.maxPendingRecords) {
      this.#dropped++;
      return;
    }
    this.#pending.push(record);
    if (record.seq > this.#lastSeq) this.#lastSeq = record.seq;
    if (this.#pending.length >= LogStoreDefaults.flushBatchSize) void this.flush();
    else if (this.#flushTimer === undefined && this.#flushing === undefined) this.#scheduleFlush();
  }

  /** Writes every queued record; resolves when they are on disk. Write failures go to `onError`, not here. */
  flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
      if (this.#pending.length > 0 && this.#closing === undefined) this.#scheduleFlush();
    });
    return this.#flushing;
  }

  /** The newest records matching `query` (up to its limit), oldest first; queued records are written first. */
  async query(query: LogQuery = {}): Promise<LogRecord[]> {
    this.#assertOpen();
    await this.flush();
    const limit = queryLimit(query);
    if (limit === 0) return [];
    let select = this.#db.selectFrom('logs').selectAll();
    if (query.plugin !== undefined) select = select.where('plugin', '=', query.plugin);
    if (query.level !== undefined) select = select.where('level', '>=', levelToNumber(query.level));
    if (query.since !== undefined) select = select.where('time', '>=', query.since);
    if (query.until !== undefined) select = select.where('time', '<=', query.until);
    if (query.q) {
      // LIKE is case-insensitive for ASCII only; the in-memory buffer also folds other letters.
      const pattern = `%${query.q.replace(/[\\%_]/g, '\\$&')}%`;
      select = select.where(sql<boolean>`(msg LIKE ${pattern} ESCAPE '\\' OR fields LIKE ${pattern} ESCAPE '\\')`);
    }
    const rows = await select.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse().map(fromRow);
  }

  /** Deletes records older than maxAgeMs, then the oldest beyond maxRows or the byte budget; returns how many. */
  async retain(options: { now?: number } = {}): Promise<{ deleted: number }> {
    this.#assertOpen();
    await this.flush();
    const cutoff = (options.now ?? Date.now()) - this.#limits.maxAgeMs;
    const byAge = await this.#db.deleteFrom('logs').where('time', '<', cutoff).executeTakeFirst();
    const { count } = await this.#db.selectFrom('logs')
      .select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    let keep = Math.min(count, this.#limits.maxRows);
    const usedBytes = await this.#usedBytes();
    if (usedBytes > this.#limits.maxBytes) {
      keep = Math.min(keep, Math.floor(count * (this.#limits.maxBytes / usedBytes) * SIZE_RETENTION_HEADROOM));
    }
    let bySize = 0;
    if (keep < count) {
      const newestDropped = await this.#db.selectFrom('logs').select('seq')
        .orderBy('seq', 'asc').limit(1).offset(count - keep - 1).executeTakeFirstOrThrow();
      const result = await this.#db.deleteFrom('logs').where('seq', '<=', newestDropped.seq).executeTakeFirst();
      bySize = Number(result.numDeletedRows);
    }
    return { deleted: Number(byAge.numDeletedRows) + bySize };
  }

  /** Writes queued records and closes the database. Safe to call twice; later appends are dropped. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#retainTimer);
      await this.#retaining;
      await this.flush();
      await this.#db.destroy();
    })();
    return this.#closing;
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #retainInBackground(): void {
    this.#retaining ??= this.retain().catch(this.#onError).finally(() => {
      this.#retaining = undefined;
    });
  }

  #scheduleFlush(): void {
    this.#flushTimer = setTimeout(() => void this.flush(), LogStoreDefaults.flushIntervalMs);
    this.#flushTimer.unref();
  }

  /** One INSERT (one implicit transaction) per batch, yielding between batches so I/O keeps flowing. */
  async #drain(): Promise<void> {
    // Start on a later turn so the append that filled a batch never pays for compiling its INSERT.
    await nextTurn();
    while (this.#pending.length > 0) {
      const records = this.#pending;
      this.#pending = [];
      for (let start = 0; start < records.length; start += LogStoreDefaults.flushBatchSize) {
        const batch = records.slice(start, start + LogStoreDefaults.flushBatchSize);
        try {
          await this.#db.insertInto('logs').values(batch.map(toRow))
            .onConflict((conflict) => conflict.column('seq').doNothing()).execute();
        } catch (error) {
          this.#dropped += batch.length;
          this.#onError(error);
        }
        await nextTurn();
      }
    }
  }

  async #usedBytes(): Promise<number> {
    const { rows } = await sql<{ bytes: number }>`
      SELECT (page_count - freelist_count) * page_size AS bytes
      FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()`.execute(this.#db);
    return rows[0]?.bytes ?? 0;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new Error('The log store is closed');
  }
}

function toRow(record: LogRecord): LogRow {
  return {
    seq: record.seq,
    time: record.time,
    plugin: record.plugin,
    level: levelToNumber(record.level),
    msg: record.msg,
    fields: record.fields === undefined ? null : serializeFields(record.fields),
    source: record.source,
  };
}

function fromRow(row: LogRow): LogRecord {
  const record: LogRecord = {
    seq: row.seq,
    time: row.time,
    plugin: row.plugin,
    level: levelFromNumber(row.level) ?? 'info',
    msg: row.msg,
    source: row.source as LogSource,
  };
  if (row.fields !== null) record.fields = JSON.parse(row.fields) as Record<string, unknown>;
  return record;
}

/** Kernel-made fields may hold cycles or bigints; one such record must not fail its whole batch. */
function serializeFields(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields);
  } catch (error) {
    return JSON.stringify({ unserializableFields: describe(error) });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
