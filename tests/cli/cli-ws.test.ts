// The client commands that need the gateway's WebSocket endpoint (/ws): streaming calls,
// cancellation with $/cancelRequest, and `logs -f` over the kernel.log topic.
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../gateway/support/test-gateway.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { runCli, startCli } from './support/run-cli.ts';

// Calls and log lines are told apart by id and text, so the file shares one kernel.
let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway([echoPlugin()]);
});
afterAll(async () => {
  await test?.close();
});

const asKernel = { caller: { kind: 'kernel' as const } };

/** Resolves once `stream` has carried `text` (counting from when this is called). */
function outputContains(stream: Readable, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      stream.off('data', onData);
      resolve();
    };
    stream.on('data', onData);
  });
}

async function abortsSeen(): Promise<{ id: string | null; reason: string }[]> {
  const { aborts } = (await test.kernel.bus.call('echo.aborts', {}, asKernel)) as { aborts: { id: string | null; reason: string }[] };
  return aborts;
}

describe('cyberstudio call over /ws', () => {
  it('prints each progress chunk as a JSON line, then the result', async () => {
    const result = await runCli(['call', 'echo.stream', '{"count":3}', '--url', test.url]);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(['{"index":0}', '{"index":1}', '{"index":2}', JSON.stringify({ sent: 3 }, null, 2)].join('\n'));
  });

  it('prints the result on one line after the chunks with --json', async () => {
    const result = await runCli(['call', 'echo.stream', '{"count":2}', '--json', '--url', test.url]);

    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['{"index":0}', '{"index":1}', '{"sent":2}']);
  });

  it('prints a chunk while the call is still running', async () => {
    const cli = startCli(['call', 'echo.stream', '{"count":2,"intervalMs":60000}', '--url', test.url]);

    await outputContains(cli.stdout!, '{"index":0}');
    const stillRunning = cli.exitCode === null;
    cli.kill('SIGINT');
    const result = await cli;

    expect(stillRunning).toBe(true);
    expect(result.exitCode).toBe(130);
  });

  it('sends $/cancelRequest on Ctrl-C, which reaches the handler, and exits 130', async () => {
    const cli = startCli(['call', 'echo.slow', '{"ms":60000,"id":"ws-sigint"}', '--url', test.url]);
    while (test.kernel.bus.load('echo').active === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    cli.kill('SIGINT');
    const result = await cli;

    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('interrupted; the call was cancelled');
    await expect.poll(abortsSeen).toContainEqual(expect.objectContaining({ id: 'ws-sigint' }));
  });

  it('exits 1 with the Method not found message for a capability nobody provides', async () => {
    const result = await runCli(['call', 'nobody.here', '--url', test.url]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/\[MethodNotFound -32601\]$/m);
  });
});

describe('cyberstudio logs -f', () => {
  it('prints the history, then new lines as they are logged, each once, until Ctrl-C (exit 0)', async () => {
    await test.kernel.bus.call('echo.log', { level: 'warn', msg: 'follow-before' }, asKernel);
    const cli = startCli(['logs', 'echo', '-f', '--level', 'warn', '--url', test.url]);
    // The history is fetched after subscribing, so once it shows, live lines cannot be missed.
    await outputContains(cli.stdout!, 'follow-before');

    const live = outputContains(cli.stdout!, 'follow-after');
    await test.kernel.bus.call('echo.log', { level: 'info', msg: 'follow-quiet' }, asKernel);
    await test.kernel.bus.call('echo.log', { level: 'warn', msg: 'follow-after' }, asKernel);
    await live;
    cli.kill('SIGINT');
    const result = await cli;

    expect(result.exitCode).toBe(0);
    expect(result.stdout.match(/follow-before/g)).toHaveLength(1);
    expect(result.stdout.match(/follow-after/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/WARN  echo: follow-after/);
    expect(result.stdout).not.toContain('follow-quiet');
  });
});
