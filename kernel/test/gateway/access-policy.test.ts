import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../src/gateway/access-policy.ts';

const user = (...roles: string[]) => ({ kind: 'user' as const, id: 'u', roles });
const policy = new AccessPolicy([
  { roles: ['admin'], call: ['*'], subscribe: ['*'] },
  { roles: ['developer'], call: ['llm.*', 'hello.echo'], subscribe: ['kernel.plugin.state'] },
  { roles: ['anonymous'], call: ['auth.login'], subscribe: [] },
]);

describe('AccessPolicy', () => {
  it('allows what a rule for one of the caller roles lists, and nothing else', () => {
    expect(policy.canCall(user('developer'), 'llm.chat')).toBe(true);
    expect(policy.canCall(user('developer'), 'hello.echo')).toBe(true);
    expect(policy.canCall(user('developer'), 'hello.stream')).toBe(false);
    expect(policy.canCall(user('developer'), 'kernel.plugins.stop')).toBe(false);
    expect(policy.canCall(user('viewer', 'admin'), 'kernel.plugins.stop')).toBe(true);
  });

  it('denies a user with no matching role by default', () => {
    expect(policy.canCall(user(), 'hello.echo')).toBe(false);
    expect(new AccessPolicy([]).canCall(user('admin'), 'hello.echo')).toBe(false);
  });

  it('answers Unauthenticated for anonymous callers and Forbidden for signed-in ones', () => {
    expect(() => policy.assertCall(user('anonymous'), 'hello.echo')).toThrow(expect.objectContaining({ code: -32012 }));
    expect(() => policy.assertCall(user('developer'), 'kernel.status')).toThrow(expect.objectContaining({ code: -32008, data: expect.objectContaining({ capability: 'kernel.status' }) }));
    expect(() => policy.assertCall(user('anonymous'), 'auth.login')).not.toThrow();
  });

  it('allows a topic pattern only when a rule pattern covers all of it', () => {
    const topics = new AccessPolicy([{ roles: ['r'], call: [], subscribe: ['echo.*', 'kernel.log'] }]);

    expect(topics.canSubscribe(user('r'), 'echo.ping')).toBe(true);
    expect(topics.canSubscribe(user('r'), 'echo.*')).toBe(true);
    expect(topics.canSubscribe(user('r'), 'kernel.log')).toBe(true);
    expect(topics.canSubscribe(user('r'), '*')).toBe(false);
    expect(topics.canSubscribe(user('r'), 'kernel.*')).toBe(false);
  });

  it('does not judge plugins and the kernel, which never come through the gateway', () => {
    expect(new AccessPolicy([]).canCall({ kind: 'kernel' }, 'kernel.status')).toBe(true);
  });

  it('limits a caller with scopes to what both its roles and its scopes allow, naming the key in the refusal', () => {
    const scoped = { ...user('admin'), scopes: ['llm.*'] };

    expect(policy.canCall(scoped, 'llm.chat')).toBe(true);
    expect(policy.canCall(scoped, 'kernel.plugins.stop')).toBe(false);
    expect(policy.canCall({ ...user('viewer'), scopes: ['llm.*'] }, 'llm.chat')).toBe(false);
    expect(() => policy.assertCall(scoped, 'kernel.plugins.stop')).toThrow(expect.objectContaining({ code: -32008, message: expect.stringContaining('API key'), data: expect.objectContaining({ reason: 'key-scope' }) }));
  });
});
