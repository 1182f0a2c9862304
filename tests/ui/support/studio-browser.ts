import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../../integration/support/test-kernel.ts';

/** Debian's chromium (`apt-get install chromium`, see .ci/run); CYBERSTUDIO_CHROMIUM names another binary. */
export const CHROMIUM = process.env.CYBERSTUDIO_CHROMIUM ?? '/usr/bin/chromium';

/** Where the tests save a screenshot of each page; gitignored, kept for people to look at. */
export const ARTIFACTS_DIR = join(repoRoot, 'tests', 'ui', 'artifacts');

// Without the background-networking flags Chromium floods the closed network with refused connections.
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches headless chromium with a fresh profile; fails plainly when the binary is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CYBERSTUDIO_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A browser context with one page; `scriptErrors` collects uncaught errors of the studio's scripts. */
export interface StudioPage {
  context: BrowserContext;
  page: Page;
  scriptErrors: Error[];
}

/** A fresh browser context (own cookies and localStorage) with one page, 1280x800. */
export async function openPage(browser: Browser): Promise<StudioPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Well inside vitest's 30 s test timeout, so a missing element fails with the locator's own message.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const scriptErrors: Error[] = [];
  page.on('pageerror', (error) => scriptErrors.push(error));
  return { context, page, scriptErrors };
}

/** Saves a full-page screenshot as tests/ui/artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the sign-in page and waits for the dashboard. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Plugins' }).waitFor();
}

/** Signs in, then opens the page the navigation link `link` names and waits for its heading (`heading`, by default the link's name). */
export async function signInAndOpen(page: Page, url: string, username: string, password: string, link: string, heading = link): Promise<void> {
  await signIn(page, url, username, password);
  await page.getByRole('link', { name: link }).click();
  await page.getByRole('heading', { name: heading }).waitFor();
}
