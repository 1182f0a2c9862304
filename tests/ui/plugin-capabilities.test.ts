import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

const VIEWER_PASSWORD = 'capabilities-viewer-password';

describe("the plugin page's Capabilities tab", () => {
  const studio = useStudio();
  const card = (page: Page, name: string) => page.locator(`article[data-capability="${name}"]`);

  /** Signs in as `username`, opens echo's page and its Capabilities tab. */
  const openCapabilities = async (page: Page, username = 'admin', password = ADMIN_PASSWORD) => {
    await signIn(page, studio.server.url, username, password);
    await page.getByRole('link', { name: 'echo', exact: true }).click();
    await page.getByRole('tab', { name: 'Capabilities' }).click();
    await card(page, 'echo.echo').waitFor();
  };

  /** Opens a capability's try-it panel and replaces the editor's text by typing `json` into Monaco. */
  const typeParams = async (page: Page, capability: Locator, json: string) => {
    if ((await capability.getByRole('button', { name: 'Try it' }).count()) > 0) await capability.getByRole('button', { name: 'Try it' }).click();
    const editor = capability.locator('.json-editor[data-ready="true"] .monaco-editor');
    await editor.waitFor();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // Monaco closes brackets and quotes as one types, and types over them when they come.
    await page.keyboard.type(json);
  };

  beforeAll(async () => {
    await studio.server.createUser('vera', 'viewer', VIEWER_PASSWORD);
  });

  it("lists each of echo's capabilities with its description, answer kind and schemas", async () => {
    const { page } = studio;
    await openCapabilities(page);

    expect(await page.locator('article[data-capability]').count()).toBeGreaterThanOrEqual(14);
    const stream = card(page, 'echo.stream');
    expect(await stream.getByTestId('answer-kind').textContent()).toBe('streams progress');
    expect(await card(page, 'echo.echo').getByTestId('answer-kind').textContent()).toBe('one result');
    await stream.getByText('Params, result and example').click();
    const params = stream.getByRole('table', { name: 'Params of echo.stream' });
    expect(await params.getByRole('row', { name: /count required integer, ≥ 0/ }).count()).toBe(1);
    expect(await params.getByRole('row', { name: /intervalMs integer, ≥ 0/ }).count()).toBe(1);
    expect(await stream.locator('.capability-example pre').textContent()).toBe(JSON.stringify({ count: 0 }, null, 2));
  });

  it('calls a capability from the try-it panel and shows its result', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const echo = card(page, 'echo.echo');

    await typeParams(page, echo, '{"greeting": "hello from the studio", "n": 7}');
    await echo.getByRole('button', { name: 'Run' }).click();

    const result = echo.getByRole('region', { name: 'Call result' });
    await result.waitFor();
    expect(JSON.parse((await result.locator('pre').textContent())!)).toEqual({ greeting: 'hello from the studio', n: 7 });
    expect(await echo.getByRole('status').textContent()).toMatch(/^Finished in \d/);
    await screenshot(page, 'plugin-capabilities');
  });

  it("lists a streaming capability's chunks as they arrive, then its result", async () => {
    const { page } = studio;
    await openCapabilities(page);
    const stream = card(page, 'echo.stream');

    await typeParams(page, stream, '{"count": 3, "intervalMs": 300}');
    await stream.getByRole('button', { name: 'Run' }).click();

    const chunks = stream.getByRole('region', { name: 'Call progress' }).getByRole('listitem');
    await chunks.first().waitFor();
    await stream.getByRole('region', { name: 'Call result' }).waitFor();
    expect(await chunks.allTextContents()).toEqual(['{"index":0}', '{"index":1}', '{"index":2}']);
    expect(JSON.parse((await stream.getByRole('region', { name: 'Call result' }).locator('pre').textContent())!)).toEqual({ sent: 3 });
  });

  it('cancels a running call and says so', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const slow = card(page, 'echo.slow');

    await typeParams(page, slow, '{"ms": 60000, "id": "studio-cancel"}');
    await slow.getByRole('button', { name: 'Run' }).click();
    await slow.getByRole('button', { name: 'Cancel' }).click();

    await slow.getByRole('status').filter({ hasText: /^Cancelled after/ }).waitFor();
    // The cancel reached the handler: echo recorded the abort of this call.
    await expect.poll(async () => (await studio.server.admin<{ aborts: { id: string }[] }>('echo.aborts')).aborts.some((abort) => abort.id === 'studio-cancel')).toBe(true);
  });

  it('runs a call once when Run is double-clicked, without cancelling it', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const slow = card(page, 'echo.slow');

    await typeParams(page, slow, '{"ms": 500, "id": "studio-double-click"}');
    await slow.getByRole('button', { name: 'Run' }).dblclick();

    await slow.getByRole('status').filter({ hasText: /^Finished in/ }).waitFor();
    expect(await slow.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
  });

  it("shows a failing call's error code, name and message", async () => {
    const { page } = studio;
    await openCapabilities(page);
    const fail = card(page, 'echo.fail');

    await typeParams(page, fail, '{"code": 4242, "message": "the studio asked for this"}');
    await fail.getByRole('button', { name: 'Run' }).click();

    const alert = fail.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getByTestId('error-code').textContent()).toBe('4242');
    expect(await alert.textContent()).toContain('the studio asked for this');
  });

  it('lists what is wrong with params the capability refuses', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const stream = card(page, 'echo.stream');

    await typeParams(page, stream, '{"count": "three"}');
    await stream.getByRole('button', { name: 'Run' }).click();

    const alert = stream.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getByTestId('error-code').textContent()).toBe('-32007');
    expect(await alert.textContent()).toContain('CapabilityInvalidParams');
    expect(await alert.getByRole('list', { name: 'What is wrong with the params' }).textContent()).toMatch(/\/count.*integer/);
  });

  it('loads the editor under the CSP with its JSON worker, which marks params that break the schema', async () => {
    const { page } = studio;
    await openCapabilities(page);
    // From here on: before signing in, the studio's session check answers 401 by design.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const stream = card(page, 'echo.stream');

    await typeParams(page, stream, '{"count": "three"}');

    await stream.locator('.squiggly-warning').first().waitFor();
    expect(workers.some((url) => /\/assets\/json\.worker-[\w-]+\.js$/.test(url))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('opens several try-it editors on one page, each working on its own', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const echo = card(page, 'echo.echo');
    const pid = card(page, 'echo.pid');

    await typeParams(page, echo, '{"first": 1}');
    await typeParams(page, pid, '{}');
    await pid.getByRole('button', { name: 'Run' }).click();
    await echo.getByRole('button', { name: 'Run' }).click();

    expect(JSON.parse((await echo.getByRole('region', { name: 'Call result' }).locator('pre').textContent())!)).toEqual({ first: 1 });
    expect(JSON.parse((await pid.getByRole('region', { name: 'Call result' }).locator('pre').textContent())!)).toMatchObject({ pid: expect.any(Number) });
  });

  it('keeps a long result inside the panel: the page gets no wider than the window and Close stays on screen', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const echo = card(page, 'echo.echo');
    await echo.getByRole('button', { name: 'Try it' }).click();
    const editor = echo.locator('.json-editor[data-ready="true"] .monaco-editor');
    await editor.waitFor();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // One unbroken line of 6,000 characters, inserted at once (typing it key by key takes long).
    await page.keyboard.insertText(JSON.stringify({ long: 'x'.repeat(6000), words: Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ') }));

    await echo.getByRole('button', { name: 'Run' }).click();
    await echo.getByRole('region', { name: 'Call result' }).waitFor();

    const widths = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.innerWidth);
    const close = await echo.getByRole('button', { name: 'Close' }).boundingBox();
    const viewport = page.viewportSize()!;
    expect(close).not.toBeNull();
    expect(close!.x).toBeGreaterThanOrEqual(0);
    expect(close!.x + close!.width).toBeLessThanOrEqual(viewport.width);
    await screenshot(page, 'plugin-capabilities-long-result');
  }, 90_000);

  it('disables Run while the editor does not hold valid JSON', async () => {
    const { page } = studio;
    await openCapabilities(page);
    const echo = card(page, 'echo.echo');

    await typeParams(page, echo, '{"unfinished": ');

    const run = echo.getByRole('button', { name: 'Run' });
    await expect.poll(() => run.isDisabled()).toBe(true);
    expect(await echo.locator('.field-error').textContent()).toMatch(/^Run needs valid JSON/);
  });

  it('shows a viewer the schemas but no way to run a capability', async () => {
    const { page } = studio;
    await openCapabilities(page, 'vera', VIEWER_PASSWORD);

    const echo = card(page, 'echo.echo');
    await echo.getByText('Params, result and example').click();
    await echo.getByRole('heading', { name: 'Params', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Try it' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run' }).count()).toBe(0);
    expect(await page.locator('.notice').first().textContent()).toMatch(/needs the developer or admin role/);
  });
});
