import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAME_PATTERN } from '../../../sdk/src/protocol/capability-name.ts';
import { Defaults } from '../../../sdk/src/protocol/protocol-constants.ts';
import { parseRegistry, pluginsSchema } from '../../src/registry/index.ts';

const opts = { file: '/srv/plugins.json', baseDir: '/srv' };

describe('schemas/plugins.schema.json', () => {
  it('uses the same capability name pattern as the sdk', () => {
    const definitions = pluginsSchema.definitions as Record<string, { pattern: string }>;
    expect(definitions.capabilityName?.pattern).toBe(CAPABILITY_NAME_PATTERN.source);
  });

  it("fills defaults that agree with the sdk's Defaults constants", () => {
    const [manifest] = parseRegistry({ plugins: [{ name: 'hello', entrypoint: 'main.ts', capabilities: ['hello.echo'] }] }, opts).plugins;
    expect(manifest?.healthcheck).toEqual({
      intervalSeconds: Defaults.healthIntervalMs / 1000,
      timeoutSeconds: Defaults.healthTimeoutMs / 1000,
      failureThreshold: Defaults.healthFailureThreshold,
      startTimeoutSeconds: Defaults.startTimeoutMs / 1000,
    });
    expect(manifest?.restart).toEqual({
      policy: 'on-failure',
      maxRestarts: Defaults.restartMaxRestarts,
      windowSeconds: Defaults.restartWindowMs / 1000,
      backoff: { initialMs: Defaults.backoffInitialMs, maxMs: Defaults.backoffMaxMs, jitter: 0.2 },
      stableSeconds: Defaults.stableAfterMs / 1000,
    });
    expect(manifest?.limits).toEqual({
      maxConcurrentCalls: Defaults.maxConcurrentCalls,
      queueLimit: Defaults.queueLimit,
      callTimeoutSeconds: Defaults.callIdleTimeoutMs / 1000,
      callTotalTimeoutSeconds: Defaults.callTotalTimeoutMs / 1000,
      capabilityTimeouts: {},
      inputBufferMb: Defaults.inputBufferMb,
    });
    expect(manifest?.shutdownTimeoutSeconds).toBe(Defaults.shutdownTimeoutMs / 1000);
  });
});
