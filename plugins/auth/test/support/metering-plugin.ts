import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, type Caller } from '@cyberstudio/sdk';
import { connectPlugin, type TestPlugin } from '@cyberstudio/sdk/testing';
import { openDatabase } from '@cyberstudio/database';
import { authConfigSchema, withDefaults, type AuthConfig } from '../../src/auth-config.ts';
import { AuthState } from '../../src/auth-state.ts';
import type { AuthTables, Role } from '../../src/auth-tables.ts';
import { meteringCapabilities, startMeteringUpkeep } from '../../src/metering/metering-capabilities.ts';
import { authMigrations } from '../../src/migrations/index.ts';

/** Where the test clock starts: 2025-03-10 12:00:00 UTC. */
export const START_TIME = Date.UTC(2025, 2, 10, 12);

/** A user to seed; unset fields take the table defaults. */
export interface SeedUser {
  username: string;
  role?: Role;
  balance?: number;
  unlimited?: boolean;
  rpmLimit?: number;
  tpmLimit?: number;
  disabled?: boolean;
}

/** An API key to seed for a user. */
export interface SeedKey {
  allowedModels?: string[];
  rpm?: number;
  tpm?: number;
  revoked?: boolean;
  expiresAt?: number;
}

/** The metering capabilities served in-process over a real SQLite file, with a clock the test moves. */
export interface MeteringHarness extends AsyncDisposable {
  plugin: TestPlugin;
  state: AuthState;
  /** The data directory with auth.sqlite; removed at dispose unless the caller passed it in. */
  dataDir: string;
  /** Shuts the plugin down (closing its database), keeping the data directory; safe to call twice. */
  stop(): Promise<void>;
  /** Moves the clock every metering check reads (state.now) by `ms`. */
  advance(ms: number): void;
  /** Inserts a user straight into the plugin's open database; returns its id. */
  seedUser(user: SeedUser): Promise<string>;
  /** Inserts an API key of `userId`; returns its id. */
  seedKey(userId: string, key?: SeedKey): Promise<string>;
  /** The caller of a signed-in user with `roles`. */
  userCaller(id: string, roles?: string[], keyId?: string): Caller;
  balance(userId: string): Promise<number>;
}

/**
 * Serves `meteringCapabilities` as plugin 'auth' (without the identity part) with its own
 * AuthState and database in a temporary data directory (or `dataDir`, to start again on an
 * earlier harness's database), through connectPlugin's real handshake; the clock starts at
 * `startTime` (default START_TIME).
 */
export async function startMeteringPlugin(
  options: { config?: Partial<AuthConfig>; upkeepIntervalMs?: number; dataDir?: string; startTime?: number } = {},
): Promise<MeteringHarness> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cds-metering-')));
  const state = new AuthState(withDefaults({}));
  let time = options.startTime ?? START_TIME;
  state.now = () => time;
  let stopUpkeep: (() => void) | undefined;
  const definition = definePlugin<Partial<AuthConfig>>({
    name: 'auth',
    version: '0.1.0',
    configSchema: authConfigSchema,
    capabilities: meteringCapabilities(state),
    async init({ config, log }) {
      state.config = withDefaults(config);
      state.attach(await openDatabase<AuthTables>({ dialect: 'sqlite', file: join(dataDir, 'auth.sqlite'), migrations: authMigrations }));
      stopUpkeep = startMeteringUpkeep(state, log, { intervalMs: options.upkeepIntervalMs });
    },
    async dispose() {
      stopUpkeep?.();
      await state.close();
    },
  });
  const plugin = await connectPlugin(definition, { config: options.config ?? {}, dataDir });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= plugin.shutdown());
  return {
    plugin,
    state,
    dataDir,
    stop,
    advance(ms) {
      time += ms;
    },
    async seedUser(user) {
      const id = state.newId('u');
      await state.db.insertInto('users').values({
        id, username: user.username, role: user.role ?? 'developer', password_hash: null, password_salt: null,
        balance: user.balance ?? 0, unlimited: user.unlimited ? 1 : 0, created_at: time,
        disabled_at: user.disabled ? time : null, locked_until: null,
        rpm_limit: user.rpmLimit ?? null, tpm_limit: user.tpmLimit ?? null,
      }).execute();
      return id;
    },
    async seedKey(userId, key = {}) {
      const id = state.newId('k');
      await state.db.insertInto('api_keys').values({
        id, user_id: userId, name: 'test', prefix: `cds_${id.slice(2, 10)}`, key_hash: id, created_at: time,
        expires_at: key.expiresAt ?? null, revoked_at: key.revoked ? time : null, last_used_at: null,
        allowed_models: key.allowedModels ? JSON.stringify(key.allowedModels) : null, allowed_capabilities: null,
        rpm_limit: key.rpm ?? null, tpm_limit: key.tpm ?? null,
      }).execute();
      return id;
    },
    userCaller(id, roles = ['developer'], keyId) {
      return keyId === undefined ? { kind: 'user', id, roles } : { kind: 'user', id, roles, keyId };
    },
    async balance(userId) {
      const row = await state.db.selectFrom('users').select('balance').where('id', '=', userId).executeTakeFirstOrThrow();
      return row.balance;
    },
    async [Symbol.asyncDispose]() {
      await stop();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
