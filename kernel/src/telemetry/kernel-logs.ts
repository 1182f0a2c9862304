import type { Logger } from 'pino';
import { LogBuffer } from './log-buffer.ts';
import type { UnnumberedLogRecord } from './log-line-parser.ts';
import type { LogQuery } from './log-query.ts';
import type { LogRecord } from './log-record.ts';
import { LogStore, type LogStoreOptions } from './log-store.ts';

/** Receives every log record as it is appended. */
export type LogListener = (record: LogRecord) => void;

/**
 * Every plugin's log records: numbered, kept in a bounded in-memory buffer for live tails,
 * persisted to SQLite for queries across restarts, and echoed into the kernel's pino logger
 * under the plugin's name at the plugin's level.
 */
export class KernelLogs {
  readonly #store: LogStore;
  readonly #buffer = new LogBuffer();
  readonly #logger: Logger;
  readonly #children = new Map<string, Logger>();
  readonly #listeners = new Set<LogListener>();
  #seq: number;

  private constructor(store: LogStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
    this.#seq = store.lastSeq;
  }

  /** Opens (or creates) the log database at `file`. */
  static async open(options: Pick<LogStoreOptions, 'file' | 'maxRows' | 'maxAgeMs' | 'maxBytes'> & { logger: Logger }): Promise<KernelLogs> {
    const store = await LogStore.open({ ...options, onError: (error) => options.logger.error({ err: error }, 'log store write failed') });
    return new KernelLogs(store, options.logger);
  }

  /** Numbers, keeps, persists and echoes one record. */
  append(record: UnnumberedLogRecord): LogRecord {
    const numbered: LogRecord = { ...record, seq: ++this.#seq };
    this.#buffer.append(numbered);
    this.#store.append(numbered);
    this.#echo(numbered);
    for (const listener of this.#listeners) listener(numbered);
    return numbered;
  }

  /** Records matching `query`, newest last, from the persistent store (including earlier kernel runs). */
  query(query: LogQuery = {}): Promise<LogRecord[]> {
    return this.#store.query(query);
  }

  /** The newest `limit` records of `plugin` from memory, newest last. */
  recent(plugin: string, limit = 20): LogRecord[] {
    return this.#buffer.query({ plugin, limit });
  }

  /** Calls `listener` for every new record; returns the unsubscribe function. */
  onRecord(listener: LogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records dropped because the store could not keep up or failed. */
  get droppedCount(): number {
    return this.#store.droppedCount;
  }

  /** Writes pending records and closes the store. Idempotent. */
  async close(): Promise<void> {
    this.#listeners.clear();
    this.#buffer.dispose();
    await this.#store.close();
  }

  #echo(record: LogRecord): void {
    let child = this.#children.get(record.plugin);
    if (!child) this.#children.set(record.plugin, (child = this.#logger.child({ plugin: record.plugin })));
    child[record.level](record.fields ?? {}, record.msg);
  }
}
