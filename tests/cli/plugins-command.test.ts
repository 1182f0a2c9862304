import { describe, expect, it } from 'vitest';
import { gatewayPerTest } from '../gateway/support/test-gateway.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { runCli } from './support/run-cli.ts';

const open = gatewayPerTest();

describe('cyberstudio plugins list', () => {
  it('prints a table with a header and one row per plugin', async () => {
    const test = await open([echoPlugin()]);
    const pid = test.kernel.supervisor('echo').process!.pid;

    const result = await runCli(['plugins', 'list', '--url', test.url]);

    expect(result.exitCode).toBe(0);
    const [header, row, ...rest] = result.stdout.split('\n');
    expect(header).toMatch(/^NAME\s+STATE\s+PID\s+RESTARTS\s+CAPABILITIES\s+LAST ERROR$/);
    expect(row).toMatch(new RegExp(`^echo\\s+running\\s+${pid}\\s+0\\s+echo\\.echo, .*\\(\\+\\d+\\)\\s+-$`));
    expect(rest).toEqual([]);
  });

  it('prints the kernel.plugins.list array with --json', async () => {
    const test = await open([echoPlugin()]);

    const result = await runCli(['plugins', 'list', '--json', '--url', test.url]);

    expect(result.exitCode).toBe(0);
    const plugins = JSON.parse(result.stdout) as { name: string; state: string; pid: number }[];
    expect(plugins).toEqual([expect.objectContaining({ name: 'echo', state: 'running', pid: test.kernel.supervisor('echo').process!.pid })]);
  });
});

describe('cyberstudio plugins start|stop|restart', () => {
  it('stops a plugin, prints its new state, and list then shows it stopped', async () => {
    const test = await open([echoPlugin()]);

    const stopped = await runCli(['plugins', 'stop', 'echo', '--url', test.url]);
    const listed = await runCli(['plugins', 'list', '--url', test.url]);

    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout).toBe('echo: stopped');
    expect(test.kernel.supervisor('echo').state).toBe('stopped');
    expect(listed.stdout.split('\n')[1]).toMatch(/^echo\s+stopped\s+-\s+/);
  });

  it('starts a stopped plugin and prints its state and pid', async () => {
    const test = await open([echoPlugin()]);
    await test.kernel.supervisor('echo').stop('test');

    const result = await runCli(['plugins', 'start', 'echo', '--url', test.url]);

    expect(result.exitCode).toBe(0);
    expect(test.kernel.supervisor('echo').state).toBe('running');
    expect(result.stdout).toBe(`echo: running (pid ${test.kernel.supervisor('echo').process!.pid})`);
  });

  it('restarts a plugin into a new process', async () => {
    const test = await open([echoPlugin()]);
    const before = test.kernel.supervisor('echo').process!.pid;

    const result = await runCli(['plugins', 'restart', 'echo', '--json', '--url', test.url]);

    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout) as { name: string; state: string; pid: number };
    expect(summary).toMatchObject({ name: 'echo', state: 'running' });
    expect(summary.pid).not.toBe(before);
    expect(summary.pid).toBe(test.kernel.supervisor('echo').process!.pid);
  });

  it('exits 1 with the kernel\'s message for a plugin that is not registered', async () => {
    const test = await open([echoPlugin()]);

    const result = await runCli(['plugins', 'stop', 'nope', '--url', test.url]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("kernel.plugins.stop: no plugin named 'nope' is registered [PluginNotFound -32014]");
  });

  it('exits 2 for a lifecycle subcommand without a plugin name', async () => {
    const result = await runCli(['plugins', 'restart']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('missing <name>');
  });

  it('exits 2 naming an unknown plugins subcommand', async () => {
    const result = await runCli(['plugins', 'frob']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown plugins subcommand 'frob'");
  });
});
