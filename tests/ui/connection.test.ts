import { describe, expect, it } from 'vitest';
import { screenshot, signIn } from './support/studio-browser.ts';
import { ADMIN_PASSWORD } from './support/studio-server.ts';
import { useStudio } from './support/use-studio.ts';

describe('the connection to the kernel', () => {
  const studio = useStudio();

  it('says connected in the header once signed in', async () => {
    const { page, server } = studio;

    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);

    await page.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
  });

  it('says it is reconnecting when the gateway goes away, then reconnects and follows live changes again', async () => {
    const { page, server } = studio;
    await signIn(page, server.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();

    await server.stopGateway();
    const badge = page.getByRole('status').filter({ hasText: /Reconnecting/ });
    await badge.waitFor();
    await page.getByText(/Not connected to the kernel: these states are from/).waitFor();
    expect(await page.getByRole('switch', { name: 'Stop echo' }).isDisabled()).toBe(true);
    await screenshot(page, 'dashboard-reconnecting');
    // Changed while the studio could not hear it: the reload after the reconnect must show it.
    await server.kernel.kernel.supervisor('echo').stop();
    await server.startGateway();
    // Skips the rest of the backoff wait (several seconds by now). The button may be gone
    // already if a scheduled attempt got there first; either way the badge must end connected.
    await badge.getByRole('button', { name: 'Retry now' }).click({ timeout: 2_000 }).catch(() => undefined);

    await page.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await page.locator('li[data-plugin="echo"][data-state="stopped"]').waitFor();
    // The subscription was renewed on the new socket: a change now arrives live.
    await server.kernel.kernel.supervisor('echo').start();
    await page.locator('li[data-plugin="echo"][data-state="running"]').waitFor();
    expect(await page.getByText(/Not connected to the kernel/).count()).toBe(0);
  });
});
