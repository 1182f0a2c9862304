import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

const PASSWORD = 'logs-test-password';

/** A word no other test logs, so each test finds only its own lines. */
const unique = (() => {
  let next = 0;
  return (word: string) => `${word}-${Date.now().toString(36)}-${next++}`;
})();

/** The part of a scrolling element these tests read (the file is typed for Node, without the DOM). */
interface Scrollable {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** How far (px) the log is scrolled from its newest line; runs in the page. */
const distanceFromBottom = (box: Scrollable) => box.scrollHeight - box.scrollTop - box.clientHeight;

describe("the plugin page's Logs tab", () => {
  const studio = useStudio();
  const log = (level: string, msg: string) => studio.server.admin('echo.log', { level, msg });
  const lines = (page: Page) => page.getByRole('log', { name: 'Log lines of echo' });
  const line = (page: Page, text: string) => lines(page).locator('.log-entry', { hasText: text });

  /** Signs in as the admin and opens echo's page from the dashboard; the Logs tab is the first. */
  const openEchoLogs = async (page: Page) => {
    await signIn(page, studio.server.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'echo', exact: true }).click();
    await page.getByRole('heading', { name: /^echo/ }).waitFor();
    expect(await page.getByRole('tab', { name: 'Logs' }).getAttribute('aria-selected')).toBe('true');
  };

  beforeAll(async () => {
    await studio.server.createUser('logan', 'developer', PASSWORD);
    await studio.server.createUser('val', 'viewer', PASSWORD);
  });

  it('shows the lines the plugin logged before the page opened, with time, level, source and message', async () => {
    const { page } = studio;
    const before = unique('written-before');
    await log('warn', before);

    await openEchoLogs(page);

    const entry = line(page, before);
    await entry.waitFor();
    expect(await entry.getAttribute('data-level')).toBe('warn');
    expect(await entry.locator('.log-source').textContent()).toBe('plugin');
    expect(await entry.locator('.log-time').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
  });

  it('adds a line the plugin logs while the page is open, live', async () => {
    const { page } = studio;
    await openEchoLogs(page);
    await lines(page).waitFor();
    await page.getByRole('status').getByText(/^Live/).waitFor();

    const live = unique('written-live');
    await log('info', live);

    await line(page, live).waitFor();
    expect(await line(page, live).count()).toBe(1);
  });

  it('hides lines below the chosen level, loaded and live', async () => {
    const { page } = studio;
    const [warnBefore, infoBefore] = [unique('warn-before'), unique('info-before')];
    await log('warn', warnBefore);
    await log('info', infoBefore);
    await openEchoLogs(page);
    await line(page, infoBefore).waitFor();

    await page.getByLabel('Minimum level').selectOption('warn');
    await line(page, infoBefore).waitFor({ state: 'detached' });
    await line(page, warnBefore).waitFor();
    await page.getByRole('status').getByText(/^Live/).waitFor();
    const [infoLive, errorLive] = [unique('info-live'), unique('error-live')];
    await log('info', infoLive);
    await log('error', errorLive);

    // Lines arrive in order: once the later error line is shown, the info line has been passed over.
    await line(page, errorLive).waitFor();
    expect(await line(page, infoLive).count()).toBe(0);
    expect(await line(page, infoBefore).count()).toBe(0);
  });

  it('narrows the lines to those containing the search text, loaded and live', async () => {
    const { page } = studio;
    const [alpha, beta] = [unique('alpha'), unique('beta')];
    await log('info', `${alpha} found`);
    await log('info', `${beta} not found`);
    await openEchoLogs(page);
    await line(page, beta).waitFor();

    await page.getByLabel('Search').fill(alpha.toUpperCase());
    await line(page, beta).waitFor({ state: 'detached' });
    await line(page, alpha).waitFor();
    await page.getByRole('status').getByText(/^Live/).waitFor();
    await log('info', `${beta} live`);
    await log('info', `${alpha} live`);

    await line(page, `${alpha} live`).waitFor();
    expect(await line(page, `${beta} live`).count()).toBe(0);
    await log('error', `${alpha} failed`);
    await line(page, `${alpha} failed`).waitFor();
    await screenshot(page, 'plugin-logs-search');
  });

  it('says plainly when no line matches', async () => {
    const { page } = studio;
    await openEchoLogs(page);

    await page.getByLabel('Minimum level').selectOption('fatal');
    await page.getByLabel('Search').fill(unique('nothing-like-this'));

    await page.getByText(/^No log lines at fatal or above contain/).waitFor();
  });

  it('holds the view while paused and shows what arrived on resume', async () => {
    const { page } = studio;
    await openEchoLogs(page);
    await page.getByRole('status').getByText(/^Live/).waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    const held = unique('held');
    await log('info', held);

    await page.getByRole('status').getByText('Paused: 1 new line since.').waitFor();
    expect(await line(page, held).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await line(page, held).waitFor();
  });

  it('keeps the reader where they scrolled and offers to jump to the new lines', async () => {
    const { page } = studio;
    for (let index = 0; index < 40; index++) await log('info', unique('filler'));
    await openEchoLogs(page);
    await page.getByRole('status').getByText(/^Live/).waitFor();
    const scroller = lines(page);
    await expect.poll(() => scroller.evaluate(distanceFromBottom)).toBeLessThanOrEqual(8);

    await scroller.evaluate((box: Scrollable) => {
      box.scrollTop = 0;
    });
    const [first, second] = [unique('unseen'), unique('unseen')];
    await log('info', first);
    await log('info', second);

    const jump = page.getByRole('button', { name: '2 new lines — jump to latest' });
    await jump.waitFor();
    expect(await scroller.evaluate((box: Scrollable) => box.scrollTop)).toBe(0);
    await jump.click();
    await line(page, second).waitFor();
    await expect.poll(() => scroller.evaluate(distanceFromBottom)).toBeLessThanOrEqual(8);
    await jump.waitFor({ state: 'detached' });
  });

  it('loads the lines again after a reconnect, without duplicates, including those written while away', async () => {
    const { page, server } = studio;
    const before = unique('before-outage');
    await log('info', before);
    await openEchoLogs(page);
    await line(page, before).waitFor();

    await server.stopGateway();
    const away = unique('while-away');
    await server.kernel.kernel.call('echo.log', { level: 'info', msg: away }, { caller: { kind: 'user', id: 'test', roles: ['admin'] } });
    await server.startGateway();
    // Skips the rest of the backoff wait; the button may be gone already if an attempt got there first.
    await page.getByRole('button', { name: 'Retry now' }).click({ timeout: 2_000 }).catch(() => undefined);

    await line(page, away).waitFor({ timeout: 20_000 });
    expect(await line(page, before).count()).toBe(1);
  });

  it("shows a line's fields on demand", async () => {
    const { page } = studio;
    const marks = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, unique(`${level}-line`)]));
    for (const [level, msg] of Object.entries(marks)) await log(level, msg);
    await openEchoLogs(page);
    await page.getByLabel('Minimum level').selectOption('trace');
    const failed = line(page, marks.error!);
    await failed.waitFor();
    expect(await failed.locator('.log-fields').count()).toBe(0);

    // A plugin's ctx.log carries the call's trace id as a field.
    await failed.getByRole('button', { name: /traceId/ }).click();

    expect(JSON.parse((await failed.locator('.log-fields').textContent())!)).toHaveProperty('traceId');
    expect(await failed.getByRole('button', { name: /traceId/ }).getAttribute('aria-expanded')).toBe('true');
    // The page itself back at the top, so the full-page screenshot has the header where it belongs.
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'plugin-logs');
    await page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    await screenshot(page, 'plugin-logs-serial-steel');
  });

  it('gives a developer and a viewer no Logs tab', async () => {
    const { page, server } = studio;
    for (const username of ['logan', 'val']) {
      await signIn(page, server.url, username, PASSWORD);
      await page.goto(`${server.url}/plugins/echo`);
      await page.getByRole('tab', { name: 'Capabilities' }).waitFor();
      expect(await page.getByRole('tab', { name: 'Logs' }).count()).toBe(0);
      expect(await page.getByRole('log').count()).toBe(0);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    }
  });
});
