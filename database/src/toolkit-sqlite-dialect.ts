import type BetterSqlite from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver } from 'kysely';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';

/**
 * Kysely's SQLite dialect over one already-open better-sqlite3 handle, with two changes: a close
 * that lets the query or transaction in flight finish and then fails every later use with
 * CDS_ERR_DATABASE_CLOSED naming the file (Kysely's own error after destroy names nothing), and
 * migrations run in transactions.
 */
export class ToolkitSqliteDialect extends SqliteDialect {
  readonly #driver: ClosableSqliteDriver;

  constructor(sqlite: BetterSqlite.Database, file: string) {
    super({ database: sqlite });
    this.#driver = new ClosableSqliteDriver(sqlite, file);
  }

  /** The one driver of this dialect; Kysely asks once per instance. */
  override createDriver(): Driver {
    return this.#driver;
  }

  /** SQLite's adapter, telling the Migrator to wrap each migration in a transaction. */
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  /** Refuses new work, waits for the connection's current user, then closes the file. Safe to call twice. */
  close(): Promise<void> {
    return this.#driver.close();
  }
}

/**
 * SQLite rolls back CREATE, ALTER and DROP with the rest of a transaction; Kysely's adapter says
 * it does not, so its Migrator would run a failing migration without one and leave it half done.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ClosableSqliteDriver extends SqliteDriver {
  readonly #sqlite: BetterSqlite.Database;
  readonly #file: string;
  #closing: Promise<void> | undefined;

  constructor(sqlite: BetterSqlite.Database, file: string) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
    this.#file = file;
  }

  override acquireConnection(): Promise<DatabaseConnection> {
    if (this.#closing !== undefined) {
      return Promise.reject(new LocalError(LocalErrorCode.DatabaseClosed, `The database ${this.#file} is closed`, { file: this.#file }));
    }
    return super.acquireConnection();
  }

  /** Kysely's destroy() lands here too, so both ways of closing wait for work in flight. */
  override destroy(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // SQLite has one connection behind a FIFO mutex: holding it once means everyone queued before us is done.
      await super.acquireConnection();
      await super.releaseConnection();
      // Closed here rather than in super.destroy(), which skips a handle Kysely never initialised.
      this.#sqlite.close();
    })();
    return this.#closing;
  }
}
