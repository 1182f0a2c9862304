import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

const PASSWORD = 'telemetry-test-password';
const PERCENT = /^\d+\.\d %$/;
const MEGABYTES = /^\d+\.\d MB$/;

/** Collects every `$/subscribe` to kernel.telemetry the page sends from now on. */
function watchTelemetrySubscriptions(page: Page): string[] {
  const sent: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"$/subscribe"') && payload.includes('"kernel.telemetry"')) sent.push(payload);
    }),
  );
  return sent;
}

describe("the plugin page's Telemetry tab and the dashboard's sparklines", () => {
  const studio = useStudio();
  const panel = (page: Page) => page.locator('.plugin-telemetry');
  const value = (page: Page, name: string) => panel(page).locator(`[data-telemetry="${name}"]`);
  const row = (page: Page, name: string) => page.locator(`li[data-plugin="${name}"]`);

  /** Signs in as the admin and opens echo's Telemetry tab from the dashboard. */
  const openEchoTelemetry = async (page: Page) => {
    await signIn(page, studio.server.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'echo', exact: true }).click();
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await panel(page).waitFor();
  };

  beforeAll(async () => {
    await studio.server.createUser('vic', 'viewer', PASSWORD);
  });

  it('draws the CPU, memory, calls and latency charts, with the current values as text', async () => {
    const { page, server } = studio;
    for (let index = 0; index < 5; index++) await server.admin('echo.echo', { index });

    await openEchoTelemetry(page);

    await expect.poll(() => value(page, 'memory').textContent()).toMatch(MEGABYTES);
    expect(await value(page, 'cpu').textContent()).toMatch(PERCENT);
    expect(await panel(page).locator('.telemetry-panel canvas').count()).toBeGreaterThanOrEqual(4);
    await panel(page).getByRole('img', { name: /^Latency p50 and p95/ }).waitFor();
    const echoRow = panel(page).locator('tr[data-capability="echo.echo"]');
    await echoRow.waitFor();
    expect(Number(await echoRow.locator('td').first().textContent())).toBeGreaterThanOrEqual(5);
    await screenshot(page, 'plugin-telemetry');
    await page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    await panel(page).locator('.telemetry-panel canvas').first().waitFor();
    await screenshot(page, 'plugin-telemetry-serial-steel');
  });

  it('adds new samples live: the history grows and new calls show in the totals', async () => {
    const { page, server } = studio;
    await openEchoTelemetry(page);
    const echoRow = panel(page).locator('tr[data-capability="echo.echo"]');
    await server.admin('echo.echo', {});
    await echoRow.waitFor();
    const samplesBefore = Number(await panel(page).getAttribute('data-samples'));

    for (let index = 0; index < 3; index++) await server.admin('echo.echo', { index });

    const total = server.kernel.kernel.metrics.latency('echo')['echo.echo']!.count;
    await expect.poll(async () => Number(await echoRow.locator('td').first().textContent()), { timeout: 10_000 }).toBe(total);
    expect(Number(await panel(page).getAttribute('data-samples'))).toBeGreaterThan(samplesBefore);
  });

  it('says when the plugin is stopped and keeps its history on the charts', async () => {
    const { page, server } = studio;
    await openEchoTelemetry(page);
    await expect.poll(() => value(page, 'memory').textContent()).toMatch(MEGABYTES);

    await server.admin('kernel.plugins.stop', { plugin: 'echo' });

    await panel(page).getByText('echo is stopped: there is no process to measure.', { exact: false }).waitFor();
    expect(await value(page, 'memory').textContent()).toBe('—');
    expect(await panel(page).locator('.telemetry-panel canvas').count()).toBeGreaterThanOrEqual(4);
  });

  it('says the state and figures of the plugin page may be out of date while the studio is not connected', async () => {
    const { page, server } = studio;
    await openEchoTelemetry(page);
    await expect.poll(() => value(page, 'memory').textContent()).toMatch(MEGABYTES);

    await server.stopGateway();
    try {
      await page.getByRole('status').filter({ hasText: /^Not connected to the kernel: this plugin's state and figures are from .* and may be out of date\.$/ }).waitFor();
      await screenshot(page, 'plugin-page-stale');
    } finally {
      await server.startGateway();
    }
    // Skips the rest of the backoff wait; the button may be gone already if an attempt got there first.
    await page.getByRole('button', { name: 'Retry now' }).click({ timeout: 2_000 }).catch(() => undefined);

    await page.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    expect(await page.getByText(/Not connected to the kernel/).count()).toBe(0);
  });

  it('shows an admin CPU and RAM sparklines on each plugin row, from one subscription for the whole dashboard', async () => {
    const { page, server } = studio;
    const telemetrySubscriptions = watchTelemetrySubscriptions(page);

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    for (const name of ['auth', 'admin-ui', 'echo']) {
      await expect.poll(() => row(page, name).locator('[data-usage="cpu"] .sparkline-value').textContent()).toMatch(PERCENT);
      await expect.poll(() => row(page, name).locator('[data-usage="memory"] .sparkline-value').textContent()).toMatch(MEGABYTES);
      expect(await row(page, name).getByRole('img', { name: `CPU of ${name} over the last minute` }).locator('canvas').count()).toBe(1);
      expect(await row(page, name).getByRole('img', { name: `Memory of ${name} over the last minute` }).locator('canvas').count()).toBe(1);
    }
    expect(telemetrySubscriptions).toHaveLength(1);
    await screenshot(page, 'dashboard-sparklines');
    await page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    await row(page, 'echo').locator('[data-usage="cpu"] canvas').waitFor();
    await screenshot(page, 'dashboard-sparklines-serial-steel');
  });

  it('shows a viewer no sparklines and no error, and asks for no telemetry', async () => {
    const { page, server } = studio;
    const subscribed = watchTelemetrySubscriptions(page);

    await signIn(page, server.url, 'vic', PASSWORD);

    await row(page, 'echo').locator('[data-stat="pid"]').waitFor();
    await page.getByText('Read-only: only admins can start, stop and restart plugins.').waitFor();
    expect(await page.locator('.sparklines').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(subscribed).toEqual([]);
  });
});
