import { BusError, ErrorCode, type Caller } from '@cyberstudio/sdk';

/** The role that may do everything. */
export const ADMIN_ROLE = 'admin';

/**
 * True for callers allowed admin operations: the kernel, plugins (the kernel already checked
 * their bus permission in plugins.json, so they are trusted) and users with role admin.
 */
export function isAdmin(caller: Caller): boolean {
  return caller.kind !== 'user' || caller.roles.includes(ADMIN_ROLE);
}

/** True when `caller` is the user `userRef` names, by id or by username. */
export function isSelf(caller: Caller, userRef: string): boolean {
  return caller.kind === 'user' && (caller.id === userRef || (caller.name !== undefined && caller.name === userRef));
}

/** Forbidden -32008 with data { capability, caller }, as every auth capability refuses. */
export function forbidden(capability: string, caller: Caller, why: string): BusError {
  return new BusError(ErrorCode.Forbidden, `Forbidden: ${capability} ${why}`, { capability, caller });
}

/** Throws Forbidden unless `caller` may do admin operations. */
export function assertAdmin(caller: Caller, capability: string): void {
  if (!isAdmin(caller)) throw forbidden(capability, caller, 'needs the admin role');
}

/** Throws Forbidden unless `caller` is an admin or the user `userRef` (id or username) itself. */
export function assertSelfOrAdmin(caller: Caller, capability: string, userRef: string): void {
  if (!isAdmin(caller) && !isSelf(caller, userRef)) throw forbidden(capability, caller, "may be called for another user only by an admin");
}

/** Who acted, as the audit log names it: a user id, `kernel`, or a plugin name. */
export function actorOf(caller: Caller): string {
  if (caller.kind === 'user') return caller.id;
  return caller.kind === 'plugin' ? caller.name : 'kernel';
}
