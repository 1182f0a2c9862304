import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchChromium, openPage, type StudioPage } from './studio-browser.ts';
import { startStudioServer, type StudioServer } from './studio-server.ts';

/** What a studio test file shares: one kernel and one browser for the file, a fresh page per test. */
export interface StudioFixture {
  readonly server: StudioServer;
  readonly browser: Browser;
  /** This test's page, in its own browser context (no cookies, empty localStorage). */
  readonly page: Page;
  /** Opens one more page in another fresh context, e.g. a second user; closed after the test. */
  openAnotherPage(): Promise<Page>;
}

/**
 * Registers the hooks of a studio test file: a studio server (see startStudioServer, with
 * `extraPlugins`) and chromium for the whole file, a fresh page for each test, and a check after
 * each test that the studio threw no script error. Each test starts with echo running.
 */
export function useStudio(extraPlugins: object[] = []): StudioFixture {
  let server: StudioServer | undefined;
  let browser: Browser | undefined;
  let pages: StudioPage[] = [];

  beforeAll(async () => {
    server = await startStudioServer(extraPlugins);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    if (server!.kernel.kernel.supervisor('echo').state !== 'running') await server!.kernel.kernel.supervisor('echo').start();
    pages = [await openPage(browser!)];
  });
  afterEach(async () => {
    const errors = pages.flatMap((opened) => opened.scriptErrors.map((error) => error.message));
    await Promise.all(pages.map((opened) => opened.context.close()));
    pages = [];
    expect(errors, 'script errors in the studio').toEqual([]);
  });

  return {
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
    get page() {
      return pages[0]!.page;
    },
    async openAnotherPage() {
      const opened = await openPage(browser!);
      pages.push(opened);
      return opened.page;
    },
  };
}
