import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayPerTest } from '../../../tests/gateway/support/test-gateway.ts';
import { shippedPlugin } from '../../../tests/integration/support/test-kernel.ts';

const INDEX = '<!doctype html><title>studio</title>';

/** The plugin as plugins.json registers it (root mount), serving `distDir`. */
const adminUi = (distDir: string) => ({
  name: 'admin-ui',
  entrypoint: shippedPlugin('admin-ui'),
  activation: 'startup',
  capabilities: ['studio.info', 'studio.whoami'],
  config: { distDir },
  http: { mount: '/' },
});

describe('the admin-ui plugin behind the gateway', () => {
  const open = gatewayPerTest();
  let distDir: string;

  beforeEach(async () => {
    distDir = await mkdtemp(join(tmpdir(), 'cds-admin-ui-'));
    await writeFile(join(distDir, 'index.html'), INDEX);
    await writeFile(join(distDir, 'build-info.json'), JSON.stringify({ version: '9.8.7', builtAt: '2026-11-21T10:00:00.000Z' }));
  });
  afterEach(async () => {
    await rm(distDir, { recursive: true, force: true });
  });

  const call = async (url: string, method: string) => {
    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: {} }) });
    return ((await response.json()) as { result: Record<string, unknown> }).result;
  };

  it('is the studio at the gateway root: pages answer with index.html, the gateway keeps its own paths', async () => {
    const gateway = await open([adminUi(distDir)]);
    await gateway.waitForState('admin-ui', 'running');

    const root = await fetch(`${gateway.url}/`);
    const page = await fetch(`${gateway.url}/users`);
    const status = await fetch(`${gateway.url}/api/status`);

    expect(await root.text()).toBe(INDEX);
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe(INDEX);
    expect(status.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers studio.whoami with the caller the gateway resolved', async () => {
    const gateway = await open([adminUi(distDir)]);

    // Without gateway.auth every request is the local operator.
    expect(await call(gateway.url, 'studio.whoami')).toEqual({ kind: 'user', id: 'local-operator', name: 'local operator', roles: ['admin'] });
  });

  it('answers studio.info with the build it serves', async () => {
    const gateway = await open([adminUi(distDir)]);

    expect(await call(gateway.url, 'studio.info')).toEqual({ version: '0.1.0', distDir, built: true, uiVersion: '9.8.7', builtAt: '2026-11-21T10:00:00.000Z' });
  });

  it('reports a missing build in studio.info and with a 503 page at the root', async () => {
    await rm(join(distDir, 'index.html'));
    const gateway = await open([adminUi(distDir)]);

    const info = await call(gateway.url, 'studio.info');
    const root = await fetch(`${gateway.url}/`);

    expect(info).toMatchObject({ built: false, uiVersion: null, builtAt: null });
    expect(root.status).toBe(503);
    expect(await root.text()).toContain('npm run build -w ui');
  });
});
