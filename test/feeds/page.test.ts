// The "Subscription links" and "Import" section of the preferences page (src/web/static/feeds.js)
// in headless Chromium: it appears after login, creates a busy link and shows its https:// and
// webcal:// forms once with copy buttons, shows "last used" after the feed is fetched, revokes,
// uploads an .ics into a calendar, and empties itself on logout. Like test/web/browser.test.ts it
// needs /usr/bin/chromium and fails (does not skip) without it.
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { ical } from '../helpers/dav.js';
import { tempDir } from '../helpers/cli.js';
import { launchChromium, shot, watchedPage } from '../helpers/chromium.js';
import { guardedBefore } from '../web/setup.js';

interface Ctx {
  srv: TestServer;
  browser: Browser;
  page: Page;
  problems: string[];
  setupError?: unknown;
}

const t = suite<Ctx>('feeds: page section in Chromium');

guardedBefore(t, async (ctx) => {
  ctx.problems = [];
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('dora');
  ctx.browser = await launchChromium();
  const context = await ctx.browser.newContext({ viewport: { width: 1200, height: 1000 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.srv.url });
  ctx.page = await watchedPage(context, ctx.problems);
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

t('after login the section lists no links and offers the form', async ({ page, srv }) => {
  await page.goto(srv.url + '/');
  assert.not.ok(await page.locator('#feeds-view').isVisible(), 'hidden before login');
  await page.locator('#login-form input[name="username"]').fill('dora');
  await page.locator('#login-form input[name="password"]').fill(PASSWORD);
  await page.locator('#login-form button[type="submit"]').click();
  await page.getByRole('heading', { name: 'Subscription links' }).waitFor();
  assert.ok(await page.locator('#feeds-empty').isVisible());
  const options = await page.locator('#feed-form select[name="calendar"] option').allInnerTexts();
  assert.equal(options, ['All calendars with synchronization on', 'Personal']);
});

t('creating a busy link shows both URLs once, with copy buttons; the feed works', async ({ page, srv }) => {
  await page.locator('#feed-form select[name="calendar"]').selectOption('personal');
  await page.locator('#feed-form select[name="details"]').selectOption('busy');
  await page.locator('#feed-form input[name="label"]').fill('For the office');
  await page.getByRole('button', { name: 'Create link' }).click();
  const https = page.locator('#feed-new input.feed-url').first();
  await https.waitFor();
  const url = await https.inputValue();
  const webcal = await page.locator('#feed-new input.feed-url').nth(1).inputValue();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
  assert.is(webcal, url.replace(/^http:/, 'webcal:'));
  // The button names the link's real scheme (issue 12 item 12: it said "https" on an http URL).
  await page.getByRole('button', { name: 'Copy http link', exact: true }).click();
  await page.locator('#status', { hasText: 'Link copied' }).waitFor();
  assert.is(await page.evaluate(() => navigator.clipboard.readText()), url);
  await shot(page, 'feeds-01-new-link');
  const row = page.locator('#feeds tbody tr');
  assert.is(await row.count(), 1);
  assert.match(await row.innerText(), /For the office[\s\S]*Busy only[\s\S]*Removed[\s\S]*never/);

  const res = await fetch(url.replace(/^http:\/\/[^/]+/, srv.url));
  assert.is(res.status, 200);
  await page.getByRole('button', { name: 'Done' }).click();
  assert.is(await page.locator('#feed-new input').count(), 0, 'the secret is gone from the page');
  await page.reload();
  await page.locator('#feeds tbody tr').waitFor();
  assert.not.match(await page.locator('#feeds tbody tr').innerText(), /never$/m, 'last used is shown after a fetch');
  assert.not.ok((await page.content()).includes(new URL(url).pathname), 'the token is not in the page after a reload');
});

t('uploading an .ics imports it and says what happened', async ({ page, srv }) => {
  const dir = tempDir('sundial-upload-');
  const file = path.join(dir, 'holidays.ics');
  const event = (uid: string) => ical(uid).split('\r\n').slice(3, -2).join('\r\n');
  fs.writeFileSync(file, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', event('upload-1'), event('upload-2'),
    'BEGIN:VEVENT', 'SUMMARY:no uid', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
  await page.locator('#import-form input[type="file"]').setInputFiles(file);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-result p').waitFor();
  assert.match(await page.locator('#import-result').innerText(), /2 imported, 0 replaced, 0 unchanged, 1 skipped[\s\S]*no UID/);
  assert.not.match(await page.locator('#import-result').innerText(), /null/, 'no literal "null" line (issue 12 item 12)');
  // The calendar table follows the import (issue 12 item 12): 2 entries now.
  await page.locator('#mine tbody tr[data-calendar="personal"] td', { hasText: /^2$/ }).waitFor();
  const dora = (await srv.store.getUser('dora'))!;
  const inst = (await srv.store.getInstance(dora.id, 'personal'))!;
  assert.is((await srv.store.getCollection(inst.collection.id))!.objectCount, 2);
  await shot(page, 'feeds-02-import');
  fs.rmSync(dir, { recursive: true, force: true });
});

t('a calendar created in the page appears in the pickers; revoke removes a link', async ({ page }) => {
  await page.locator('#create-form input[name="displayName"]').fill('Sports');
  await page.locator('#create-form button[type="submit"]').click();
  await page.locator('#feed-form select[name="calendar"] option', { hasText: 'Sports' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Revoke For the office' }).click();
  await page.getByRole('dialog', { name: 'Revoke link' }).getByRole('button', { name: 'Revoke' }).click();
  await page.locator('#feeds-empty').waitFor({ state: 'visible' });
});

t('logging out empties the section; no script errors', async ({ page, problems }) => {
  await page.locator('#logout').click();
  await page.locator('#login-form').waitFor({ state: 'visible' });
  assert.is(await page.locator('#feeds-view').innerHTML(), '');
  // The page's first /api/me before login answers 401, which Chromium logs as a console error.
  assert.equal(problems.filter((p) => !/status of 401/.test(p)), []);
});

t.run();
