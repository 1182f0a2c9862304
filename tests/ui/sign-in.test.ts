import { describe, expect, it } from 'vitest';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

describe('signing in to the studio', () => {
  const studio = useStudio();

  it('shows the sign-in page to a visitor without a session', async () => {
    const { page, server } = studio;

    await page.goto(server.url);

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
  });

  it('takes an admin from the sign-in page to the dashboard, named with the role', async () => {
    const { page, server } = studio;

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    expect(await page.getByTestId('user-name').textContent()).toBe('admin');
    expect(await page.getByTestId('user-role').textContent()).toBe('admin');
  });

  it('refuses a wrong password with the auth plugin\'s message in plain words', async () => {
    const { page, server } = studio;
    await page.goto(server.url);

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/invalid username or password/);
    await screenshot(page, 'sign-in-refused');
  });

  it('keeps the session across a reload', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await page.reload();

    await page.getByRole('heading', { name: 'Plugins' }).waitFor();
  });

  it('signs out: back to the sign-in page, with the session ended on the kernel too', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    const session = (await page.context().cookies()).find((cookie) => cookie.name === 'cyberstudio_session')!;

    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByText('You are signed out.').waitFor();
    const whoAmIWithOldCookie = async () =>
      (await fetch(`${server.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `${session.name}=${session.value}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'studio.whoami', params: {} }),
      })).status;
    // The gateway may answer from its identity cache for up to gateway.auth.cacheSeconds (5 s).
    await expect.poll(whoAmIWithOldCookie, { timeout: 10_000, interval: 250 }).toBe(401);
  });

  it('shows the sign-in page only once the kernel has ended the session, so a reload straight after stays signed out', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    // A slow kernel: the answer that clears the cookie comes 700 ms after the click.
    await page.route('**/auth/logout', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      // A reload before this point cancels the request: the kernel then never hears of the sign-out.
      await route.continue().catch(() => undefined);
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Signing out…' }).waitFor();
    await page.getByText('You are signed out.').waitFor();
    await page.reload();

    await page.getByLabel('Username').waitFor();
    expect(await page.getByRole('heading', { name: 'Plugins' }).count()).toBe(0);
  });

  it('says so when the kernel cannot end the session', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    await page.route('**/auth/logout', (route) => route.abort('connectionrefused'));

    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByText(/The kernel did not end the session \(The kernel cannot be reached .*\), so a reload may find this browser still signed in\./).waitFor();
    await page.getByLabel('Username').waitFor();
  });
});
