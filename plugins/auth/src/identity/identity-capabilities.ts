import type { CapabilitySpec } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { auditCapabilities } from './audit-capabilities.ts';
import { keyCapabilities } from './key-capabilities.ts';
import { LoginLockout } from './login-lockout.ts';
import { sessionCapabilities } from './session-capabilities.ts';
import { sessionListCapabilities } from './session-list.ts';
import { userCapabilities } from './user-capabilities.ts';

/**
 * The identity half of the auth plugin: `auth.authenticate` (the gateway's identity provider),
 * logins, sessions (and their list), users, API keys and the audit log, all over `state`'s database.
 */
export function identityCapabilities(state: AuthState): Record<string, CapabilitySpec> {
  const lockout = new LoginLockout(state);
  return {
    ...sessionCapabilities(state, lockout),
    ...sessionListCapabilities(state),
    ...userCapabilities(state, lockout),
    ...keyCapabilities(state),
    ...auditCapabilities(state),
  };
}
