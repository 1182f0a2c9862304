import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import type { LogRecord } from '../../kernel/src/index.ts';
import { rejectionOf } from './support/assertions.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { fixture, startTestKernel, type TestKernel } from './support/test-kernel.ts';

const LINE_CAP_BYTES = 16 * 1024 * 1024;

describe('misbehaving plugins', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin(),
      { name: 'garbage', entrypoint: fixture('garbage-stdout/main.mjs'), activation: 'startup', capabilities: ['garbage.big', 'garbage.echo'] },
      { name: 'noisy', entrypoint: fixture('noisy/main.mjs'), activation: 'startup', capabilities: ['noisy.flood', 'noisy.ping'], config: { logEvery: 10 } },
      {
        name: 'victim',
        entrypoint: fixture('crash-mid-call/main.mjs'),
        activation: 'startup',
        capabilities: ['crash.now', 'crash.later', 'crash.ok'],
        restart: { policy: 'never' },
      },
    ]);
    for (const plugin of ['echo', 'garbage', 'noisy', 'victim']) await test.waitForState(plugin, 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  const logsOf = async (query: Record<string, unknown>) => (await test.kernel.call('kernel.plugins.logs', query)) as LogRecord[];

  it('logs non-protocol stdout lines as warnings and keeps answering calls', async () => {
    await expect(test.kernel.call('garbage.echo', { still: 'works' })).resolves.toEqual({ still: 'works' });

    await expect
      .poll(async () => (await logsOf({ plugin: 'garbage', level: 'warn' })).map((record) => record.msg), { timeout: 3000, interval: 20 })
      .toEqual(expect.arrayContaining([
        expect.stringMatching(/non-JSON line.*hello world/),
        expect.stringMatching(/non-JSON line.*\{not json/),
        expect.stringMatching(/not JSON-RPC 2\.0.*\[1,2\]/),
        expect.stringMatching(/not JSON-RPC 2\.0.*\{"foo":1\}/),
      ]));
    const warnings = await logsOf({ plugin: 'garbage', q: 'hello world' });
    expect(warnings.every((record) => record.level === 'warn' && record.source === 'kernel')).toBe(true);
  });

  it('drops a stdout line over the 16 MiB cap with an error log and still answers the call', async () => {
    const bytes = 17 * 1024 * 1024;

    await expect(test.kernel.call('garbage.big', { bytes })).resolves.toEqual({ ok: true });

    const errors = await logsOf({ plugin: 'garbage', level: 'error', q: 'line size cap' });
    expect(errors).toHaveLength(1);
    const droppedBytes = Number(/dropped a (\d+)-byte line/.exec(errors[0]!.msg)?.[1]);
    expect(droppedBytes).toBeGreaterThan(LINE_CAP_BYTES);
  });

  it('stays responsive to other calls while a plugin floods stderr', async () => {
    let flooding = true;
    const flood = test.kernel.call('noisy.flood', { lines: 20_000 }).finally(() => (flooding = false));

    const started = Date.now();
    await expect(test.kernel.call('echo.echo', { during: 'flood' })).resolves.toEqual({ during: 'flood' });
    await expect(test.kernel.call('noisy.ping')).resolves.toEqual({ pong: true });
    const latencyMs = Date.now() - started;
    const answeredDuringFlood = flooding;

    await expect(flood).resolves.toEqual({ written: 20_000, logged: 2000 });
    expect(answeredDuringFlood).toBe(true);
    expect(latencyMs).toBeLessThan(1000);
  });

  it('captures every line of a stderr flood in the log store, re-levelled from the pino level', async () => {
    const since = Date.now();

    await test.kernel.call('noisy.flood', { lines: 20_000 });

    // Line i has pino level 30/40/50 for i % 3 = 0/1/2; "noisy line" leaves out the $/log copies ("noisy $/log i").
    const errorLines = async () => (await logsOf({ plugin: 'noisy', level: 'error', q: 'noisy line', since, limit: 10_000 })).filter((record) => record.source === 'stderr');
    await expect.poll(async () => new Set((await errorLines()).map((record) => record.fields?.i)).size, { timeout: 10_000, interval: 100 }).toBe(6666);
    const records = await errorLines();
    expect(records.every((record) => record.level === 'error' && (record.fields!.i as number) % 3 === 2)).toBe(true);
    expect(records.at(-1)).toMatchObject({ msg: 'noisy line 19997', fields: { i: 19997 } });
    const status = (await test.kernel.call('kernel.status')) as { logsDropped: number };
    expect(status.logsDropped).toBe(0);
  });

  it('fails a call to a plugin killed underneath it with PluginExited or PluginNotRunning, without an unhandled error', async () => {
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      const pid = test.kernel.supervisor('victim').process!.pid!;

      process.kill(pid, 'SIGKILL');
      const first = await rejectionOf(test.kernel.call('crash.ok'));
      await test.waitForState('victim', 'crashed', { timeout: 5000 });

      expect([ErrorCode.PluginExited, ErrorCode.PluginNotRunning]).toContain(first.code);
      expect(first.data).toMatchObject({ plugin: 'victim' });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    }
  });
});
