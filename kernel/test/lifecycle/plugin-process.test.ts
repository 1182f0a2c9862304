import { describe, expect, it } from 'vitest';
import { ErrorCode, type BusError } from '@cyberstudio/sdk';
import { PluginProcess } from '../../src/lifecycle/plugin-process.ts';
import { rawFixtureLaunch } from '../support/raw-fixture-process.ts';

describe('PluginProcess disposal', () => {
  it('stops the process once when disposed twice, failing the call in flight with -32003 PluginExited', async () => {
    const plugin = await PluginProcess.start(rawFixtureLaunch('crash-mid-call', 'crasher', ['crash.now', 'crash.later', 'crash.ok']));
    const pending = plugin.request('crash.later', { ms: 60_000 }).catch((error: BusError) => error);

    const [first, second] = [plugin[Symbol.asyncDispose](), plugin[Symbol.asyncDispose]()];
    await Promise.all([first, second]);
    await plugin[Symbol.asyncDispose]();

    expect(plugin.alive).toBe(false);
    expect(await plugin.exited).toMatchObject({ exitCode: 0 });
    expect(await pending).toMatchObject({ code: ErrorCode.PluginExited, data: { plugin: 'crasher' } });
  });

  it('kills the process at once when the stop signal aborts, whatever the graceful budget', async () => {
    const plugin = await PluginProcess.start(rawFixtureLaunch('hang', 'wedged', ['hang.call']));
    const overdue = new AbortController();
    const started = Date.now();

    const stopping = plugin.stop({ timeout: 60_000, signal: overdue.signal });
    overdue.abort();

    expect(await stopping).toMatchObject({ signal: 'SIGKILL' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
