import { randomUUID } from 'node:crypto';
import type { Database, Kysely } from '@cyberstudio/database';
import type { AuthConfig } from './auth-config.ts';
import type { AuditTable, AuthTables } from './auth-tables.ts';

/** One audit entry; `detail` must never hold a password, key or token. */
export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome: AuditTable['outcome'];
  detail?: Record<string, unknown>;
}

/**
 * What every capability of the auth plugin shares: the database (open from `init` until
 * `dispose`), the config, a clock tests can move, and the audit log.
 */
export class AuthState {
  #database: Database<AuthTables> | undefined;
  config: AuthConfig;
  /** Epoch ms; replaced in tests. */
  now: () => number = Date.now;

  constructor(config: AuthConfig) {
    this.config = config;
  }

  /** The open database; throws when called before `init` or after `dispose`. */
  get db(): Kysely<AuthTables> {
    if (!this.#database) throw new Error('the auth database is not open');
    return this.#database.db;
  }

  get database(): Database<AuthTables> {
    if (!this.#database) throw new Error('the auth database is not open');
    return this.#database;
  }

  attach(database: Database<AuthTables>): void {
    this.#database = database;
  }

  async close(): Promise<void> {
    const database = this.#database;
    this.#database = undefined;
    await database?.close();
  }

  /** A new random id with a readable kind prefix (`u_`, `k_`, `s_`, `r_`). */
  newId(kind: 'u' | 'k' | 's' | 'r'): string {
    return `${kind}_${randomUUID().replaceAll('-', '')}`;
  }

  /** Appends one audit entry (in `db`, so it can join a transaction). */
  async audit(entry: AuditEntry, db: Kysely<AuthTables> = this.db): Promise<void> {
    await db.insertInto('audit').values({
      time: this.now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    }).execute();
  }
}
