import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../gateway/support/test-gateway.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { runCli } from './support/run-cli.ts';

// Every test only reads the log lines logged once below, so the file shares one kernel.
let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway([echoPlugin()]);
  for (const [level, msg] of [['debug', 'cli-debug-line'], ['info', 'cli-info-line'], ['warn', 'cli-warn-line'], ['error', 'cli-error-line']]) {
    await test.kernel.bus.call('echo.log', { level, msg }, { caller: { kind: 'kernel' } });
  }
});
afterAll(async () => {
  await test?.close();
});

const logs = (args: string[]) => runCli(['logs', ...args, '--url', test.url]);

describe('cyberstudio logs', () => {
  it('prints the history readably: time, level, plugin and message', async () => {
    const result = await logs(['echo']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} WARN  echo: cli-warn-line/m);
    expect(result.stdout.indexOf('cli-info-line')).toBeLessThan(result.stdout.indexOf('cli-warn-line'));
  });

  it('shows only records at --level or above', async () => {
    const result = await logs(['echo', '--level', 'warn']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('cli-warn-line');
    expect(result.stdout).toContain('cli-error-line');
    expect(result.stdout).not.toContain('cli-info-line');
    expect(result.stdout).not.toContain('cli-debug-line');
  });

  it('prints one JSON record per line with --json', async () => {
    const result = await logs(['echo', '--json', '--grep', 'cli-error']);

    expect(result.exitCode).toBe(0);
    const records = result.stdout.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([expect.objectContaining({ plugin: 'echo', level: 'error', msg: 'cli-error-line', seq: expect.any(Number) })]);
  });

  it('shows only the newest -n records', async () => {
    const result = await logs(['echo', '-n', '2', '--grep', 'cli-']);

    expect(result.stdout.split('\n').map((line) => /cli-\w+-line/.exec(line)?.[0])).toEqual(['cli-warn-line', 'cli-error-line']);
  });

  it('shows nothing from before --since', async () => {
    const result = await logs(['echo', '--since', new Date(Date.now() + 60_000).toISOString()]);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('(no log records match)');
  });

  it('accepts --since as a duration back from now', async () => {
    const result = await logs(['echo', '--since', '10m', '--grep', 'cli-warn']);

    expect(result.stdout).toContain('cli-warn-line');
  });

  it('exits 2 for an unknown --level', async () => {
    const result = await logs(['echo', '--level', 'loud']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--level must be one of trace, debug, info, warn, error, fatal, not 'loud'");
  });

  it('exits 2 for a --since it cannot read', async () => {
    const result = await logs(['echo', '--since', 'yesterday']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--since must be a duration");
  });

  it('exits 1 with the kernel\'s message for a plugin that is not registered', async () => {
    const result = await logs(['nope']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("no plugin named 'nope'");
  });
});
