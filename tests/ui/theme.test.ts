import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

/** The theme attribute and the page background the theme's variables produce. */
const look = async (page: Page) => ({
  theme: await page.locator('html').getAttribute('data-theme'),
  // A string, evaluated in the page: this file is typed for Node, without the DOM's globals.
  background: await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'),
});

describe('themes', () => {
  const studio = useStudio();

  it('starts in Neon Cyber Night', async () => {
    const { page, server } = studio;

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    expect(await look(page)).toEqual({ theme: 'NeonCyberNight', background: 'rgb(9, 11, 22)' });
  });

  it('switches to Serial Steel at once and keeps it across a reload', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await page.getByLabel('Theme').selectOption({ label: 'Serial Steel' });
    const switched = await look(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Plugins' }).waitFor();

    expect(switched).toEqual({ theme: 'SerialSteel', background: 'rgb(228, 232, 237)' });
    expect(await look(page)).toEqual(switched);
    await page.locator('li[data-plugin="echo"]').waitFor();
    await screenshot(page, 'dashboard-serial-steel');
    await page.getByRole('link', { name: 'Users and API keys' }).click();
    await page.locator('tr[data-user="admin"]').waitFor();
    await screenshot(page, 'users-serial-steel');
  });

  it('applies the remembered theme to the sign-in page too', async () => {
    const { page, server } = studio;
    await page.goto(server.url);
    await page.evaluate(`localStorage.setItem('cyberstudio.theme', 'SerialSteel')`);

    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    expect((await look(page)).theme).toBe('SerialSteel');
    await screenshot(page, 'sign-in-serial-steel');
  });
});
