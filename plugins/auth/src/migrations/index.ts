import * as initial from './0001-initial.ts';

/** Every migration of the auth database, by name; names sort in the order they apply. */
export const authMigrations = {
  '0001-initial': initial,
};
