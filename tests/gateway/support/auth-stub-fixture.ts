import { fixture } from '../../integration/support/test-kernel.ts';

/** A startup manifest for the auth-stub fixture (tests/fixtures/auth-stub/main.ts); `overrides` are spread last. */
export function authStubPlugin(overrides: object = {}): object {
  return { name: 'auth-stub', entrypoint: fixture('auth-stub/main.ts'), activation: 'startup', capabilities: ['authstub.authenticate', 'authstub.quota'], ...overrides };
}

/**
 * A `gateway` section using the auth stub: bearer "admin-key" is u1 (role admin, may call
 * anything), "viewer-key" is u2 (role viewer, may call `viewerCalls`); no credential is anonymous.
 */
export function authStubGateway(viewerCalls: string[] = ['kernel.status', 'kernel.plugins.list']): Record<string, unknown> {
  return {
    auth: { capability: 'authstub.authenticate' },
    access: [
      { roles: ['admin'], call: ['*'], subscribe: ['*'] },
      { roles: ['viewer'], call: viewerCalls, subscribe: [] },
    ],
  };
}
