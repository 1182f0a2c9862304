import { BusError } from '@cyberstudio/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANONYMOUS, IdentityResolver, LOCAL_OPERATOR } from '../../src/gateway/identity-resolver.ts';
import { credentialFrom } from '../../src/gateway/credentials.ts';

const settings = { capability: 'auth.authenticate', cacheSeconds: 5, sessionCookie: 'cyberstudio_session' };
const bearer = (value: string) => ({ kind: 'bearer' as const, value });

afterEach(() => vi.useRealTimers());

describe('IdentityResolver', () => {
  it('makes every request the local operator when no auth capability is configured', async () => {
    const resolver = new IdentityResolver(undefined, async () => ({ id: 'x', roles: [] }));

    expect(await resolver.resolve(bearer('anything'))).toBe(LOCAL_OPERATOR);
    expect(await resolver.resolve(undefined)).toBe(LOCAL_OPERATOR);
  });

  it('makes a request without a credential anonymous, without calling the provider', async () => {
    const call = vi.fn();
    const resolver = new IdentityResolver(settings, call);

    expect(await resolver.resolve(undefined)).toBe(ANONYMOUS);
    expect(call).not.toHaveBeenCalled();
  });

  it('keeps the session id and the scopes the provider gives', async () => {
    const resolver = new IdentityResolver(settings, async () => ({ id: 'u1', roles: ['developer'], sessionId: 's1', scopes: ['llm.*'] }));

    expect(await resolver.resolve({ kind: 'session', value: 'tok' })).toEqual({ kind: 'user', id: 'u1', roles: ['developer'], sessionId: 's1', scopes: ['llm.*'] });
  });

  it('passes the credential to the provider and keeps id, roles, name and keyId', async () => {
    const call = vi.fn(async () => ({ id: 'u1', roles: ['developer'], username: 'ada', keyId: 'k1', balance: 10 }));
    const resolver = new IdentityResolver(settings, call);

    expect(await resolver.resolve(bearer('sk-1'))).toEqual({ kind: 'user', id: 'u1', roles: ['developer'], name: 'ada', keyId: 'k1' });
    expect(call).toHaveBeenCalledWith('auth.authenticate', { credential: { kind: 'bearer', value: 'sk-1' } });
  });

  it('reuses an answer within cacheSeconds and asks again after it', async () => {
    vi.useFakeTimers();
    const call = vi.fn(async () => ({ id: 'u1', roles: ['admin'] }));
    const resolver = new IdentityResolver(settings, call);

    await resolver.resolve(bearer('sk-1'));
    await resolver.resolve(bearer('sk-1'));
    expect(call).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5001);
    await resolver.resolve(bearer('sk-1'));
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('asks the provider once for concurrent requests with the same credential', async () => {
    let release!: () => void;
    const call = vi.fn(() => new Promise((resolve) => (release = () => resolve({ id: 'u1', roles: [] }))));
    const resolver = new IdentityResolver(settings, call);

    const both = Promise.all([resolver.resolve(bearer('sk-1')), resolver.resolve(bearer('sk-1'))]);
    release();

    expect((await both).map((caller) => caller.id)).toEqual(['u1', 'u1']);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('rejects with Unauthenticated when the provider answers null, and never grants the anonymous role', async () => {
    const resolver = new IdentityResolver(settings, async (_capability, params) => ((params.credential as { value: string }).value === 'good' ? { id: 'u', roles: ['anonymous', 'viewer'] } : null));

    await expect(resolver.resolve(bearer('bad'))).rejects.toMatchObject({ code: -32012 });
    expect((await resolver.resolve(bearer('good'))).roles).toEqual(['viewer']);
  });

  it('makes a request with a rejected session cookie anonymous, so a stale cookie cannot lock the browser out of the login', async () => {
    const resolver = new IdentityResolver(settings, async () => {
      throw new BusError(-32012, 'Not signed in', { reason: 'revoked' });
    });

    expect(await resolver.resolve({ kind: 'session', value: 'stale' })).toBe(ANONYMOUS);
    await expect(resolver.resolve(bearer('stale'))).rejects.toMatchObject({ code: -32012 });
  });

  it('passes on provider failures other than Unauthenticated without caching them', async () => {
    const call = vi.fn().mockRejectedValueOnce(new BusError(-32013, 'slow down', { retryAfterSeconds: 3 })).mockResolvedValueOnce({ id: 'u', roles: [] });
    const resolver = new IdentityResolver(settings, call);

    await expect(resolver.resolve(bearer('k'))).rejects.toMatchObject({ code: -32013 });
    expect((await resolver.resolve(bearer('k'))).id).toBe('u');
  });
});

describe('credentialFrom', () => {
  it('prefers the bearer token over the session cookie and reports a malformed Authorization header', () => {
    expect(credentialFrom({ authorization: 'Bearer abc', cookie: 'cyberstudio_session=s1' }, 'cyberstudio_session')).toEqual({ kind: 'bearer', value: 'abc' });
    expect(credentialFrom({ cookie: 'a=1; cyberstudio_session=s%201' }, 'cyberstudio_session')).toEqual({ kind: 'session', value: 's 1' });
    expect(credentialFrom({ authorization: 'Basic xyz' }, 'cyberstudio_session')).toEqual({ malformed: expect.stringContaining('Bearer') });
    expect(credentialFrom({}, 'cyberstudio_session')).toBeUndefined();
  });
});
