import { describe, expect, it } from 'vitest';
import { screenshot, signIn, signInAndOpen } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

interface Key {
  id: string;
  name: string;
  revokedAt: number | null;
}

describe('users and API keys', () => {
  const studio = useStudio();
  const openUsersPage = () => signInAndOpen(studio.page, studio.server.url, 'admin', ADMIN_PASSWORD, 'Users and API keys');

  it('lists the users, the admin among them', async () => {
    await openUsersPage();

    await studio.page.locator('tr[data-user="admin"]').waitFor();
    await screenshot(studio.page, 'users');
  });

  it('creates a user with a role and a balance, who then appears in the list and can sign in', async () => {
    const { page, server } = studio;
    await openUsersPage();
    const form = page.getByRole('form', { name: 'New user' });

    await form.getByLabel('Username').fill('dana');
    await form.getByLabel('Password').fill('dana-password-1');
    await form.getByLabel('Role').selectOption('developer');
    await form.getByLabel('Token balance').fill('5000');
    await form.getByRole('button', { name: 'Create user' }).click();

    const row = page.locator('tr[data-user="dana"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/developer.*5,000/);
    const users = await server.admin<{ username: string; role: string; balance: number }[]>('auth.users.list');
    expect(users.find((user) => user.username === 'dana')).toMatchObject({ role: 'developer', balance: 5000 });
    const danasPage = await studio.openAnotherPage();
    await signIn(danasPage, server.url, 'dana', 'dana-password-1');
    expect(await danasPage.getByTestId('user-role').textContent()).toBe('developer');
  });

  it('shows a refused user creation in plain words', async () => {
    const { page } = studio;
    await openUsersPage();
    const form = page.getByRole('form', { name: 'New user' });

    await form.getByLabel('Username').fill('admin');
    await form.getByLabel('Password').fill('another-password');
    await form.getByRole('button', { name: 'Create user' }).click();

    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Could not create the user: .*admin/);
  });

  it('shows a new API key once, copies it, and never shows it again after leaving the page', async () => {
    const { page, server } = studio;
    await openUsersPage();
    const form = page.getByRole('form', { name: 'New API key' });

    await form.getByLabel('Key name').fill('ci-runner');
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByTestId('issued-key');
    await shown.waitFor();
    const secret = (await shown.textContent())!.trim();
    expect(secret).toMatch(/^cds_[0-9a-f]{8}_/);
    await screenshot(page, 'users-new-key');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('region', { name: 'New API key' }).getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
    // The key works: it is the real secret, not a display copy.
    const call = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'studio.whoami', params: {} }),
    });
    expect(((await call.json()) as { result: { name: string } }).result.name).toBe('admin');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Plugins' }).waitFor();
    await page.getByRole('link', { name: 'Users and API keys' }).click();
    await page.locator('tr[data-key]').first().waitFor();

    expect(await page.getByTestId('issued-key').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it('revokes a key after asking, and lists it as revoked', async () => {
    const { page, server } = studio;
    const key = await server.admin<Key>('auth.keys.create', { name: 'to-revoke' });
    await openUsersPage();
    const row = page.locator('tr', { hasText: 'to-revoke' });

    await row.getByRole('button', { name: 'Revoke to-revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();

    await page.locator('tr[data-status="revoked"]', { hasText: 'to-revoke' }).waitFor();
    const keys = await server.admin<Key[]>('auth.keys.list');
    expect(keys.find((listed) => listed.id === key.id)?.revokedAt).not.toBeNull();
  });
});
