// Headless Chromium for the preferences-page tests: Debian's /usr/bin/chromium driven by
// playwright-core (`npx playwright install` cannot work here). Without it a browser test FAILS
// with MISSING rather than skipping: CI installs the package (.ci/run).
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from './server.js';
import { ROOT } from './cli.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const MISSING = `${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install -y --no-install-recommends chromium). CI installs it; these tests do not skip.`;

/** Launches Chromium headless (as root in CI, hence --no-sandbox) and makes the screenshot folder. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(MISSING);
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page whose script errors and console errors are collected in `problems` (checked by a last test). */
export async function watchedPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Logs in through the page's form, found by its accessible names, and waits for the app view. */
export async function logIn(page: Page, url: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(url + '/');
  const form = page.getByRole('region', { name: 'Log in' });
  await form.waitFor({ state: 'visible' });
  await form.getByLabel('User name').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#app-view').waitFor({ state: 'visible' });
}
