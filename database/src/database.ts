import type { Kysely, Transaction } from 'kysely';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { MigrationRunner, MigrationStatus } from './migration-runner.ts';

/** What openDatabase hands a Database: the query builder and how to shut it. */
export interface DatabaseParts<Tables> {
  db: Kysely<Tables>;
  /** The file (or URL) the database lives in, for error messages. */
  location: string;
  migrations: MigrationRunner | undefined;
  /** Waits for work in flight, then releases the file; called once. */
  shutDown: () => Promise<void>;
}

/**
 * An open database owned by this process: typed queries through `db`, transactions and
 * migration status. Built by openDatabase only.
 */
export class Database<Tables> {
  /** The typed query builder. Every query runs on this database's one connection, in call order. */
  readonly db: Kysely<Tables>;
  readonly #location: string;
  readonly #migrations: MigrationRunner | undefined;
  readonly #shutDown: () => Promise<void>;
  #closing: Promise<void> | undefined;

  constructor(parts: DatabaseParts<Tables>) {
    this.db = parts.db;
    this.#location = parts.location;
    this.#migrations = parts.migrations;
    this.#shutDown = parts.shutDown;
  }

  /**
   * Runs `fn` in one transaction: commits when it resolves, rolls back and rethrows when it
   * throws. Query through `trx` inside: `db` waits for the transaction to end, so using it there deadlocks.
   */
  transaction<T>(fn: (trx: Transaction<Tables>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Names of the applied and pending migrations; both empty when the database was opened without migrations. */
  async migrationStatus(): Promise<MigrationStatus> {
    if (this.#closing !== undefined) throw this.#closedError();
    return (await this.#migrations?.status()) ?? { applied: [], pending: [] };
  }

  /** Lets the query or transaction in flight finish, then releases the file; later use fails with CDS_ERR_DATABASE_CLOSED. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /** Same as close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #closedError(): LocalError {
    return new LocalError(LocalErrorCode.DatabaseClosed, `The database ${this.#location} is closed`, { file: this.#location });
  }
}
