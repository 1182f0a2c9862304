import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authStubGateway, authStubPlugin } from '../gateway/support/auth-stub-fixture.ts';
import { startTestGateway, type TestGateway } from '../gateway/support/test-gateway.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { runCli } from './support/run-cli.ts';

// The auth stub knows "admin-key" (role admin) and "viewer-key" (role viewer, may list plugins only).
let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway([authStubPlugin(), echoPlugin()], { gateway: authStubGateway() });
});
afterAll(async () => {
  await test?.close();
});

describe('client commands against a gateway with auth', () => {
  it('exit 1 without a key, with the server\'s message and a hint at --key', async () => {
    const result = await runCli(['plugins', 'list', '--url', test.url]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^cyberstudio: .+ \[Unauthenticated -32012\]$/m);
    expect(result.stderr).toContain('hint: pass an API key with --key <key> or the CYBERSTUDIO_API_KEY environment variable');
  });

  it('exit 1 with the hint at --key for a streaming call over /ws without a key', async () => {
    const result = await runCli(['call', 'echo.echo', '--url', test.url]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('hint: pass an API key with --key <key> or the CYBERSTUDIO_API_KEY environment variable');
  });

  it('send --key as a bearer token on the /ws upgrade', async () => {
    const result = await runCli(['call', 'echo.stream', '{"count":1}', '--json', '--url', test.url, '--key', 'admin-key']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{"index":0}\n{"sent":1}');
  });

  it('send --key as a bearer token', async () => {
    const result = await runCli(['call', 'echo.echo', '{"ok":true}', '--no-stream', '--json', '--url', test.url, '--key', 'admin-key']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{"ok":true}');
  });

  it('take the key from CYBERSTUDIO_API_KEY', async () => {
    const result = await runCli(['plugins', 'list', '--json', '--url', test.url], { env: { CYBERSTUDIO_API_KEY: 'viewer-key' } });

    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toContainEqual(expect.objectContaining({ name: 'echo' }));
  });

  it('exit 1 with a hint about the key\'s role when the key may not do that', async () => {
    const result = await runCli(['plugins', 'stop', 'echo', '--url', test.url, '--key', 'viewer-key']);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/\[Forbidden -32008\]/);
    expect(result.stderr).toContain('lacks the role this needs');
    expect(test.kernel.supervisor('echo').state).toBe('running');
  });
});
