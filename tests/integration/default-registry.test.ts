import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '@cyberstudio/sdk';
import { loadRegistry } from '@cyberstudio/kernel';
import { repoRoot } from './support/test-kernel.ts';

describe("the repository's plugins.json", () => {
  it('makes each plugin depend on the plugins whose capabilities it may call, so a stop never takes a provider away before its callers', async () => {
    // llmserver settles its metering through auth.usage.*: stopped in parallel with auth, its last commits were lost.
    const registry = await loadRegistry(join(repoRoot, 'plugins.json'));

    for (const plugin of registry.plugins) {
      const providers = registry.plugins.filter((other) =>
        other.name !== plugin.name && other.capabilities.some((capability) => plugin.permissions.call.some((pattern) => matchesPattern(pattern, capability))));
      expect(plugin.dependencies, plugin.name).toEqual(expect.arrayContaining(providers.map((provider) => provider.name)));
    }
  });
});
