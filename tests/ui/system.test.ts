import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, signIn, signInAndOpen } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

const PASSWORD = 'system-test-password';

describe('the system page', () => {
  const studio = useStudio();
  beforeAll(async () => {
    await studio.server.createUser('devon', 'developer', PASSWORD);
  });
  const main = () => studio.page.getByRole('main');
  const openSystem = () => signInAndOpen(studio.page, studio.server.url, 'admin', ADMIN_PASSWORD, 'System');

  it("shows the kernel's PID, uptime, CPU and memory", async () => {
    await openSystem();

    const pid = main().locator('[data-fact="pid"]');
    await pid.waitFor();
    // The test kernel runs inside this process.
    expect(await pid.textContent()).toBe(String(process.pid));
    expect(await main().locator('[data-fact="cpu"]').textContent()).toMatch(/^\d+[.,]\d %$/);
    expect(await main().locator('[data-fact="memory"]').textContent()).toMatch(/^\d+ MB$/);
    expect(await main().locator('[data-fact="version"]').textContent()).toMatch(/^\d+\.\d+\.\d+$/);
    await main().locator('li[data-state="running"]').waitFor();
    await main().locator('tr[data-session-user="admin"][data-current="true"]').waitFor();
    await screenshot(studio.page, 'system');
    await studio.page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    await screenshot(studio.page, 'system-serial-steel');
  });

  it('lists the signed-in admin among the sign-in sessions, marked as this browser', async () => {
    await openSystem();

    const row = main().locator('tr[data-session-user="admin"][data-current="true"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('this browser');
    expect(await row.getByRole('button').count()).toBe(0);
  });

  it("lists this page's own WebSocket under the admin, with the counts per endpoint", async () => {
    await openSystem();

    const row = main().locator('tr[data-socket-user="admin"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/admin.*session/);
    expect(await main().getByTestId('socket-counts').textContent()).toMatch(/\d+ open: \d+ on \/ws/);
  });

  it('shows a session opened elsewhere without being reloaded, and ends it after asking', async () => {
    await openSystem();
    await main().locator('tr[data-session-user="admin"][data-current="true"]').waitFor();

    const devonsPage = await studio.openAnotherPage();
    await signIn(devonsPage, studio.server.url, 'devon', PASSWORD);
    const row = main().locator('tr[data-session-user="devon"]');
    await row.waitFor();
    await row.getByRole('button', { name: "End devon's session" }).click();
    await row.getByRole('button', { name: 'Yes, end it' }).click();

    await row.waitFor({ state: 'detached' });
    const sessions = await studio.server.admin<Array<{ username: string }>>('auth.sessions.list', { user: 'devon' });
    expect(sessions).toEqual([]);
  });

  it("keeps the keyboard focus on a session's button while the list refreshes every few seconds", async () => {
    const { page, server } = studio;
    let listings = 0;
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"auth.sessions.list"')) listings++;
      }),
    );
    await openSystem();
    await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'devon', password: PASSWORD }) });
    const end = main().getByRole('button', { name: "End devon's session" });
    await end.focus();

    // The poll asks again only once its last answer is in: two more asks means an answer was drawn since.
    const before = listings;
    await expect.poll(() => listings, { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 2);
    expect(await page.locator(':focus').evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label')))).toEqual(["End devon's session"]);
  });

  it('links to /metrics and /health in a new tab and shows the current health verdict', async () => {
    await openSystem();

    const metrics = main().getByRole('link', { name: '/metrics' });
    const health = main().getByRole('link', { name: '/health' });
    expect(await metrics.getAttribute('href')).toBe('/metrics');
    expect(await metrics.getAttribute('target')).toBe('_blank');
    expect(await health.getAttribute('href')).toBe('/health');
    expect(await health.getAttribute('target')).toBe('_blank');
    await main().locator('[data-health="ok"]').waitFor();
  });

  it('is not open to a developer: no navigation link, and a plain "not allowed" by URL', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'devon', PASSWORD);

    expect(await page.getByRole('link', { name: 'System' }).count()).toBe(0);
    await page.goto(`${server.url}/system`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect(await main().textContent()).toMatch(/System is for admins\./);
  });
});
