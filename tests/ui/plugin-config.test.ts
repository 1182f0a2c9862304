import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { interceptCalls } from './support/intercept-calls.ts';
import { screenshot, signIn } from './support/studio-browser.ts';
import { fixture } from '../integration/support/test-kernel.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

/** A plugin that never runs (lazy, never called), so the kernel reads its config schema from here. */
const tuner = {
  name: 'tuner',
  entrypoint: fixture('echo/main.ts'),
  activation: 'lazy',
  capabilities: ['tuner.nothing'],
  description: 'A stopped plugin with a config schema of every kind of setting.',
  configSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', title: 'Display name', description: 'Shown on the dashboard.', default: 'tuner' },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'The TCP port to listen on.' },
      ratio: { type: 'number', exclusiveMaximum: 1, default: 0.5 },
      verbose: { type: 'boolean', title: 'Verbose logging', default: false },
      mode: { enum: ['fast', 'safe', 'exact'], description: 'How hard to try.' },
      server: { type: 'object', title: 'Upstream server', properties: { host: { type: 'string', minLength: 1 }, tls: { type: 'boolean' } }, required: ['host'] },
      tags: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Labels to group by.' },
      extra: { type: 'object', description: 'Free-form settings, passed on as they are.' },
    },
    required: ['port'],
    additionalProperties: false,
  },
  config: { port: 8080, mode: 'safe', server: { host: 'upstream.internal' }, tags: ['red', 'green'], extra: { retries: 3 } },
};

interface EchoConfig {
  config: Record<string, unknown>;
}

describe("the plugin page's Config tab", () => {
  const studio = useStudio([tuner]);
  const echoConfig = async () => (await studio.server.admin<EchoConfig>('echo.config')).config;
  const form = (page: Page, plugin = 'echo') => page.getByRole('form', { name: `Config of ${plugin}` });

  /** Signs in as the admin and opens the Config tab of `plugin` (echo by default). */
  const openConfig = async (page: Page, plugin = 'echo') => {
    await signIn(page, studio.server.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: plugin, exact: true }).click();
    await page.getByRole('tab', { name: 'Config' }).click();
    await form(page, plugin).waitFor();
  };

  // Each test starts from echo's registered (empty) config, whatever the test before saved.
  afterEach(async () => {
    await studio.server.admin('kernel.plugins.setConfig', { plugin: 'echo', config: {} });
    await studio.server.kernel.waitForState('echo', 'running');
  });

  it("shows a field for each setting of echo's config schema, with its current value", async () => {
    const { page, server } = studio;
    await server.admin('kernel.plugins.setConfig', { plugin: 'echo', config: { greeting: 'hi there', level: 2 } });
    await server.kernel.waitForState('echo', 'running');

    await openConfig(page);

    expect(await form(page).getByLabel('greeting', { exact: true }).inputValue()).toBe('hi there');
    expect(await form(page).getByLabel('level', { exact: true }).inputValue()).toBe('2');
  });

  it('shows an invalid value next to its field and sends nothing', async () => {
    const { page } = studio;
    await openConfig(page);
    const before = await echoConfig();

    await form(page).getByLabel('greeting', { exact: true }).fill('never sent');
    await form(page).getByLabel('level', { exact: true }).fill('-1');
    await form(page).getByRole('button', { name: 'Save config' }).click();

    const field = form(page).locator('[data-field="/level"]');
    expect(await field.locator('.field-errors').textContent()).toContain('Must be 0 or more.');
    expect(await form(page).getByLabel('level', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form(page).getByRole('alert').textContent()).toMatch(/^Nothing was sent\..*level: Must be 0 or more\./);
    expect(await echoConfig()).toEqual(before);
    // What was typed stays, to be fixed.
    expect(await form(page).getByLabel('greeting', { exact: true }).inputValue()).toBe('never sent');
  });

  it('saves a valid config, which the kernel applies by restarting echo', async () => {
    const { page, server } = studio;
    await openConfig(page);

    await form(page).getByLabel('greeting', { exact: true }).fill('hello from the studio');
    await form(page).getByLabel('level', { exact: true }).fill('3');
    await form(page).getByRole('button', { name: 'Save config' }).click();

    const status = form(page).getByRole('status').filter({ hasText: /^Saved\./ });
    await status.waitFor();
    expect(await status.textContent()).toBe('Saved. echo restarted with the new config (now running).');
    expect(await echoConfig()).toEqual({ greeting: 'hello from the studio', level: 3 });
    expect(await server.admin('kernel.plugins.get', { plugin: 'echo' })).toMatchObject({ config: { greeting: 'hello from the studio', level: 3 } });
    await screenshot(page, 'plugin-config');
  });

  it('keeps what the admin typed when the reload after a reconnect answers only afterwards', async () => {
    const { page } = studio;
    let holding = false;
    let heldId: number | string | undefined;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const socket = await interceptCalls(page, (message) => {
      if (!holding || message.method !== 'kernel.plugins.get') return undefined;
      heldId = message.id;
      return { after: gate };
    });
    await openConfig(page);
    const greeting = form(page).getByLabel('greeting', { exact: true });

    holding = true;
    socket.drop();
    await expect.poll(() => heldId, { timeout: 15_000 }).toBeDefined();
    await greeting.fill('typed during the reload');
    release();
    await socket.answered(heldId!);

    expect(await greeting.inputValue()).toBe('typed during the reload');
    expect(await form(page).getByText('Unsaved changes.').count()).toBe(1);
  });

  it('edits the whole config as JSON, keeping what the form held', async () => {
    const { page } = studio;
    await openConfig(page);
    await form(page).getByLabel('greeting', { exact: true }).fill('typed in the form');

    await page.getByRole('button', { name: 'Edit as JSON' }).click();
    const editor = form(page).locator('.json-editor[data-ready="true"] .monaco-editor');
    await editor.waitFor();
    // Monaco lays its lines out over the next frames: the first read can find only the first line.
    await expect.poll(async () => (await editor.locator('.view-lines').textContent())!.replace(/\s+/g, ' ')).toContain('"greeting": "typed in the form"');
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{"greeting": "typed as JSON", "level": 5');
    await page.getByRole('button', { name: 'Edit as a form' }).click();

    expect(await form(page).getByLabel('greeting', { exact: true }).inputValue()).toBe('typed as JSON');
    expect(await form(page).getByLabel('level', { exact: true }).inputValue()).toBe('5');
  });

  it('builds a control for every kind of setting and saves a config that takes effect at the next start', async () => {
    const { page, server } = studio;
    await openConfig(page, 'tuner');
    const tunerForm = form(page, 'tuner');

    expect(await tunerForm.getByLabel('Display name').getAttribute('placeholder')).toBe('tuner');
    expect(await tunerForm.getByLabel('port (required)').inputValue()).toBe('8080');
    expect(await tunerForm.getByLabel('mode').inputValue()).not.toBe('-1');
    const upstream = tunerForm.getByRole('group', { name: 'Upstream server' });
    expect(await upstream.getByLabel('host (required)').inputValue()).toBe('upstream.internal');
    const tags = tunerForm.getByRole('group', { name: 'tags' });
    expect(await tags.getByRole('textbox').count()).toBe(2);
    await tunerForm.locator('.form-json .json-editor[data-ready="true"]').waitFor();

    await tunerForm.getByLabel('Verbose logging').check();
    await tunerForm.getByLabel('mode').selectOption('exact');
    await upstream.getByLabel('host (required)').fill('');
    await tags.getByRole('button', { name: 'Remove tags entry 1' }).click();
    await tags.getByRole('button', { name: 'Add to tags' }).click();
    await tags.getByLabel('tags, entry 2').fill('blue');
    expect(await upstream.locator('.field-errors').textContent()).toContain('Must be at least 1 characters.');
    await upstream.getByLabel('host (required)').fill('other.internal');
    // The page scrolled to the fields; back at the top, the sticky header sits where it belongs in the picture.
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'plugin-config-form');
    await tunerForm.getByRole('button', { name: 'Save config' }).click();

    await tunerForm.getByRole('status').filter({ hasText: 'takes effect at its next start' }).waitFor();
    const saved = await server.admin<{ state: string; config: unknown }>('kernel.plugins.get', { plugin: 'tuner' });
    expect(saved.state).toBe('stopped');
    expect(saved.config).toEqual({ port: 8080, mode: 'exact', verbose: true, server: { host: 'other.internal' }, tags: ['green', 'blue'], extra: { retries: 3 } });
  });
});
