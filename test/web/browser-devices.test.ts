// The page's "Devices" in headless Chromium (issue 16): create a device with clicks, read its app
// password, QR code and profile download from the show-once dialog, choose its calendars and
// address books in the page's dialog, and see the DAV listings made with that device's password change; revoke it from
// the page and see DAV answer 401. Like the other browser tests this FAILS without
// /usr/bin/chromium. Screenshots: test-output/screenshots/devices-*.png.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, XML_HEADERS, parseMultistatus, propfindBody } from '../helpers/dav.js';
import { launchChromium, logIn, shot, watchedPage } from '../helpers/chromium.js';
import { guardedBefore } from './setup.js';
import { login } from './session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  browser: Browser;
  page: Page;
  problems: string[];
  password?: string;
}

const HOME = '/dav/calendars/alice/';
const AB_HOME = '/dav/addressbooks/alice/';

async function listed(srv: TestServer, password: string, home = HOME): Promise<string[] | number> {
  const res = await srv.request('PROPFIND', home, { user: 'alice', password, headers: { ...XML_HEADERS, Depth: '1' }, body: propfindBody([D('resourcetype')]) });
  if (res.status !== 207) return res.status;
  return parseMultistatus(res.text).responses.map((r) => r.href).filter((h) => h !== home).sort();
}

const t = suite<Ctx>('devices in the page (Chromium)');

guardedBefore(t, async (ctx) => {
  ctx.problems = [];
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  const alice = await login(ctx.srv, 'alice');
  for (const name of ['Work', 'Family']) await alice.ok('POST', '/calendars', { displayName: name });
  await alice.ok('POST', '/addressbooks', { displayName: 'Team' });
  ctx.browser = await launchChromium();
  const context = await ctx.browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  ctx.page = await watchedPage(context, ctx.problems);
  await logIn(ctx.page, ctx.srv.url, 'alice');
  await ctx.page.getByRole('heading', { name: 'Devices' }).waitFor();
});
t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

t('add a device: the show-once dialog has the password, server, user name, a DAVx5 QR code and the profile', async (ctx) => {
  const { page, srv } = ctx;
  const section = page.locator('#devices-view');
  await section.getByLabel('Device name').fill('Phone');
  await section.getByRole('button', { name: 'Add device' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect "Phone"' });
  await dialog.waitFor();
  ctx.password = (await dialog.locator('#device-password').innerText()).trim();
  assert.match(ctx.password, /^[a-z2-7]{4}(-[a-z2-7]{1,4}){12}$/);
  assert.match(await dialog.innerText(), /alice/);
  const server = await dialog.getByRole('textbox', { name: /Server/ }).inputValue();
  assert.is(server, `${srv.url}/`);
  const qr = dialog.getByRole('img', { name: /QR code for DAVx/ });
  assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml;base64,/);
  assert.ok(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), 'the QR image renders');
  // The profile with the password in it, downloaded from the dialog.
  await dialog.getByLabel('Put the password in the profile').check();
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download the configuration profile' }).click()]);
  const profile = fs.readFileSync((await download.path())!, 'utf8');
  assert.match(profile, /<key>CalDAVPassword<\/key><string>[a-z2-7-]+<\/string>/);
  assert.ok(profile.includes(ctx.password), 'the profile holds this device\'s password');
  assert.match(profile, /Sundial \(alice, Phone\)/);
  await shot(page, 'devices-once');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.not.ok((await page.content()).includes(ctx.password), 'the password is gone from the page once closed');
  const row = section.locator('tr[data-device]');
  assert.is(await row.count(), 1);
  assert.match(await row.innerText(), /Phone[\s\S]*Calendars and address books with synchronization on/);
  assert.equal(await listed(srv, ctx.password), [`${HOME}family/`, `${HOME}personal/`, `${HOME}work/`]);
});

t("pick the device's calendars and address books in the page: the DAV listings with its password change", async ({ page, srv, password }) => {
  assert.ok(password, 'the first test created the device');
  const section = page.locator('#devices-view');
  await section.getByRole('button', { name: 'Choose what Phone synchronizes' }).click();
  const dialog = page.getByRole('dialog', { name: 'What "Phone" synchronizes' });
  await dialog.waitFor();
  await dialog.getByLabel('Only the calendars and address books chosen here').check();
  await dialog.getByRole('checkbox', { name: 'Personal' }).uncheck();
  await dialog.getByRole('checkbox', { name: 'Work' }).uncheck();
  const books = dialog.getByRole('group', { name: 'Address books for this device' });
  assert.ok(await books.getByRole('checkbox', { name: 'Contacts' }).isChecked(), 'ticked as the switches list it');
  await books.getByRole('checkbox', { name: 'Contacts' }).uncheck();
  assert.ok(await books.getByRole('checkbox', { name: 'Team' }).isChecked());
  await shot(page, 'devices-choose');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => /Family/.test(document.querySelector('#devices tbody tr td:nth-child(2)')?.textContent ?? '') && !/Work/.test(document.querySelector('#devices tbody tr td:nth-child(2)')?.textContent ?? ''));
  assert.equal(await listed(srv, password!), [`${HOME}family/`]);
  assert.equal(await listed(srv, password!, AB_HOME), [`${AB_HOME}team/`]);
  assert.match(await section.locator('tr[data-device] td:nth-child(2)').innerText(), /^Calendars: Family · Address books: Team$/);
  assert.equal(await listed(srv, 'correct horse battery'), [`${HOME}family/`, `${HOME}personal/`, `${HOME}work/`], 'the account password still follows the switches');
  assert.equal(await listed(srv, 'correct horse battery', AB_HOME), [`${AB_HOME}contacts/`, `${AB_HOME}team/`]);
  // Back to following the switches.
  await section.getByRole('button', { name: 'Choose what Phone synchronizes' }).click();
  const again = page.getByRole('dialog', { name: 'What "Phone" synchronizes' });
  assert.not.ok(await again.getByRole('group', { name: 'Address books for this device' }).getByRole('checkbox', { name: 'Contacts' }).isChecked(), 'the dialog shows its own selection');
  await again.getByLabel('The calendars and address books whose Synchronization is on').check();
  await again.getByRole('button', { name: 'Save' }).click();
  await again.waitFor({ state: 'detached' });
  await page.waitForFunction(() => /Calendars and address books with synchronization on/.test(document.querySelector('#devices tbody tr')?.textContent ?? ''));
  assert.equal(await listed(srv, password!), [`${HOME}family/`, `${HOME}personal/`, `${HOME}work/`]);
  assert.equal(await listed(srv, password!, AB_HOME), [`${AB_HOME}contacts/`, `${AB_HOME}team/`]);
});

t('revoke from the page: DAV with its password answers 401', async ({ page, srv, password }) => {
  const section = page.locator('#devices-view');
  await section.getByRole('button', { name: 'Revoke Phone' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke device' });
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#devices tbody tr').length === 0);
  assert.is(await listed(srv, password!), 401);
});

t('no script or console errors', ({ problems }) => {
  // The page's first GET /api/me before login answers 401 (the browser logs it), as in browser.test.ts.
  assert.equal(problems.filter((p) => !/status of 401/.test(p)), []);
});

t.run();
