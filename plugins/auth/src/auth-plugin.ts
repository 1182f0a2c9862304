import { join } from 'node:path';
import { definePlugin, type PluginDefinition } from '@cyberstudio/sdk';
import { openDatabase } from '@cyberstudio/database';
import { authConfigSchema, withDefaults, type AuthConfig } from './auth-config.ts';
import { AuthState } from './auth-state.ts';
import type { AuthTables } from './auth-tables.ts';
import { bootstrapAdmin } from './identity/bootstrap-admin.ts';
import { identityCapabilities } from './identity/identity-capabilities.ts';
import { createReservations, meteringCapabilities, startMeteringUpkeep } from './metering/metering-capabilities.ts';
import { watchReservationHolders } from './metering/reservation-holders.ts';
import { authMigrations } from './migrations/index.ts';

/** Options of createAuthPlugin; tests pass their own environment. */
export interface AuthPluginOptions {
  /** Where CYBERSTUDIO_ADMIN_PASSWORD is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A plugin definition and the state its capabilities share (tests move `state.now`). */
export interface AuthPluginInstance {
  plugin: PluginDefinition<Partial<AuthConfig>>;
  state: AuthState;
}

/**
 * The auth plugin: users, sessions and API keys (the gateway's identity provider through
 * `auth.authenticate`), token balances, metering and rate limits. Its data is one SQLite file
 * in its data directory (`auth.sqlite`). Each call builds an independent instance.
 */
export function createAuthPlugin({ env = process.env }: AuthPluginOptions = {}): AuthPluginInstance {
  const state = new AuthState(withDefaults({}));
  const reservations = createReservations(state);
  let stopUpkeep: (() => void) | undefined;
  const plugin = definePlugin<Partial<AuthConfig>>({
    name: 'auth',
    version: '0.1.0',
    configSchema: authConfigSchema,
    capabilities: {
      ...identityCapabilities(state),
      ...meteringCapabilities(state, reservations),
    },
    async init({ config, dataDir, log }) {
      state.config = withDefaults(config);
      state.attach(await openDatabase<AuthTables>({ dialect: 'sqlite', file: join(dataDir, 'auth.sqlite'), migrations: authMigrations }));
      try {
        await bootstrapAdmin(state, { dataDir, log, env });
      } catch (error) {
        // A refused start must not keep the file locked (in-process hosts outlive it).
        await state.close();
        throw error;
      }
      stopUpkeep = startMeteringUpkeep(state, log);
    },
    async setup(services) {
      try {
        await watchReservationHolders(services, reservations, services.log);
      } catch (error) {
        // Without the watch (permissions.subscribe refuses it) a dead provider's reservations still expire.
        services.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'cannot watch kernel.plugin.state: reservations of a provider that dies are given back only when they expire');
      }
    },
    configure(config) {
      state.config = withDefaults(config);
    },
    async dispose() {
      stopUpkeep?.();
      await state.close();
    },
  });
  return { plugin, state };
}

/** The auth plugin as the kernel runs it (src/main.ts). */
export const authPlugin = createAuthPlugin().plugin;
