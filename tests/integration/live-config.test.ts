import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/src/index.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { kernelPerTest } from './support/test-kernel.ts';

const open = kernelPerTest();
const setConfig = (kernel: Kernel, config: Record<string, unknown>) =>
  kernel.call('kernel.plugins.setConfig', { plugin: 'echo', config }) as Promise<{ applied: string; restarted: boolean; state: string }>;
const pidOf = async (kernel: Kernel) => ((await kernel.call('echo.pid')) as { pid: number }).pid;

describe('kernel.plugins.setConfig', () => {
  it('applies a config in place when the plugin announces liveConfig, keeping its process', async () => {
    const { kernel } = await open([echoPlugin({ args: ['--live-config'], config: { greeting: 'hi' } })]);
    const pid = await pidOf(kernel);

    const answer = await setConfig(kernel, { greeting: 'hello', level: 2 });

    expect(answer).toMatchObject({ applied: 'live', restarted: false, state: 'running' });
    expect(await pidOf(kernel)).toBe(pid);
    expect(await kernel.call('echo.config')).toMatchObject({ config: { greeting: 'hello', level: 2 } });
    expect(kernel.configOverrides.get('echo')).toEqual({ greeting: 'hello', level: 2 });
  });

  it('keeps the old config, in the plugin and on disk, when the plugin refuses the new one', async () => {
    const { kernel } = await open([echoPlugin({ args: ['--live-config'], config: { greeting: 'hi' } })]);

    await expect(setConfig(kernel, { greeting: 'refuse' })).rejects.toMatchObject({ code: 4001, message: 'echo refuses this greeting' });

    expect(await kernel.call('echo.config')).toMatchObject({ config: { greeting: 'hi' } });
    expect(kernel.configOverrides.get('echo')).toBeUndefined();
  });

  it('restarts a running plugin that has no live config', async () => {
    const { kernel } = await open([echoPlugin({ config: { greeting: 'hi' } })]);
    const pid = await pidOf(kernel);

    const answer = await setConfig(kernel, { greeting: 'hello' });

    expect(answer).toMatchObject({ applied: 'restart', restarted: true, state: 'running' });
    expect(await pidOf(kernel)).not.toBe(pid);
    expect(await kernel.call('echo.config')).toMatchObject({ config: { greeting: 'hello' } });
  });

  it('keeps the config for the next start of a stopped plugin', async () => {
    const { kernel } = await open([echoPlugin({ activation: 'lazy', config: {} })]);

    const answer = await setConfig(kernel, { level: 3 });

    expect(answer).toMatchObject({ applied: 'next-start', restarted: false, state: 'stopped' });
    expect(await kernel.call('echo.config')).toMatchObject({ config: { level: 3 } });
  });
});
