import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { fixture, kernelPerTest } from './support/test-kernel.ts';

const openKernel = kernelPerTest();

/** A startup plugin whose handshake takes `delayMs`. */
const sleepy = (name: string, delayMs: number, dependencies: string[] = []) => ({
  name,
  entrypoint: fixture('slow-init/main.mjs'),
  activation: 'startup',
  capabilities: [`${name}.ping`],
  dependencies,
  env: { FIXTURE_INIT_DELAY_MS: String(delayMs), FIXTURE_CAPABILITY: `${name}.ping` },
});

describe('kernel start', () => {
  it('starts independent startup plugins together: the start takes about one handshake, not the sum', async () => {
    const test = await openKernel([sleepy('first', 1500), sleepy('second', 1500), sleepy('third', 1500)], { start: false });

    const started = performance.now();
    await test.kernel.start();
    const elapsed = performance.now() - started;

    expect(test.kernel.supervisors.map((supervisor) => supervisor.state)).toEqual(['running', 'running', 'running']);
    // Serially this is at least 4500 ms; in parallel 1500 ms plus the spawns (a generous margin for a busy machine).
    expect(elapsed).toBeLessThan(3500);
  });

  it('starts a plugin only once the startup plugins it depends on are running', async () => {
    const test = await openKernel([sleepy('dependent', 100, ['base']), sleepy('base', 800)], { start: false });

    await test.kernel.start();

    const order = test.states.filter((change) => change.to === 'starting' || change.to === 'running').map((change) => `${change.plugin} ${change.to}`);
    expect(order.indexOf('dependent starting')).toBeGreaterThan(order.indexOf('base running'));
    expect(test.kernel.supervisor('dependent').state).toBe('running');
  });
});
