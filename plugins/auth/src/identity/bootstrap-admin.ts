import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginLogger } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.ts';
import { insertKey } from './api-keys.ts';
import { randomPassword } from './secrets.ts';

/** The environment variable that sets the first admin's password. */
export const ADMIN_PASSWORD_ENV = 'CYBERSTUDIO_ADMIN_PASSWORD';
/** The file, in the plugin's data directory, that receives a generated first-admin password. */
export const INITIAL_PASSWORD_FILE = 'initial-admin-password';
/** The file, in the plugin's data directory, that receives the first admin's API key for the local CLI. */
export const OPERATOR_KEY_FILE = 'operator-key';

/** What bootstrapAdmin needs besides the state. */
export interface BootstrapOptions {
  dataDir: string;
  log: PluginLogger;
  env: NodeJS.ProcessEnv;
}

/**
 * Creates the first admin (`config.adminUsername`, role admin, unlimited) when there is no user
 * at all; does nothing otherwise. The password comes from CYBERSTUDIO_ADMIN_PASSWORD, else it is
 * generated and written only to `<dataDir>/initial-admin-password` (mode 0600): stdout is the
 * protocol and stderr goes to the kernel's persisted log, so it is never printed. It also gives
 * the admin an API key named `operator`, written only to `<dataDir>/operator-key` (mode 0600),
 * which the CLI on this machine reads: whoever can read the kernel's data directory is its
 * operator, as with a Docker socket. Throws (refusing the start) when the variable holds a
 * password shorter than 8 characters.
 */
export async function bootstrapAdmin(state: AuthState, { dataDir, log, env }: BootstrapOptions): Promise<void> {
  const existing = await state.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return;
  const fromEnv = env[ADMIN_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`${ADMIN_PASSWORD_ENV} must hold at least ${MIN_PASSWORD_LENGTH} characters; the first admin was not created`);
  }
  const password = fromEnv ?? randomPassword();
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  const keyFile = join(dataDir, OPERATOR_KEY_FILE);
  // Written before the user exists: if this fails, the next start tries again instead of leaving an admin nobody can sign in as.
  if (fromEnv === undefined) {
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  const { hash, salt } = await hashPassword(password);
  const username = state.config.adminUsername;
  const id = state.newId('u');
  await state.database.transaction(async (trx) => {
    await trx.insertInto('users').values({
      id, username, role: 'admin', password_hash: hash, password_salt: salt, balance: 0, unlimited: 1,
      created_at: state.now(), disabled_at: null, locked_until: null, rpm_limit: null, tpm_limit: null,
    }).execute();
    const source = fromEnv === undefined ? 'generated' : 'environment';
    await state.audit({ actor: 'auth', action: 'user.bootstrap', target: id, outcome: 'ok', detail: { username, passwordSource: source } }, trx);
    const operator = await insertKey(state, trx, { userId: id, name: 'operator', expiresAt: null, allowedModels: null, allowedCapabilities: null, rpm: null, tpm: null });
    // Inside the transaction: if the file cannot be written, neither the admin nor the key exists, and the next start tries again.
    await writeFile(keyFile, `${operator.key}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    await state.audit({ actor: 'auth', action: 'key.create', target: operator.id, outcome: 'ok', detail: { prefix: operator.prefix, userId: id, name: 'operator' } }, trx);
  });
  log.info({ file: keyFile }, `the admin's API key for the CLI on this machine is in ${keyFile} (readable by this user only)`);
  if (fromEnv === undefined) {
    log.warn({ username, file }, `created the first admin '${username}'; its generated password is in ${file} (readable by this user only): sign in, change it, then delete the file`);
  } else {
    log.info({ username }, `created the first admin '${username}' with the password from ${ADMIN_PASSWORD_ENV}`);
  }
}
