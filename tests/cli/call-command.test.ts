import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../gateway/support/test-gateway.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { runCli, startCli } from './support/run-cli.ts';

// Calls leave no state behind that another test reads (aborts are told apart by id), so the file shares one kernel.
let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway([echoPlugin()]);
});
afterAll(async () => {
  await test?.close();
});

const call = (args: string[], input?: string) => runCli(['call', ...args, '--url', test.url], { input });

/** Resolves once echo has a call in flight: the call reached its handler. */
async function untilEchoBusy(): Promise<void> {
  while (test.kernel.bus.load('echo').active === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function abortsSeen(): Promise<{ id: string | null; reason: string }[]> {
  const { aborts } = (await test.kernel.bus.call('echo.aborts', {}, { caller: { kind: 'kernel' } })) as { aborts: { id: string | null; reason: string }[] };
  return aborts;
}

describe('cyberstudio call --no-stream', () => {
  it('prints the result of echo.echo as indented JSON', async () => {
    const result = await call(['echo.echo', '{"hello":"world","n":[1,2]}', '--no-stream']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(JSON.stringify({ hello: 'world', n: [1, 2] }, null, 2));
    expect(result.stderr).toBe('');
  });

  it('prints the result on one line with --json', async () => {
    const result = await call(['echo.echo', '{"hello":"world"}', '--no-stream', '--json']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{"hello":"world"}');
  });

  it('reads params from stdin with -', async () => {
    const result = await call(['echo.echo', '-', '--no-stream', '--json'], '{"from":"stdin"}\n');

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{"from":"stdin"}');
  });

  it('sends {} when no params are given', async () => {
    const result = await call(['echo.echo', '--no-stream', '--json']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{}');
  });

  it('exits 2 naming the problem when params are not valid JSON', async () => {
    const result = await call(['echo.echo', '{hello}', '--no-stream']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cyberstudio: params are not valid JSON');
    expect(result.stdout).toBe('');
  });

  it('exits 2 when params are JSON but not an object', async () => {
    const result = await call(['echo.echo', '[1,2]', '--no-stream']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('params must be a JSON object, not an array');
  });

  it('exits 1 with the Method not found message for a capability nobody provides', async () => {
    const result = await call(['nobody.here', '--no-stream']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^cyberstudio: .*nobody\.here.* \[MethodNotFound -32601\]$/m);
  });

  it('prints the error data a capability fails with', async () => {
    const result = await call(['echo.fail', '{"code":4242,"message":"the disk is full","data":{"free":0}}', '--no-stream']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('cyberstudio: the disk is full [UnknownError 4242]');
    expect(result.stderr).toContain('data: {"free":0}');
  });

  it('prints the error as one JSON object on stderr with --json', async () => {
    const result = await call(['nobody.here', '--no-stream', '--json']);

    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: -32601, name: 'MethodNotFound', message: expect.any(String), data: { method: 'nobody.here', capability: 'nobody.here', code: -32001, name: 'CapabilityNotFound' } },
    });
  });

  it('fails after --timeout and cancels the call in the plugin', async () => {
    const result = await call(['echo.slow', '{"ms":60000,"id":"cli-timeout"}', '--no-stream', '--timeout', '1']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no answer within 1 s (--timeout)');
    await expect.poll(abortsSeen).toContainEqual(expect.objectContaining({ id: 'cli-timeout' }));
  });

  it('cancels the call in the plugin on Ctrl-C and exits 130', async () => {
    const cli = startCli(['call', 'echo.slow', '{"ms":60000,"id":"cli-sigint"}', '--no-stream', '--url', test.url]);
    await untilEchoBusy();

    cli.kill('SIGINT');
    const result = await cli;

    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('interrupted');
    await expect.poll(abortsSeen).toContainEqual(expect.objectContaining({ id: 'cli-sigint' }));
  });
});
