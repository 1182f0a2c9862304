import { createHash } from 'node:crypto';
import { BusError, ErrorCode, type Caller } from '@cyberstudio/sdk';
import type { GatewayAuthSettings } from '../registry/index.ts';
import { ANONYMOUS_ROLE } from './access-policy.ts';
import type { Credential } from './credentials.ts';

/** A user from outside, as the gateway passes it on in `_meta.caller`. */
export type UserCaller = Extract<Caller, { kind: 'user' }>;

/** Requests without a credential. */
export const ANONYMOUS: UserCaller = Object.freeze({ kind: 'user', id: 'anonymous', roles: [ANONYMOUS_ROLE] }) as UserCaller;

/** Every request when no auth capability is configured (loopback only). */
export const LOCAL_OPERATOR: UserCaller = Object.freeze({ kind: 'user', id: 'local-operator', name: 'local operator', roles: ['admin'] }) as UserCaller;

/** Rejections are remembered this long, so a client retrying a bad key does not hammer the provider. */
const NEGATIVE_CACHE_MS = 1000;
const MAX_CACHE_ENTRIES = 10_000;

type Entry = { expires: number; caller: UserCaller } | { expires: number; error: BusError };

/** Calls the identity capability; the gateway gives it its kernel. */
export type IdentityCall = (capability: string, params: Record<string, unknown>) => Promise<unknown>;

/**
 * Turns credentials into users by calling the configured auth capability, remembering each
 * answer for at most `cacheSeconds` (so a revoked key stops working within that time). Cache
 * keys are SHA-256 digests: no secret is kept in memory longer than the call.
 */
export class IdentityResolver {
  readonly #settings: GatewayAuthSettings | undefined;
  readonly #call: IdentityCall;
  readonly #cache = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<UserCaller>>();

  constructor(settings: GatewayAuthSettings | undefined, call: IdentityCall) {
    this.#settings = settings;
    this.#call = call;
  }

  /** True when an auth capability is configured. */
  get enabled(): boolean {
    return this.#settings !== undefined;
  }

  /**
   * The caller for a request: the local operator without auth, anonymous without a credential,
   * else whoever the provider says. Throws Unauthenticated for a rejected credential, and the
   * provider's error (RateLimited, PluginNotRunning, ...) when it fails otherwise.
   */
  resolve(credential: Credential | { malformed: string } | undefined): Promise<UserCaller> {
    try {
      return Promise.resolve(this.resolveNow(credential) ?? this.#ask(credential as Credential));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The caller when it is known without asking the provider (no auth, no credential, a cached
   * answer), else undefined; throws as `resolve` rejects. Lets hot paths skip a promise.
   */
  resolveNow(credential: Credential | { malformed: string } | undefined): UserCaller | undefined {
    if (!this.#settings) return LOCAL_OPERATOR;
    if (credential === undefined) return ANONYMOUS;
    if ('malformed' in credential) throw new BusError(ErrorCode.Unauthenticated, `Not signed in: ${credential.malformed}`, { reason: credential.malformed });
    const cached = this.#cache.get(cacheKey(credential));
    if (cached && cached.expires > Date.now()) {
      if ('error' in cached) throw cached.error;
      return cached.caller;
    }
    return undefined;
  }

  #ask(credential: Credential): Promise<UserCaller> {
    const key = cacheKey(credential);
    this.#cache.delete(key);
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#authenticate(key, credential).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  /** Forgets every cached answer (tests, or after the auth plugin restarts). */
  clear(): void {
    this.#cache.clear();
  }

  async #authenticate(key: string, credential: Credential): Promise<UserCaller> {
    const settings = this.#settings!;
    let answer: unknown;
    try {
      answer = await this.#call(settings.capability, { credential: { kind: credential.kind, value: credential.value } });
    } catch (error) {
      const failure = BusError.from(error);
      if (failure.code !== ErrorCode.Unauthenticated) throw failure;
      return this.#rejected(key, credential, failure);
    }
    const caller = toCaller(answer, settings.capability);
    if (caller === undefined) {
      return this.#rejected(key, credential, new BusError(ErrorCode.Unauthenticated, 'Not signed in: the key or session is unknown, expired or revoked', { reason: 'rejected' }));
    }
    const ttlMs = Math.min(settings.cacheSeconds * 1000, ttlOf(answer));
    if (ttlMs > 0) this.#remember(key, { expires: Date.now() + ttlMs, caller });
    return caller;
  }

  /**
   * A rejected API key is an error (401). A rejected session cookie makes the request anonymous
   * instead: the browser cannot clear an HttpOnly cookie itself, and must still reach the login.
   */
  #rejected(key: string, credential: Credential, error: BusError): UserCaller {
    const expires = Date.now() + NEGATIVE_CACHE_MS;
    if (credential.kind === 'session') {
      this.#remember(key, { expires, caller: ANONYMOUS });
      return ANONYMOUS;
    }
    this.#remember(key, { expires, error });
    throw error;
  }

  #remember(key: string, entry: Entry): void {
    if (this.#cache.size >= MAX_CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, entry);
  }
}

/** The cache key of a credential: a digest, so no secret stays in memory. */
function cacheKey(credential: Credential): string {
  return createHash('sha256').update(credential.kind).update('\0').update(credential.value).digest('base64url');
}

/** The provider's answer as a user; null or a missing id means "rejected". */
function toCaller(answer: unknown, capability: string): UserCaller | undefined {
  if (answer === null || answer === undefined) return undefined;
  const value = answer as { id?: unknown; roles?: unknown; name?: unknown; username?: unknown; keyId?: unknown; sessionId?: unknown; scopes?: unknown };
  if (typeof value !== 'object' || typeof value.id !== 'string' || value.id === '') return undefined;
  if (!Array.isArray(value.roles) || !value.roles.every((role) => typeof role === 'string')) {
    throw new BusError(ErrorCode.InternalError, `${capability} answered a user without a roles array`, { name: 'IdentityProviderError' });
  }
  const roles = (value.roles as string[]).filter((role) => role !== ANONYMOUS_ROLE);
  const caller: UserCaller = { kind: 'user', id: value.id, roles };
  const name = typeof value.name === 'string' ? value.name : typeof value.username === 'string' ? value.username : undefined;
  if (name !== undefined) caller.name = name;
  if (typeof value.keyId === 'string') caller.keyId = value.keyId;
  if (typeof value.sessionId === 'string') caller.sessionId = value.sessionId;
  if (Array.isArray(value.scopes) && value.scopes.every((scope) => typeof scope === 'string')) caller.scopes = value.scopes as string[];
  return caller;
}

/** The provider may shorten the cache time with `ttlSeconds` (a key that expires soon). */
function ttlOf(answer: unknown): number {
  const ttl = (answer as { ttlSeconds?: unknown }).ttlSeconds;
  return typeof ttl === 'number' && ttl >= 0 ? ttl * 1000 : Number.POSITIVE_INFINITY;
}
