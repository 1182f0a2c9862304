import { describe, expect, it } from 'vitest';
import { screenshot, signInAndOpen } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

interface User {
  username: string;
  role: string;
  balance: number;
  unlimited: boolean;
}

describe('editing a user in the users table', () => {
  const studio = useStudio();
  const openUsersPage = () => signInAndOpen(studio.page, studio.server.url, 'admin', ADMIN_PASSWORD, 'Users and API keys');
  const userNamed = async (username: string) => (await studio.server.admin<User[]>('auth.users.list')).find((user) => user.username === username);
  const createUser = (username: string, role: string, balance: number) => studio.server.admin('auth.users.create', { username, role, password: `${username}-password`, balance });

  it("changes a user's role and balance in place; the kernel holds the new values and the row shows them", async () => {
    const { page } = studio;
    await createUser('erin', 'developer', 100);
    await openUsersPage();

    await page.getByRole('button', { name: 'Edit erin' }).click();
    await page.getByLabel('Role of erin').selectOption('viewer');
    await page.getByLabel('Balance of erin').fill('2500');
    await screenshot(page, 'users-edit');
    await page.getByRole('form', { name: 'Edit erin' }).getByRole('button', { name: 'Save' }).click();

    const row = page.locator('tr[data-user="erin"]:not([data-editing])');
    await row.waitFor();
    expect(await row.locator('.tag').textContent()).toBe('viewer');
    expect(await row.locator('[data-field="balance"]').textContent()).toBe((2500).toLocaleString('en-US'));
    expect(await userNamed('erin')).toMatchObject({ role: 'viewer', balance: 2500, unlimited: false });
  });

  it('makes a user unlimited and back to a number', async () => {
    const { page } = studio;
    await createUser('fynn', 'developer', 10);
    await openUsersPage();
    const row = page.locator('tr[data-user="fynn"]:not([data-editing])');

    await page.getByRole('button', { name: 'Edit fynn' }).click();
    await page.locator('tr[data-user="fynn"]').getByLabel('Unlimited').check();
    await page.getByRole('form', { name: 'Edit fynn' }).getByRole('button', { name: 'Save' }).click();
    await row.locator('[data-field="balance"]', { hasText: 'unlimited' }).waitFor();
    const unlimited = await userNamed('fynn');
    await page.getByRole('button', { name: 'Edit fynn' }).click();
    await page.locator('tr[data-user="fynn"]').getByLabel('Unlimited').uncheck();
    await page.getByLabel('Balance of fynn').fill('42');
    await page.getByRole('form', { name: 'Edit fynn' }).getByRole('button', { name: 'Save' }).click();
    await row.locator('[data-field="balance"]', { hasText: '42' }).waitFor();

    expect(unlimited).toMatchObject({ unlimited: true });
    expect(await userNamed('fynn')).toMatchObject({ unlimited: false, balance: 42 });
  });

  it('refuses a balance that is not a whole number before sending anything, and Cancel leaves the user as it was', async () => {
    const { page } = studio;
    await createUser('gus', 'developer', 300);
    await openUsersPage();

    await page.getByRole('button', { name: 'Edit gus' }).click();
    await page.getByLabel('Role of gus').selectOption('admin');
    await page.getByLabel('Balance of gus').fill('12.5');
    await page.getByRole('form', { name: 'Edit gus' }).getByRole('button', { name: 'Save' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/balance must be a whole number of tokens/);
    expect(await page.getByLabel('Balance of gus').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('form', { name: 'Edit gus' }).getByRole('button', { name: 'Cancel' }).click();
    await page.locator('tr[data-user="gus"]:not([data-editing])').waitFor();
    expect(await userNamed('gus')).toMatchObject({ role: 'developer', balance: 300 });
  });

  it('shows in plain words that the last admin cannot be demoted, and keeps the row open', async () => {
    const { page } = studio;
    await openUsersPage();

    await page.getByRole('button', { name: 'Edit admin' }).click();
    await page.getByLabel('Role of admin').selectOption('developer');
    await page.getByRole('form', { name: 'Edit admin' }).getByRole('button', { name: 'Save' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe("Could not change the role: cannot demote 'admin': it is the last enabled admin; make another user admin first");
    expect(await page.getByLabel('Role of admin').inputValue()).toBe('developer');
    await screenshot(page, 'users-edit-refused');
    expect(await userNamed('admin')).toMatchObject({ role: 'admin' });
  });
});
