import { BusError, ErrorCode, matchesPattern, type Caller } from '@cyberstudio/sdk';
import type { AccessRule } from '../registry/index.ts';

/** The role of a request that carries no credential. */
export const ANONYMOUS_ROLE = 'anonymous';

/**
 * Default-deny access rules for callers from outside: a user may call a capability, or
 * subscribe to a topic, when a rule for one of the user's roles lists a matching pattern.
 * Kernel and plugin callers never come through the gateway and are not judged here.
 */
export class AccessPolicy {
  readonly #rules: readonly AccessRule[];

  constructor(rules: readonly AccessRule[]) {
    this.#rules = rules;
  }

  /** True when `caller` may call `capability`: a rule for one of its roles allows it, and the credential's scopes (if any) cover it. */
  canCall(caller: Caller, capability: string): boolean {
    if (caller.kind === 'user' && caller.scopes !== undefined && !caller.scopes.some((pattern) => matchesPattern(pattern, capability))) return false;
    return this.#allows(caller, (rule) => rule.call.some((pattern) => matchesPattern(pattern, capability)));
  }

  /** True when `caller` may subscribe to `topic` (a topic name or pattern). */
  canSubscribe(caller: Caller, topic: string): boolean {
    return this.#allows(caller, (rule) => rule.subscribe.some((pattern) => coversTopic(pattern, topic)));
  }

  /** Throws Unauthenticated (anonymous callers) or Forbidden when `caller` may not call `capability`. */
  assertCall(caller: Caller, capability: string): void {
    if (this.canCall(caller, capability)) return;
    throw denied(caller, `call ${capability}`, { capability });
  }

  /** Throws Unauthenticated (anonymous callers) or Forbidden when `caller` may not subscribe to `topic`. */
  assertSubscribe(caller: Caller, topic: string): void {
    if (this.canSubscribe(caller, topic)) return;
    throw denied(caller, `subscribe to ${topic}`, { topic });
  }

  #allows(caller: Caller, test: (rule: AccessRule) => boolean): boolean {
    if (caller.kind !== 'user') return true;
    return this.#rules.some((rule) => rule.roles.some((role) => caller.roles.includes(role)) && test(rule));
  }
}

/** True when `pattern` covers every topic `requested` (itself maybe a pattern) can match. */
function coversTopic(pattern: string, requested: string): boolean {
  if (pattern === '*') return true;
  if (requested === '*') return false;
  if (requested.endsWith('.*')) return pattern.endsWith('.*') && requested.startsWith(pattern.slice(0, -1));
  return matchesPattern(pattern, requested);
}

function denied(caller: Caller, action: string, data: Record<string, unknown>): BusError {
  if (caller.kind === 'user' && caller.roles.includes(ANONYMOUS_ROLE)) {
    return new BusError(ErrorCode.Unauthenticated, `Sign in to ${action}: send Authorization: Bearer <key> or a session cookie`, { reason: 'no credential', ...data });
  }
  const roles = caller.kind === 'user' ? caller.roles.join(', ') || 'none' : caller.kind;
  if (caller.kind === 'user' && caller.scopes !== undefined && typeof data.capability === 'string' && !caller.scopes.some((pattern) => matchesPattern(pattern, data.capability as string))) {
    return new BusError(ErrorCode.Forbidden, `This API key may not ${action}: it is limited to ${caller.scopes.join(', ') || 'nothing'}`, { ...data, caller, reason: 'key-scope' });
  }
  return new BusError(ErrorCode.Forbidden, `Your roles (${roles}) may not ${action}: no access rule in the gateway's configuration allows it`, { ...data, caller });
}
