import { describe, expect, it } from 'vitest';
import { LocalErrorCode } from '@cyberstudio/sdk';
import type { StateChange } from '../../src/lifecycle/plugin-state.ts';
import { PluginSupervisor } from '../../src/lifecycle/plugin-supervisor.ts';
import { manifestOf, rawFixtureLaunch } from '../support/raw-fixture-process.ts';

const CAPABILITIES = ['crash.now', 'crash.later', 'crash.ok'];

function supervisorOfCrasher(changes: StateChange[]): PluginSupervisor {
  return new PluginSupervisor(manifestOf('crasher', { entrypoint: 'crash-mid-call/main.mjs', capabilities: CAPABILITIES, shutdownTimeoutSeconds: 1 }), {
    launchOptions: () => rawFixtureLaunch('crash-mid-call', 'crasher', CAPABILITIES),
    beforeStart: async () => {},
    onStateChange: (change) => changes.push(change),
    onProcessStarted: () => {},
    onProcessExited: () => {},
  });
}

describe('PluginSupervisor disposal', () => {
  it('stops the plugin once when disposed twice, and refuses a later start with CDS_ERR_PLUGIN_UNKNOWN', async () => {
    const changes: StateChange[] = [];
    const supervisor = supervisorOfCrasher(changes);
    const process = await supervisor.start();

    await Promise.all([supervisor[Symbol.asyncDispose](), supervisor.dispose()]);
    await supervisor.dispose();

    expect(process.alive).toBe(false);
    expect(changes.filter((change) => change.to === 'stopping')).toHaveLength(1);
    expect(supervisor.state).toBe('stopped');
    await expect(supervisor.start()).rejects.toMatchObject({ code: LocalErrorCode.PluginUnknown, message: expect.stringContaining("'crasher'") });
  });

  it('refuses a start asked for while its dispose is still stopping the plugin', async () => {
    const supervisor = supervisorOfCrasher([]);
    await supervisor.start();

    const disposing = supervisor.dispose();
    const lateStart = supervisor.start();

    await expect(lateStart).rejects.toMatchObject({ code: LocalErrorCode.PluginUnknown });
    await disposing;
    expect(supervisor.process).toBeUndefined();
  });
});
