import { join } from 'node:path';
import { repoRoot } from '../../integration/support/test-kernel.ts';

/** A startup manifest for the revocable-keys identity provider; `keys` maps each key to its user `{ id, roles }`. */
export function revocableKeysPlugin(keys: Record<string, { id: string; roles: string[] }>): object {
  return {
    name: 'keys',
    entrypoint: join(repoRoot, 'tests', 'gateway', 'support', 'revocable-keys', 'main.mjs'),
    activation: 'startup',
    capabilities: ['keys.authenticate', 'keys.revoke'],
    config: { keys },
  };
}

/** A `gateway` section authenticating through revocable-keys with no cache (a revocation counts at once) and `heartbeatSeconds`. */
export function revocableKeysGateway(heartbeatSeconds = 30): Record<string, unknown> {
  return {
    auth: { capability: 'keys.authenticate', cacheSeconds: 0 },
    access: [{ roles: ['admin'], call: ['*'], subscribe: ['*'] }],
    limits: { heartbeatSeconds },
  };
}
