import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { authenticateKey } from './api-keys.ts';
import type { AuthenticatedUser, Rejection } from './authenticated-user.ts';
import { looksLikeApiKey } from './secrets.ts';
import { authenticateSession } from './sessions.ts';

/** A credential the gateway found on a request. */
export interface Credential {
  kind: 'bearer' | 'session';
  value: string;
}

/** The one message of every refused credential; the reason is in `data.reason`, for clients and logs. */
export const NOT_SIGNED_IN = 'Not signed in: the key or session is not valid';

/**
 * The user a credential belongs to. A bearer value is an API key, or a session token for
 * clients that signed in with `auth.login` and send the token as a bearer; the cookie is a
 * session token. A refused credential is audited (`auth.failed`, with the key's visible prefix
 * at most) and throws Unauthenticated with `data.reason`.
 */
export async function authenticateCredential(state: AuthState, credential: Credential): Promise<AuthenticatedUser> {
  const { kind, value } = credential;
  const answer = kind === 'bearer' && looksLikeApiKey(value) ? await authenticateKey(state, value) : await authenticateSession(state, value);
  if (!('rejected' in answer)) return answer;
  await auditRejection(state, kind, answer);
  throw new BusError(ErrorCode.Unauthenticated, NOT_SIGNED_IN, { reason: answer.rejected });
}

async function auditRejection(state: AuthState, kind: Credential['kind'], rejection: Rejection): Promise<void> {
  const detail: Record<string, unknown> = { kind, reason: rejection.rejected };
  if (rejection.prefix !== undefined) detail.prefix = rejection.prefix;
  await state.audit({ actor: 'anonymous', action: 'auth.failed', target: rejection.target ?? null, outcome: 'failed', detail });
}
