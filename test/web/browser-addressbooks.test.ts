// "My address books" and "Other address books" in headless Chromium (issue 14 items 4 and 6):
// the sections beside the calendar ones, the Synchronization switch by keyboard and mouse (the
// store's synchronized instances follow, the calendars' switch does not move), a .vcf upload with
// its summary and the large-collection warning past the threshold, create, rename and sharing
// through the forms (bob's page lists it under "Other address books"), the download with the
// bytes uploaded, the connection panel's address-book home, and axe-core on the sections at
// desktop and phone widths. Chromium is required, as for the other browser tests.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CHROMIUM, MISSING, launchChromium, logIn, shot, watchedPage } from '../helpers/chromium.js';
import { axeProblems, describeAxe } from './axe.js';
import { guardedBefore } from './setup.js';
import { D, propfind } from '../helpers/dav.js';

/** Low, so that a small upload crosses it (the default, 9000, is the calendars'). */
const THRESHOLD = 3;

interface Ctx {
  srv: TestServer;
  browser: Browser;
  alice: BrowserContext;
  page: Page;
  problems: string[];
  setupError?: unknown;
}

const t = suite<Ctx>('address books in the preferences page (Chromium)');

t('Chromium is installed at /usr/bin/chromium', () => {
  if (!fs.existsSync(CHROMIUM)) assert.unreachable(MISSING);
});

guardedBefore(t, async (ctx) => {
  ctx.problems = [];
  ctx.srv = await startTestServer({ SUNDIAL_LARGE_CALENDAR: String(THRESHOLD) });
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  ctx.browser = await launchChromium();
  ctx.alice = await ctx.browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  ctx.page = await watchedPage(ctx.alice, ctx.problems);
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

const card = (uid: string, fn: string) => `BEGIN:VCARD\r\nVERSION:4.0\r\nUID:${uid}\r\nFN:${fn}\r\nEMAIL:${uid}@example.com\r\nEND:VCARD\r\n`;

/** The address-book home's Depth 1 listing over CardDAV (what DAVx5 and iOS re-read). */
async function davBooks(srv: TestServer, user: string): Promise<string[]> {
  const home = `/dav/addressbooks/${user}/`;
  return (await propfind(srv, user, home, '1', [D('displayname')])).responses.map((r) => r.href).filter((h) => h !== home);
}

async function syncedBooks(srv: TestServer, user: string): Promise<string[]> {
  const u = (await srv.store.getUser(user))!;
  return (await srv.store.listInstances(u.id, { syncOnly: true, home: 'addressbooks' })).map((i) => i.uri);
}

t('after login the page shows "My address books" with "Contacts" beside the calendars, and the address-book home to connect', async ({ page, srv }) => {
  await logIn(page, srv.url, 'alice');
  assert.ok(await page.getByRole('heading', { name: 'My calendars' }).isVisible());
  const heading = page.getByRole('heading', { name: 'My address books' });
  await heading.waitFor();
  assert.ok(await page.getByRole('heading', { name: 'Other address books' }).isVisible());
  const row = page.locator('#ab-mine tbody tr[data-addressbook="contacts"]');
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /Contacts/);
  assert.match(text, /\/dav\/addressbooks\/alice\/contacts\//);
  assert.ok(await page.locator('#ab-others-empty').isVisible(), '"No address books are shared with you."');
  // The jump link and the connection panel.
  assert.is(await page.locator('nav.jump a[href="#addressbooks"]').innerText(), 'Address books');
  await page.locator('#connection input[value$="/dav/addressbooks/alice/"]').waitFor();
  assert.ok(await page.locator('#connect-contacts').isVisible());
  await shot(page, 'ab-01-sections');
});

t('the switch: role=switch named after the address book, keyboard and mouse; the synchronized instances follow, calendars do not', async ({ page, srv }) => {
  const sw = page.getByRole('switch', { name: 'Synchronization of Contacts', exact: true });
  assert.is(await sw.count(), 1);
  assert.is(await sw.getAttribute('aria-checked'), 'true');
  assert.is(await sw.getAttribute('data-addressbook'), 'contacts');
  assert.ok((await syncedBooks(srv, 'alice')).includes('contacts'));
  await sw.focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('[role="switch"][data-addressbook="contacts"]')?.getAttribute('aria-checked') === 'false');
  assert.not.ok((await syncedBooks(srv, 'alice')).includes('contacts'), 'no longer offered to devices');
  assert.not.ok((await davBooks(srv, 'alice')).includes('/dav/addressbooks/alice/contacts/'), 'gone from the CardDAV home listing');
  assert.match(await page.locator('#status').innerText(), /Contacts: synchronization off/);
  assert.is(await page.getByRole('switch', { name: 'Synchronization of Personal', exact: true }).getAttribute('aria-checked'), 'true', 'the calendar\'s switch did not move');
  await page.reload();
  await page.locator('#ab-mine tbody tr[data-addressbook="contacts"]').waitFor();
  assert.is(await sw.getAttribute('aria-checked'), 'false', 'kept after a reload');
  await sw.click();
  await page.waitForFunction(() => document.querySelector('[role="switch"][data-addressbook="contacts"]')?.getAttribute('aria-checked') === 'true');
  assert.ok((await syncedBooks(srv, 'alice')).includes('contacts'));
  assert.ok((await davBooks(srv, 'alice')).includes('/dav/addressbooks/alice/contacts/'), 'back in the CardDAV listing');
});

const UPLOAD = card('u-1', 'Una') + card('u-2', 'Udo') + card('u-3', 'Ulla') + card('u-4', 'Uwe') + 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Nobody\r\nEND:VCARD\r\n';

t('uploading a .vcf: the summary with the bad card, the count, and the warning past the threshold beside the switch', async ({ page }) => {
  const form = page.locator('#ab-import-form');
  await form.locator('select').selectOption('contacts');
  await form.locator('input[type="file"]').setInputFiles({ name: 'people.vcf', mimeType: 'text/vcard', buffer: Buffer.from(UPLOAD) });
  await form.getByRole('button', { name: 'Import contacts' }).click();
  const result = page.locator('#ab-import-result');
  await result.locator('p').first().waitFor();
  assert.match(await result.innerText(), /people\.vcf: 4 imported, 0 replaced, 0 unchanged, 1 skipped/);
  assert.match(await result.innerText(), /line 25 \(FN Nobody\): UID is missing/);
  assert.match(await result.innerText(), /The address book now has 4 cards/);
  const row = page.locator('#ab-mine tbody tr[data-addressbook="contacts"]');
  await row.locator('.warning').waitFor();
  assert.is(await row.locator('.warning').innerText(), '4 cards — devices may synchronize it slowly or fail to; consider turning synchronization off');
  const cell = row.locator('td', { has: page.getByRole('switch', { name: 'Synchronization of Contacts' }) });
  assert.is(await cell.locator('.warning').count(), 1, 'beside the switch');
  assert.is(await row.locator('td').nth(1).innerText(), '4');
  await row.scrollIntoViewIfNeeded();
  await shot(page, 'ab-02-imported-large');
});

t('the download is the uploaded cards byte for byte', async ({ page }) => {
  const link = page.getByRole('link', { name: 'Download .vcf of Contacts' });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.is(download.suggestedFilename(), 'Contacts.vcf');
  const body = fs.readFileSync((await download.path())!);
  assert.is(body.toString('utf8'), card('u-1', 'Una') + card('u-2', 'Udo') + card('u-3', 'Ulla') + card('u-4', 'Uwe'));
});

t('create and rename through the page; share with bob, who sees it under "Other address books" with his own switch', async (ctx) => {
  const { page, srv } = ctx;
  await page.locator('#ab-create-form input[name="displayName"]').fill('Team');
  await page.locator('#ab-create-form button[type="submit"]').click();
  const row = page.locator('#ab-mine tbody tr[data-addressbook="team"]');
  await row.waitFor();
  await row.getByRole('button', { name: 'Rename Team' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('input').fill('Team mates');
  await dialog.locator('input').press('Enter');
  await row.locator('strong', { hasText: 'Team mates' }).waitFor();
  const form = row.locator('form.share-form');
  assert.is(await form.getAttribute('data-addressbook'), 'team');
  await form.locator('input[name="username"]').fill('bob');
  await form.locator('select[name="access"]').selectOption('read-write');
  await form.getByRole('button', { name: 'Share' }).click();
  await row.locator('.shares li', { hasText: 'bob (read and write)' }).waitFor();

  const bobContext = await ctx.browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const bob = await watchedPage(bobContext, ctx.problems);
    await logIn(bob, srv.url, 'bob');
    const other = bob.locator('#ab-others tbody tr[data-addressbook="team"]');
    await other.waitFor();
    assert.not.ok(await bob.locator('#ab-others-empty').isVisible());
    assert.match(await other.innerText(), /alice — read and write/);
    assert.is(await other.locator('form.share-form').count(), 0, 'a sharee cannot reshare');
    assert.is(await other.getByRole('button', { name: /^Rename/ }).count(), 0, 'nor rename');
    const sharedSwitch = bob.getByRole('switch', { name: 'Synchronization of Team mates (alice)', exact: true });
    await sharedSwitch.click();
    await bob.waitForFunction(() => document.querySelector('[role="switch"][data-addressbook="team"]')?.getAttribute('aria-checked') === 'false');
    assert.not.ok((await syncedBooks(srv, 'bob')).includes('team'));
    assert.not.ok((await davBooks(srv, 'bob')).includes('/dav/addressbooks/bob/team/'));
    assert.ok((await syncedBooks(srv, 'alice')).includes('team'), 'the owner\'s switch is theirs');
    // bob may import into a read-write share: it is in his picker.
    assert.ok((await bob.locator('#ab-import-form select option').allTextContents()).includes('Team mates (alice)'));
    await shot(bob, 'ab-03-bob-other-address-books');
  } finally {
    await bobContext.close();
  }
});

t('axe-core finds no serious or critical problem in the sections, at 1200 and 390 px, light and dark', async ({ page }) => {
  for (const [width, scheme] of [[1200, 'light'], [390, 'light'], [390, 'dark']] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.locator('#ab-mine tbody tr').first().waitFor();
    const problems = await axeProblems(page);
    assert.equal(problems, [], `${width} px ${scheme}:\n${describeAxe(problems)}`);
    // No sideways scrolling on a phone.
    if (width === 390) assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scroll at 390 px');
  }
  await page.locator('#addressbooks').scrollIntoViewIfNeeded();
  await shot(page, 'ab-04-phone-dark');
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
});

t('deleting: the confirmation names the cards; the address book goes', async ({ page }) => {
  const row = page.locator('#ab-mine tbody tr[data-addressbook="team"]');
  await row.getByRole('button', { name: 'Delete: Team mates' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Delete "Team mates" and its 0 cards for everyone\?/);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
});

t('no script or console errors on the way (the 401 of the visit before logging in apart)', ({ problems }) => {
  assert.equal(problems.filter((p) => !/status of 401/.test(p)), []);
});

t.run();
