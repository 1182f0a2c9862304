import { describe, expect, it } from 'vitest';
import { fixture } from '../integration/support/test-kernel.ts';
import { interceptCalls } from './support/intercept-calls.ts';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

// Crashes at every start; one restart allowed, so it ends quarantined with its stderr as the reason.
const crasher = {
  name: 'crasher',
  description: 'Exits before its handshake, every time.',
  entrypoint: fixture('crash-on-start/main.mjs'),
  activation: 'startup',
  capabilities: ['crasher.never'],
  restart: { maxRestarts: 1, backoff: { initialMs: 0, maxMs: 0 } },
};

describe('the dashboard', () => {
  const studio = useStudio([crasher]);
  const row = (name: string) => studio.page.locator(`li[data-plugin="${name}"]`);

  it('lists every plugin with its state, restarts and capability count', async () => {
    const { page, server } = studio;
    await server.kernel.waitForState('crasher', 'quarantined');

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await row('echo').waitFor();
    expect(await row('echo').getAttribute('data-state')).toBe('running');
    expect(await row('echo').locator('[data-stat="capabilities"]').textContent()).toBe('14');
    expect(await row('echo').locator('[data-stat="restarts"]').textContent()).toBe('0');
    expect(await row('auth').getAttribute('data-state')).toBe('running');
    expect(await row('admin-ui').getAttribute('data-state')).toBe('running');
    await screenshot(page, 'dashboard');
  });

  it('shows why a quarantined plugin stopped: its last error and its last log lines', async () => {
    const { page, server } = studio;
    await server.kernel.waitForState('crasher', 'quarantined');

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    const problem = row('crasher').locator('.plugin-problem');
    await problem.getByText('Last error:', { exact: true }).waitFor();
    await problem.getByLabel('Last log lines of crasher').waitFor();
    expect(await problem.textContent()).toMatch(/Quarantined/);
    await screenshot(page, 'dashboard-quarantined');
  });

  it('stops a plugin with its switch and shows the new state as the kernel reports it', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await row('echo').getByRole('switch', { name: 'Stop echo' }).click();

    await row('echo').locator('[data-state="stopped"]').first().waitFor();
    expect(server.kernel.kernel.supervisor('echo').state).toBe('stopped');
    expect(await row('echo').getByRole('switch').getAttribute('aria-checked')).toBe('false');
  });

  it('starts a stopped plugin with its switch', async () => {
    const { page, server } = studio;
    await server.kernel.kernel.supervisor('echo').stop();
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await row('echo').getByRole('switch', { name: 'Start echo' }).click();

    await page.locator('li[data-plugin="echo"][data-state="running"]').waitFor();
    expect(server.kernel.kernel.supervisor('echo').state).toBe('running');
  });

  it('shows a state change made elsewhere live, without a reload', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    await page.locator('li[data-plugin="echo"][data-state="running"]').waitFor();

    await server.admin('kernel.plugins.stop', { plugin: 'echo' });

    await page.locator('li[data-plugin="echo"][data-state="stopped"]').waitFor();
    // The event carries the state; the rest of the row follows from the reload it triggers.
    await expect.poll(() => row('echo').locator('[data-stat="pid"]').textContent()).toBe('—');
  });

  it('restarts a plugin with the restart button: a new process serves it', async () => {
    const { page, server } = studio;
    const pidBefore = server.kernel.kernel.supervisor('echo').process?.pid;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await row('echo').getByRole('button', { name: 'Restart echo' }).click();

    await expect.poll(async () => row('echo').locator('[data-stat="pid"]').textContent(), { timeout: 15_000 }).not.toBe(String(pidBefore));
    await page.locator('li[data-plugin="echo"][data-state="running"]').waitFor();
    expect(await row('echo').locator('[data-stat="pid"]').textContent()).toBe(String(server.kernel.kernel.supervisor('echo').process?.pid));
  });

  it('asks before stopping a required plugin, and stopping nothing when cancelled', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await row('auth').getByRole('switch', { name: 'Stop auth' }).click();
    const question = row('auth').getByRole('alertdialog');
    await question.waitFor();
    await question.getByRole('button', { name: 'Cancel' }).click();

    await question.waitFor({ state: 'detached' });
    expect(server.kernel.kernel.supervisor('auth').state).toBe('running');
  });

  it("keeps the plugin list when the kernel's status cannot be read", async () => {
    const { page, server } = studio;
    await interceptCalls(page, (message) => (message.method === 'kernel.status' ? { error: { code: -32603, message: 'status unavailable' } } : undefined));

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await row('echo').waitFor();
    expect(await row('echo').getAttribute('data-state')).toBe('running');
    expect(await page.getByRole('heading', { name: /could not be shown/ }).count()).toBe(0);
  });
});
