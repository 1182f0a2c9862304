import { beforeAll, describe, expect, it } from 'vitest';
import { interceptCalls } from './support/intercept-calls.ts';
import { screenshot, signInAndOpen } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

const PASSWORD = 'usage-test-password';
/** The UTC day the auth plugin files today's usage under. */
const today = () => new Date().toISOString().slice(0, 10);

/** Calls a capability through POST /rpc as `username` (signed in with a password), as a provider would meter that user. */
async function asUser<T>(url: string, username: string, method: string, params: Record<string, unknown>): Promise<T> {
  const login = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  const cookie = /^[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const answer = (await response.json()) as { result?: T; error?: { message: string } };
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result as T;
}

/** One generation metered the way a provider does it: reserve, then commit what was used. */
async function generation(url: string, username: string, model: string, promptTokens: number, completionTokens: number): Promise<void> {
  const { reservationId } = await asUser<{ reservationId: string }>(url, username, 'auth.usage.reserve', { user: username, model, tokens: 1000 });
  await asUser(url, username, 'auth.usage.commit', { reservationId, promptTokens, completionTokens });
}

describe('the usage page', () => {
  const studio = useStudio();
  beforeAll(async () => {
    const { server } = studio;
    for (const [username, role] of [['ulla', 'developer'], ['vic', 'viewer'], ['wes', 'viewer']]) {
      await server.admin('auth.users.create', { username, role, password: PASSWORD, balance: 100_000 });
    }
    await generation(server.url, 'ulla', 'tiny-llama', 150, 50);
    await generation(server.url, 'ulla', 'qwen-small', 20, 10);
    await generation(server.url, 'vic', 'tiny-llama', 30, 12);
  });
  const cell = (group: string) => studio.page.locator(`tr[data-day="${today()}"] td[data-group="${group}"]`);
  const openUsage = (username: string, password: string) => signInAndOpen(studio.page, studio.server.url, username, password, 'Usage');

  it("shows an admin every user's tokens of today, per user, in the chart's table", async () => {
    await openUsage('admin', ADMIN_PASSWORD);

    await cell('ulla').waitFor();
    expect(await cell('ulla').textContent()).toBe('230');
    expect(await cell('vic').textContent()).toBe('42');
    expect(await cell('total').textContent()).toBe('272');
    expect(await studio.page.getByRole('img', { name: /^Tokens per day, stacked by ulla, vic/ }).count()).toBe(1);
    await screenshot(studio.page, 'usage');
    await studio.page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    await screenshot(studio.page, 'usage-serial-steel');
  });

  it('stacks the same tokens by model with the toggle', async () => {
    await openUsage('admin', ADMIN_PASSWORD);
    await cell('ulla').waitFor();

    await studio.page.getByRole('radio', { name: 'By model' }).check();

    await cell('tiny-llama').waitFor();
    expect(await cell('tiny-llama').textContent()).toBe('242');
    expect(await cell('qwen-small').textContent()).toBe('30');
    expect(await cell('ulla').count()).toBe(0);
    await screenshot(studio.page, 'usage-by-model');
  });

  it('narrows the numbers to one model with the model filter', async () => {
    await openUsage('admin', ADMIN_PASSWORD);
    await cell('ulla').waitFor();

    await studio.page.getByLabel('Model', { exact: true }).selectOption('qwen-small');

    await cell('ulla').filter({ hasText: /^30$/ }).waitFor();
    expect(await cell('vic').count()).toBe(0);
    expect(await cell('total').textContent()).toBe('30');
  });

  it('shows a viewer only their own tokens, stacked by model', async () => {
    await openUsage('vic', PASSWORD);

    await cell('tiny-llama').waitFor();
    expect(await cell('tiny-llama').textContent()).toBe('42');
    expect(await cell('qwen-small').count()).toBe(0);
    expect(await cell('total').textContent()).toBe('42');
    expect(await studio.page.getByLabel('User', { exact: true }).count()).toBe(0);
    await studio.page.getByRole('radio', { name: 'By user' }).check();
    await cell('vic').waitFor();
    expect(await cell('ulla').count()).toBe(0);
    await screenshot(studio.page, 'usage-viewer');
  });

  it('keeps the page and says why when the usage cannot be loaded, and loads it with Reload', async () => {
    const { page } = studio;
    let failing = true;
    await interceptCalls(page, (message) =>
      failing && message.method === 'auth.usage.history' ? { error: { code: -32603, message: 'the usage store is unavailable' } } : undefined,
    );
    await openUsage('admin', ADMIN_PASSWORD);

    await page.getByRole('alert').filter({ hasText: 'Could not load the usage: the usage store is unavailable' }).waitFor();
    expect(await page.getByText(/could not be shown/).count()).toBe(0);
    failing = false;
    await page.getByRole('button', { name: 'Reload' }).click();

    await cell('ulla').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('moves on to the new day with Reload when the page was opened before midnight (UTC)', async () => {
    const { page } = studio;
    const midnight = Date.parse(`${today()}T00:00:00Z`);
    await page.clock.setFixedTime(midnight - 60_000);
    await openUsage('admin', ADMIN_PASSWORD);
    // Every token of the tests was used today, after the range the page opened with.
    await page.getByText('No tokens used in the last 30 days').waitFor();

    await page.clock.setFixedTime(Date.now());
    await page.getByRole('button', { name: 'Reload' }).click();

    await cell('ulla').waitFor();
    expect(await cell('total').textContent()).toBe('272');
  });

  it('says so when no tokens were used in the range', async () => {
    await openUsage('wes', PASSWORD);

    await studio.page.getByText('No tokens used in the last 30 days').waitFor();
    expect(await studio.page.getByRole('table', { name: 'Tokens per day' }).count()).toBe(0);
    await screenshot(studio.page, 'usage-empty');
  });
});
