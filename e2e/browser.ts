import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where screenshots go: artefacts of the run, never committed. */
export const screenshotDir = path.resolve(__dirname, '..', 'test-results', 'screenshots');

/** Launches Debian's Chromium headless, as these machines allow. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(screenshotDir, { recursive: true });
  // playwright-core runs headless with a fresh temporary profile of its own.
  return chromium.launch({
    headless: true,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot named after the view ('a/b' makes a subfolder); returns its path. */
export async function snap(page: Page, name: string): Promise<string> {
  const file = path.join(screenshotDir, `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The app's themes (the new frontend system's and the legacy app's default ids). */
export type Theme = 'light' | 'dark';

/** A fresh page (own context, so own storage) that starts in `theme`, if given. */
export async function newPage(browser: Browser, theme?: Theme): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, colorScheme: theme });
  // Both apps' theme selectors read the chosen theme id from localStorage 'theme'.
  if (theme) await page.addInitScript(t => window.localStorage.setItem('theme', t), theme);
  return page;
}

async function waitForSidebar(page: Page) {
  await page.locator('nav[aria-label="sidebar nav"]').first().waitFor({ state: 'attached', timeout: 60_000 });
}

/**
 * Opens `url` in a page that is signed in as the demo guest user: the sign-in
 * page's "Enter" button is pressed when it shows.
 */
export async function openSignedIn(browser: Browser, url: string, theme?: Theme): Promise<Page> {
  const page = await newPage(browser, theme);
  await page.goto(url);
  const enter = page.getByRole('button', { name: /enter/i });
  const signedIn = page.locator('nav[aria-label="sidebar nav"]').first();
  const attached = { state: 'attached' as const, timeout: 60_000 };
  await Promise.race([enter.waitFor({ timeout: 60_000 }), signedIn.waitFor(attached)]);
  if (await enter.isVisible()) {
    await enter.click();
    await waitForSidebar(page);
    await page.goto(url);
  }
  return page;
}

/**
 * Opens `url` in a fresh page signed in as the demo user `name` (e.g. 'bob')
 * by pressing "Sign in as <name>" on the demo sign-in page.
 */
export async function openSignedInAs(browser: Browser, name: string, url: string, theme?: Theme): Promise<Page> {
  const page = await newPage(browser, theme);
  await page.goto(url);
  await page.getByRole('button', { name: `Sign in as ${name}` }).click({ timeout: 60_000 });
  await waitForSidebar(page);
  await page.goto(url);
  return page;
}

/**
 * For a describe block: launches the browser and waits for `ready` before
 * its tests, closes the browser after them. Returns the browser's getter.
 */
export function useBrowser(ready: () => Promise<unknown>): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    await ready();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('browser not launched');
    return browser;
  };
}
