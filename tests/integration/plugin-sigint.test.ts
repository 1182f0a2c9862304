import { describe, expect, it } from 'vitest';
import { echoPlugin } from './support/echo-fixture.ts';
import { fixture, isAlive, kernelPerTest } from './support/test-kernel.ts';

const open = kernelPerTest();

describe('SIGINT reaching a plugin (Ctrl-C in the kernel terminal)', () => {
  it.each([
    ['an SDK plugin', echoPlugin(), 'echo.echo'],
    ['the Python plugin', { name: 'pyecho', entrypoint: fixture('python-echo/plugin.py'), activation: 'startup', capabilities: ['pyecho.echo', 'pyecho.stream', 'pyecho.sleep', 'pyecho.whoami'] }, 'pyecho.echo'],
  ])('leaves %s running and answering, so the kernel can stop it in order', async (_label, manifest, capability) => {
    const { kernel } = await open([manifest]);
    const name = (manifest as { name: string }).name;
    const pid = kernel.supervisor(name).process!.pid!;

    process.kill(pid, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(isAlive(pid)).toBe(true);
    expect(await kernel.call(capability, { still: 'here' })).toMatchObject({ still: 'here' });
  });
});
