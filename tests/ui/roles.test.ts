import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, signIn } from './support/studio-browser.ts';
import { useStudio } from './support/use-studio.ts';

const PASSWORD = 'role-test-password';

describe('role-aware pages (with the repository\'s access rules)', () => {
  const studio = useStudio();
  beforeAll(async () => {
    await studio.server.createUser('vera', 'viewer', PASSWORD);
    await studio.server.createUser('devon', 'developer', PASSWORD);
  });

  it('shows a viewer the dashboard read-only: no admin pages, no switches, no restart buttons', async () => {
    const { page, server } = studio;

    await signIn(page, server.url, 'vera', PASSWORD);

    await page.locator('li[data-plugin="echo"][data-state="running"]').waitFor();
    await page.getByText('Read-only: only admins can start, stop and restart plugins.').waitFor();
    expect(await page.getByRole('link', { name: 'Users and API keys' }).count()).toBe(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Restart/ }).count()).toBe(0);
    await screenshot(page, 'dashboard-viewer');
  });

  it('sees live state changes as a viewer too', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'vera', PASSWORD);
    await page.locator('li[data-plugin="echo"][data-state="running"]').waitFor();

    await server.admin('kernel.plugins.stop', { plugin: 'echo' });

    await page.locator('li[data-plugin="echo"][data-state="stopped"]').waitFor();
  });

  it('answers an admin page opened by URL as a viewer with a plain "not allowed"', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'vera', PASSWORD);

    await page.goto(`${server.url}/users`);

    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect(await page.locator('main').textContent()).toMatch(/Users and API keys is for admins\. You are signed in as vera with the role viewer\./);
    await screenshot(page, 'not-allowed');
  });

  it('gives a developer no admin pages and no plugin controls either', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'devon', PASSWORD);
    await page.locator('li[data-plugin="echo"]').waitFor();

    expect(await page.getByRole('link', { name: 'Users and API keys' }).count()).toBe(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    await page.goto(`${server.url}/users`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  });

  it('says plainly when a path is no page at all', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'devon', PASSWORD);

    await page.goto(`${server.url}/no/such/page`);

    await page.getByRole('heading', { name: 'No such page' }).waitFor();
  });
});
