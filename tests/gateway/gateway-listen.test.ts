import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway, resolveGatewaySettings } from '../../kernel/src/gateway/index.ts';
import { repoRoot, startTestKernel } from '../integration/support/test-kernel.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { startCli } from '../integration/support/processes.ts';

const cli = join(repoRoot, 'kernel', 'bin', 'cyberstudio.mjs');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function busyPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

describe('Gateway.listen', () => {
  it('refuses a non-loopback host when no auth capability is configured, naming the fix', async () => {
    const test = await startTestKernel([], { start: false });
    cleanups.push(() => test.close());

    const listening = Gateway.listen({ kernel: test.kernel, settings: { ...test.kernel.registry.gateway, host: '0.0.0.0', port: 0 }, logger: pino({ level: 'silent' }) });

    await expect(listening).rejects.toMatchObject({ code: 'CDS_ERR_GATEWAY_INSECURE_BIND', message: expect.stringContaining('gateway.auth') });
  });

  it('listens beyond loopback when an auth capability is configured', async () => {
    const test = await startTestKernel([], { start: false });
    cleanups.push(() => test.close());
    const settings = { ...test.kernel.registry.gateway, host: '0.0.0.0', port: 0, auth: { capability: 'auth.authenticate', cacheSeconds: 5, sessionCookie: 'cyberstudio_session' } };

    const gateway = await Gateway.listen({ kernel: test.kernel, settings, logger: pino({ level: 'silent' }) });
    cleanups.push(() => gateway.close());

    expect(gateway.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });

  it('fails with CDS_ERR_GATEWAY_LISTEN_FAILED naming the port when it is in use', async () => {
    const port = await busyPort();
    const test = await startTestKernel([], { start: false });
    cleanups.push(() => test.close());

    const listening = Gateway.listen({ kernel: test.kernel, settings: { ...test.kernel.registry.gateway, port }, logger: pino({ level: 'silent' }) });

    await expect(listening).rejects.toMatchObject({ code: 'CDS_ERR_GATEWAY_LISTEN_FAILED', message: expect.stringContaining(`port ${port} is already in use`) });
  });
});

describe('resolveGatewaySettings', () => {
  const base = { host: '127.0.0.1', port: 6813, access: [], allowedOrigins: [], limits: {} } as never;

  it('lets the environment override plugins.json and flags override the environment', () => {
    const env = { CYBERSTUDIO_HOST: 'localhost', CYBERSTUDIO_PORT: '7000' };

    expect(resolveGatewaySettings(base, {}, env)).toMatchObject({ host: 'localhost', port: 7000 });
    expect(resolveGatewaySettings(base, { port: '7100', host: '::1' }, env)).toMatchObject({ host: '::1', port: 7100 });
    expect(resolveGatewaySettings(base, {}, {})).toMatchObject({ host: '127.0.0.1', port: 6813 });
  });

  it('names the source of a port that is not a number', () => {
    expect(() => resolveGatewaySettings(base, {}, { CYBERSTUDIO_PORT: 'http' })).toThrow(/CYBERSTUDIO_PORT must be a port number/);
    expect(() => resolveGatewaySettings(base, { port: '70000' }, {})).toThrow(/--port must be a port number/);
  });
});

describe('cyberstudio start with the gateway', () => {
  it('listens on the port from CYBERSTUDIO_PORT, answers /rpc, and stops on SIGTERM', async () => {
    const test = await startTestKernel([echoPlugin()], { start: false });
    cleanups.push(() => test.close());
    const { child, url, records, exited } = await startCli(['--plugins', test.registryFile, '--data', join(test.dir, 'cli-data')], {
      env: { ...process.env, CYBERSTUDIO_PORT: '0' },
      onSpawn: (spawned) => cleanups.push(() => void spawned.kill('SIGKILL')),
    });

    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo.echo', params: { via: 'cli' } }) });

    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { via: 'cli' } });
    expect(records.map((record) => record.msg)).toContain('no gateway.auth in plugins.json: every request from this machine acts as the admin, so the gateway listens on loopback only');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 5 when the port is in use', async () => {
    const port = await busyPort();
    const test = await startTestKernel([], { start: false });
    cleanups.push(() => test.close());
    const child = spawn(process.execPath, [cli, 'start', '--plugins', test.registryFile, '--data', join(test.dir, 'cli-data'), '--port', String(port)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(5);
    expect(stderr).toContain(`port ${port} is already in use`);
  });

  it('exits 5 when asked to listen beyond loopback without gateway.auth', async () => {
    const test = await startTestKernel([], { start: false });
    cleanups.push(() => test.close());
    const child = spawn(process.execPath, [cli, 'start', '--plugins', test.registryFile, '--data', join(test.dir, 'cli-data'), '--host', '0.0.0.0', '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(5);
    expect(stderr).toContain('Refusing to listen on 0.0.0.0');
  });
});
