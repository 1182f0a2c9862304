import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginLogger } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.ts';
import { randomPassword } from './secrets.ts';

/** The environment variable that sets the first admin's password. */
export const ADMIN_PASSWORD_ENV = 'CYBERSTUDIO_ADMIN_PASSWORD';
/** The file, in the plugin's data directory, that receives a generated first-admin password. */
export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

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
 * protocol and stderr goes to the kernel's persisted log, so it is never printed. Throws (refusing
 * the start) when the variable holds a password shorter than 8 characters.
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
  });
  if (fromEnv === undefined) {
    log.warn({ username, file }, `created the first admin '${username}'; its generated password is in ${file} (readable by this user only): sign in, change it, then delete the file`);
  } else {
    log.info({ username }, `created the first admin '${username}' with the password from ${ADMIN_PASSWORD_ENV}`);
  }
}
