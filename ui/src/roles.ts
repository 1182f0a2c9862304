/** The roles the studio tells apart; any other role is shown read-only, like a viewer. */
export type Role = 'admin' | 'developer' | 'viewer';

const ORDER: readonly Role[] = ['admin', 'developer', 'viewer'];

/** The most capable studio role among `roles` (the gateway's caller roles); 'viewer' when none is known. */
export function primaryRole(roles: readonly string[]): Role {
  return ORDER.find((role) => roles.includes(role)) ?? 'viewer';
}

/** True when the role may start, stop and restart plugins and manage users and keys. */
export function isAdmin(role: Role): boolean {
  return role === 'admin';
}

/** True when `role` is `least` or more capable (admin > developer > viewer). */
export function hasRole(role: Role, least: Role): boolean {
  return ORDER.indexOf(role) <= ORDER.indexOf(least);
}
