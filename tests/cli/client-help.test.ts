import { describe, expect, it } from 'vitest';
import { closedPort, runCli } from './support/run-cli.ts';

describe('help of the client commands', () => {
  it('lists call, plugins list and logs in cyberstudio --help', async () => {
    const result = await runCli(['--help']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('call <capability> [json]');
    expect(result.stdout).toContain('plugins list');
    expect(result.stdout).toContain('plugins start|stop|restart <name>');
    expect(result.stdout).toContain('logs [plugin] [-f]');
    expect(result.stdout).toContain('6  no running kernel answered');
  });

  it.each([
    [['call', '--help'], 'Usage: cyberstudio call <capability> [params-json | -]', '--no-stream'],
    [['plugins', '--help'], 'Usage: cyberstudio plugins <subcommand>', 'validate [file]'],
    [['plugins', 'list', '-h'], 'Usage: cyberstudio plugins <subcommand>', 'restart <name>'],
    [['logs', '--help'], 'Usage: cyberstudio logs [plugin] [-f]', '--since <when>'],
  ])('%j prints its usage, the common options and the exit codes', async (args, usage, option) => {
    const result = await runCli(args);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(usage);
    expect(result.stdout).toContain(option);
    expect(result.stdout).toContain('--url <url>');
    expect(result.stdout).toContain('--key <key>');
    expect(result.stdout).toContain('Exit codes');
    expect(result.stdout).toContain('6  no running kernel answered at the gateway URL');
  });
});

describe('client commands without a kernel', () => {
  it('exit 6 naming the URL when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const result = await runCli(['plugins', 'list', '--url', url]);

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toBe(`cyberstudio: no kernel answering at ${url} (start one with: npm start)`);
  });

  it('take the gateway address from CYBERSTUDIO_HOST and CYBERSTUDIO_PORT', async () => {
    const port = await closedPort();

    const result = await runCli(['call', 'echo.echo', '--no-stream'], { env: { CYBERSTUDIO_HOST: '127.0.0.1', CYBERSTUDIO_PORT: String(port) } });

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`no kernel answering at http://127.0.0.1:${port}`);
  });

  it('prefer CYBERSTUDIO_URL to the host and port variables', async () => {
    const port = await closedPort();

    const result = await runCli(['logs', 'echo'], { env: { CYBERSTUDIO_URL: `http://localhost:${port}`, CYBERSTUDIO_PORT: '1' } });

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`no kernel answering at http://localhost:${port}`);
  });

  it('exit 6 for a streaming call too (the WebSocket cannot connect)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const result = await runCli(['call', 'echo.echo', '--url', url]);

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`no kernel answering at ${url}`);
  });

  it('exit 2 for a --url that is not an http URL', async () => {
    const result = await runCli(['plugins', 'list', '--url', 'ftp://example']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--url must be an http:// or https:// URL, not 'ftp://example'");
  });

  it('exit 2 naming an unknown flag', async () => {
    const result = await runCli(['logs', 'echo', '--colour']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).toContain("Run 'cyberstudio logs --help' for usage.");
  });
});
