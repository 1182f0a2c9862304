import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { BusError, type Caller } from '@cyberstudio/sdk';
import { connectPlugin, type TestPlugin } from '@cyberstudio/sdk/testing';
import type { AuthConfig } from '../../src/auth-config.ts';
import { createAuthPlugin } from '../../src/auth-plugin.ts';
import type { AuthState } from '../../src/auth-state.ts';
import type { Role } from '../../src/auth-tables.ts';

/** The first admin's password in every harness that does not choose another environment. */
export const ADMIN_PASSWORD = 'first-admin-password';
/** Where the test clock starts: 2025-03-10 12:00:00 UTC. */
export const START_TIME = Date.UTC(2025, 2, 10, 12);

/** A user created through auth.users.create, with what a test needs to act as them. */
export interface TestUser {
  id: string;
  username: string;
  role: Role;
  password: string;
  /** The caller a gateway would pass for this user (no key, no session). */
  caller: Extract<Caller, { kind: 'user' }>;
}

/** The whole auth plugin in-process over a real SQLite file in a temp dir, with a clock the test moves. */
export interface IdentityHarness {
  plugin: TestPlugin;
  state: AuthState;
  dataDir: string;
  /** Moves state.now by `ms`. */
  advance(ms: number): void;
  /** Creates a user as the kernel (admin) and returns it. */
  createUser(username: string, role?: Role, password?: string): Promise<TestUser>;
  /** auth.authenticate as the kernel, as the gateway calls it. */
  authenticate(kind: 'bearer' | 'session', value: string): Promise<Record<string, any>>;
  /** Every audit row, oldest first, `detail` parsed. */
  audit(): Promise<Array<{ actor: string; action: string; target: string | null; outcome: string; detail: any }>>;
  /** The admin the plugin created at its first start. */
  admin(): Promise<TestUser>;
  /** Shuts the plugin down (its database closes) and removes a temp data dir it made; safe to call twice. */
  close(): Promise<void>;
}

/** Options of startIdentity. */
export interface IdentityOptions {
  config?: Partial<AuthConfig>;
  env?: NodeJS.ProcessEnv;
  /** Reuse a data directory (a restart); it is then not removed on close. */
  dataDir?: string;
}

/** Starts the auth plugin through connectPlugin's real handshake; the harness's close() shuts it down and removes the temp dir. */
export async function startIdentity(options: IdentityOptions = {}): Promise<IdentityHarness> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cds-identity-')));
  const { plugin: definition, state } = createAuthPlugin({ env: options.env ?? { CYBERSTUDIO_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  let time = START_TIME;
  state.now = () => time;
  let plugin: TestPlugin;
  try {
    plugin = await connectPlugin(definition, { config: options.config ?? {}, dataDir });
  } catch (error) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  const harness: IdentityHarness = {
    plugin,
    state,
    dataDir,
    advance: (ms) => void (time += ms),
    async createUser(username, role = 'developer', password = `${username}-password`) {
      const user = await plugin.call<{ id: string }>('auth.users.create', { username, role, password });
      return { id: user.id, username, role, password, caller: { kind: 'user', id: user.id, roles: [role], name: username } };
    },
    authenticate: (kind, value) => plugin.call('auth.authenticate', { credential: { kind, value } }),
    async audit() {
      const rows = await state.db.selectFrom('audit').selectAll().orderBy('id').execute();
      return rows.map((row) => ({ actor: row.actor, action: row.action, target: row.target, outcome: row.outcome, detail: row.detail === null ? null : JSON.parse(row.detail) }));
    },
    async admin() {
      const row = await state.db.selectFrom('users').selectAll().where('role', '=', 'admin').orderBy('created_at').executeTakeFirstOrThrow();
      return { id: row.id, username: row.username, role: 'admin', password: ADMIN_PASSWORD, caller: { kind: 'user', id: row.id, roles: ['admin'], name: row.username } };
    },
    async close() {
      if (closed) return;
      closed = true;
      await plugin.shutdown();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** startIdentity, closed after each test. */
export function identityPerTest(): (options?: IdentityOptions) => Promise<IdentityHarness> {
  const open: IdentityHarness[] = [];
  afterEach(async () => {
    for (const harness of open.splice(0)) await harness.close();
  });
  return async (options) => {
    const harness = await startIdentity(options);
    open.push(harness);
    return harness;
  };
}

/** The BusError `promise` rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<BusError> {
  try {
    await promise;
  } catch (error) {
    return error as BusError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
