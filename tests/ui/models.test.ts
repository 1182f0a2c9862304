import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyModel } from '../../plugins/llmserver/src/tiny-model/generate-tiny-model.ts';
import { FakeModelHost } from '../../plugins/llmserver/test/support/fake-model-host.ts';
import { llmserverManifest } from '../../plugins/llmserver/test/support/llmserver-manifest.ts';
import { interceptCalls } from './support/intercept-calls.ts';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

const DEVELOPER_PASSWORD = 'models-developer-password';
// llmserver writes its tiny model into this empty folder at its first start, as tiny-llama.gguf.
const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'cds-ui-models-'));
const hostDir = mkdtempSync(path.join(os.tmpdir(), 'cds-ui-model-host-'));

interface Entry {
  id: string;
  state: string;
}

/** The part of llmserver's config the tests read back. */
interface LlmConfig {
  threads?: number;
  modelsDir?: string;
  models?: Record<string, object>;
}

describe('the models page', () => {
  // A remote model is listed from the config alone: nothing is sent to its (closed) base URL.
  const remote = { 'cloud-mini': { baseUrl: 'http://127.0.0.1:9/v1', model: 'mini-2' } };
  const studio = useStudio([llmserverManifest({ config: { threads: 1, modelsDir, remote } })]);
  let host: FakeModelHost;
  let tiny: Buffer;

  beforeAll(async () => {
    const file = path.join(hostDir, 'tiny.gguf');
    await generateTinyModel(file);
    tiny = await readFile(file);
    host = await FakeModelHost.start();
    await studio.server.createUser('devon', 'developer', DEVELOPER_PASSWORD);
  });
  afterAll(async () => {
    await host?.close();
    rmSync(modelsDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  });

  const row = (id: string) => studio.page.locator(`tr[data-model="${id}"]`);
  const listed = async (id: string) => (await studio.server.admin<{ models: Entry[] }>('llm.models.list')).models.find((model) => model.id === id);
  const llmConfig = async () => (await studio.server.admin<{ config: LlmConfig }>('kernel.plugins.get', { plugin: 'llmserver' })).config;
  const openModels = async (page: Page = studio.page, user = 'admin', password = ADMIN_PASSWORD) => {
    await studio.server.kernel.waitForState('llmserver', 'running');
    await signIn(page, studio.server.url, user, password);
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('heading', { name: 'Models', exact: true }).waitFor();
  };
  const download = () => studio.page.getByRole('form', { name: 'Download a model' });

  it('lists the generated model with its kind, state, size and parameters', async () => {
    await openModels();

    await row('tiny-llama').waitFor();
    expect(await row('tiny-llama').getAttribute('data-state')).toBe('unloaded');
    expect(await row('tiny-llama').locator('[data-kind]').textContent()).toBe('local');
    expect(await row('tiny-llama').locator('[data-cell="size"]').textContent()).toBe('573 KB');
    expect(await row('tiny-llama').locator('[data-cell="parameters"]').textContent()).toBe('143.6 K');
    expect(await row('tiny-llama').locator('[data-cell="context"]').textContent()).toMatch(/2,048\s*trained/);
    expect(await row('cloud-mini').getAttribute('data-state')).toBe('remote');
    expect(await row('cloud-mini').textContent()).toContain('mini-2 at 127.0.0.1:9');
    expect(await row('cloud-mini').getByRole('button').allTextContents()).toEqual(['Limits']);
  });

  it('loads a model with its button and unloads it again, the state following the plugin', async () => {
    const { page } = studio;
    await openModels();

    await row('tiny-llama').getByRole('button', { name: 'Load tiny-llama' }).click();
    await page.locator('tr[data-model="tiny-llama"][data-state="loaded"]').waitFor();
    expect((await listed('tiny-llama'))?.state).toBe('loaded');
    expect(await page.locator('tr.model-row').first().getAttribute('data-model')).toBe('tiny-llama');
    expect(await row('tiny-llama').locator('[data-cell="ram"]').textContent()).toMatch(/\d+(\.\d+)? (KB|MB)/);
    expect(await row('tiny-llama').locator('[data-cell="context"]').textContent()).toMatch(/in use/);
    await screenshot(page, 'models');
    await row('tiny-llama').getByRole('button', { name: 'Unload tiny-llama' }).click();

    await page.locator('tr[data-model="tiny-llama"][data-state="unloaded"]').waitFor();
    expect((await listed('tiny-llama'))?.state).toBe('unloaded');
  });

  it('shows a refused load in plain words: a model larger than the RAM budget', async () => {
    const { page, server } = studio;
    const before = await llmConfig();
    await server.admin('kernel.plugins.setConfig', { plugin: 'llmserver', config: { ...before, ramBudgetMb: 1 } });
    try {
      await openModels();

      await row('tiny-llama').getByRole('button', { name: 'Load tiny-llama' }).click();

      const alert = page.locator('tr[data-details-of="tiny-llama"]').getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/^Could not load tiny-llama: model 'tiny-llama' needs about .* more than the whole RAM budget of 1\.0 MiB/);
      expect(await row('tiny-llama').getAttribute('data-state')).toBe('unloaded');
      await screenshot(page, 'models-load-refused');
    } finally {
      await server.admin('kernel.plugins.setConfig', { plugin: 'llmserver', config: before });
    }
  });

  it('shows why a model cannot be used', async () => {
    const { page } = studio;
    const broken = path.join(modelsDir, 'broken.gguf');
    await writeFile(broken, 'this is not a model');
    try {
      await openModels();

      await page.locator('tr[data-model="broken"][data-state="failed"]').waitFor();
      expect(await page.locator('tr[data-details-of="broken"]').textContent()).toMatch(/^Cannot be used: .*not a GGUF file/);
    } finally {
      await rm(broken, { force: true });
    }
  });

  it('downloads a model from a local host with a live progress bar, then lists it', async () => {
    const { page } = studio;
    host.plain('/files/held.gguf', { bytes: tiny, holdAfter: 200_000 });
    await openModels();

    await download().getByLabel('Source').fill(`${host.url}/files/held.gguf`);
    await download().getByRole('button', { name: 'Download', exact: true }).click();

    const bar = page.getByRole('progressbar', { name: 'Download of held' });
    await bar.waitFor();
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(await page.getByTestId('download-amount').textContent()).toMatch(/ of 573 KB$/);
    await page.locator('tr[data-model="held"][data-state="downloading"]').waitFor();
    await screenshot(page, 'models-download');
    host.release();

    await download().getByRole('status').filter({ hasText: 'Downloaded held (573 KB).' }).waitFor();
    await page.locator('tr[data-model="held"][data-state="unloaded"]').waitFor();
    expect(await bar.count()).toBe(0);
    expect(existsSync(path.join(modelsDir, 'held.gguf'))).toBe(true);
  });

  it('starts a download once when Download is double-clicked, without cancelling it', async () => {
    const { page } = studio;
    host.plain('/files/twice.gguf', { bytes: tiny, holdAfter: 200_000 });
    await openModels();

    await download().getByLabel('Source').fill(`${host.url}/files/twice.gguf`);
    await download().getByRole('button', { name: 'Download', exact: true }).dblclick();

    await page.getByRole('progressbar', { name: 'Download of twice' }).waitFor();
    host.release();
    await download().getByRole('status').filter({ hasText: 'Downloaded twice (573 KB).' }).waitFor();
    expect(await download().getByText('Download cancelled').count()).toBe(0);
  });

  it('follows a download to its end while each list answer takes longer than the poll interval', async () => {
    const { page, server } = studio;
    host.plain('/files/laggy.gguf', { bytes: tiny, holdAfter: 200_000 });
    // Slower than the page's 1 s poll while a model downloads.
    await interceptCalls(page, (message) => (message.method === 'llm.models.list' ? { after: new Promise((resolve) => setTimeout(resolve, 1_500)) } : undefined));
    const downloaded = server.admin('llm.models.download', { source: `${host.url}/files/laggy.gguf` });
    await openModels();
    await page.locator('tr[data-model="laggy"][data-state="downloading"]').waitFor();

    host.release();
    await downloaded;

    await page.locator('tr[data-model="laggy"][data-state="unloaded"]').waitFor();
  });

  it('cancels a running download and says the partial file is kept', async () => {
    const { page } = studio;
    host.plain('/files/stopped.gguf', { bytes: tiny, holdAfter: 100_000 });
    await openModels();

    await download().getByLabel('Source').fill(`${host.url}/files/stopped.gguf`);
    await download().getByRole('button', { name: 'Download', exact: true }).click();
    await page.getByRole('progressbar', { name: 'Download of stopped' }).waitFor();
    await download().getByRole('button', { name: 'Cancel download' }).click();

    await download().getByRole('status').filter({ hasText: 'Download cancelled. The partial file is kept' }).waitFor();
    await expect.poll(() => listed('stopped')).toBeUndefined();
    expect(existsSync(path.join(modelsDir, 'stopped.gguf'))).toBe(false);
  });

  it('shows a download from an unreachable host as the plain UpstreamFailed message', async () => {
    const closedPort = await freePort();
    await openModels();

    await download().getByLabel('Source').fill(`http://127.0.0.1:${closedPort}/models/nowhere.gguf`);
    await download().getByRole('button', { name: 'Download', exact: true }).click();

    const alert = download().getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Download failed: cannot reach 127\.0\.0\.1.*this machine may be offline/);
  });

  it('saves a per-model limit into the kernel\'s llmserver config, applied live', async () => {
    const { page } = studio;
    await openModels();

    await row('tiny-llama').getByRole('button', { name: 'Limits of tiny-llama' }).click();
    const form = page.getByRole('form', { name: 'Limits of tiny-llama' });
    await form.getByLabel('Max tokens').fill('64');
    await form.getByLabel('Temperature').fill('0.5');
    await form.getByRole('button', { name: 'Save limits' }).click();

    await form.getByRole('status').filter({ hasText: 'Saved and applied live' }).waitFor();
    const config = await llmConfig();
    expect(config.models?.['tiny-llama']).toEqual({ maxTokens: 64, temperature: 0.5 });
    expect(config).toMatchObject({ threads: 1, modelsDir, remote });
    expect(studio.server.kernel.kernel.configOverrides.get('llmserver')).toEqual(config);
    await expect.poll(() => row('tiny-llama').locator('[data-cell="limits"]').textContent()).toBe('max 64 tokens, temperature 0.5');
    await screenshot(page, 'models-limits');
    await page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    await screenshot(page, 'models-limits-serial-steel');
  });

  it('stops saying the limits were saved once a field is changed again', async () => {
    const { page } = studio;
    await openModels();
    await row('tiny-llama').getByRole('button', { name: 'Limits of tiny-llama' }).click();
    const form = page.getByRole('form', { name: 'Limits of tiny-llama' });
    await form.getByLabel('Top-k').fill('40');
    await form.getByRole('button', { name: 'Save limits' }).click();
    const saved = form.getByRole('status').filter({ hasText: /^Saved/ });
    await saved.waitFor();

    await form.getByLabel('Top-k').fill('41');

    await saved.waitFor({ state: 'detached' });
  });

  it('disables the load button while the studio is not connected, as the dashboard does its controls', async () => {
    const { page, server } = studio;
    await openModels();
    const load = row('tiny-llama').getByRole('button', { name: 'Load tiny-llama' });
    await load.waitFor();

    await server.stopGateway();
    try {
      await page.getByText(/Not connected to the kernel: this list is from/).waitFor();
      expect(await load.isDisabled()).toBe(true);
      expect(await row('tiny-llama').getByRole('button', { name: 'Delete tiny-llama' }).isDisabled()).toBe(true);
    } finally {
      await server.startGateway();
    }
    await page.getByRole('button', { name: 'Retry now' }).click({ timeout: 2_000 }).catch(() => undefined);
    await page.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await expect.poll(() => load.isDisabled()).toBe(false);
  });

  it('refuses a limit outside the config schema before sending anything', async () => {
    const { page } = studio;
    const before = await llmConfig();
    await openModels();

    await row('tiny-llama').getByRole('button', { name: 'Limits of tiny-llama' }).click();
    const form = page.getByRole('form', { name: 'Limits of tiny-llama' });
    await form.getByLabel('Threads').fill('0');
    await form.getByRole('button', { name: 'Save limits' }).click();

    await form.getByText('Must be at least 1.').waitFor();
    expect(await form.getByLabel('Threads').getAttribute('aria-invalid')).toBe('true');
    expect(await llmConfig()).toEqual(before);
  });

  it('deletes a model after asking', async () => {
    const { page, server } = studio;
    host.plain('/files/spare.gguf', { bytes: tiny });
    await server.admin('llm.models.download', { source: `${host.url}/files/spare.gguf` });
    await openModels();

    await row('spare').getByRole('button', { name: 'Delete spare' }).click();
    const question = page.getByRole('alertdialog', { name: 'Delete spare?' });
    await question.waitFor();
    await screenshot(page, 'models-delete');
    await question.getByRole('button', { name: 'Delete spare' }).click();

    await row('spare').waitFor({ state: 'detached' });
    expect(await listed('spare')).toBeUndefined();
    expect(existsSync(path.join(modelsDir, 'spare.gguf'))).toBe(false);
  });

  it('shows a developer the list read-only, without any admin control', async () => {
    const { page } = studio;
    await openModels(page, 'devon', DEVELOPER_PASSWORD);

    await row('tiny-llama').waitFor();
    await page.getByText('Read-only: only admins can load, unload, download and delete models or change their limits.').waitFor();
    expect(await page.getByRole('button', { name: /^(Load|Unload|Delete|Limits of) / }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Download a model' }).count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Limits' }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'models-developer');
  });

  it('says plainly that llmserver is stopped, links to the dashboard, and lists the models once it runs again', async () => {
    const { page, server } = studio;
    await openModels();
    await row('tiny-llama').waitFor();

    await server.admin('kernel.plugins.stop', { plugin: 'llmserver' });

    const notice = page.getByRole('status').filter({ hasText: 'llmserver is not running' });
    await notice.waitFor();
    expect(await notice.getByRole('link', { name: 'dashboard' }).getAttribute('href')).toBe('/');
    expect(server.kernel.kernel.supervisor('llmserver').state).toBe('stopped');
    await screenshot(page, 'models-stopped');
    await server.admin('kernel.plugins.start', { plugin: 'llmserver' });
    await row('tiny-llama').waitFor();
  });
});

/** A port nothing listens on: one the system just handed out and took back. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
