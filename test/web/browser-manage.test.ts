// Managing calendars and accounts from the preferences page in a real browser: headless Chromium
// (Debian's `chromium`, driven by playwright-core) against a running Sundial. Every change is made
// with clicks and the keyboard on the page (the page's own modal dialogs answered
// with the keyboard or their buttons), and its effect is checked twice: in the page, and at the DAV level
// (PROPFIND of the user's calendar home with Basic credentials, not through the page's session).
//
// Covered: renaming (DAV displayname), recolouring (Apple calendar-color), deleting an own
// calendar (cancelled, done, and refused for the last one), changing one's own password (wrong
// current password refused; afterwards the old password gets 401 on DAV and the new one works),
// and the administrator's "Users" section (list, add, reset a password, delete a user), which a
// non-administrator does not get. Screenshots go to test-output/screenshots/1x-*.png.
//
// Like browser.test.ts, this test FAILS without /usr/bin/chromium, and setup errors are kept and
// re-thrown by every test, because uvu swallows an error thrown in a before hook.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { D, ICAL, XML_HEADERS, getProp, parseMultistatus, propText, propfindBody } from '../helpers/dav.js';
import { CHROMIUM, MISSING, launchChromium, logIn, shot, watchedPage } from '../helpers/chromium.js';
import { guardedBefore } from './setup.js';

const CAROL_NEW = 'carol new password 1';
const ERIN_FIRST = 'erin first password 3';

interface Ctx {
  srv: TestServer;
  browser: Browser;
  carolContext: BrowserContext;
  page: Page;
  admin?: Page;
  problems: string[];
  carolReset?: string;
  erinReset?: string;
  setupError?: unknown;
}

const t = suite<Ctx>('managing calendars and users from the page in Chromium');



/** Waits until the status line says `text` (exactly), and checks whether it is shown as an error. */
async function statusSays(page: Page, text: string, error: boolean): Promise<void> {
  const status = page.getByRole('status');
  try {
    await page.waitForFunction((t) => document.querySelector('#status')?.textContent === t, text, { timeout: 10_000 });
  } catch {
    assert.unreachable(`status line should say "${text}", it says "${await status.textContent()}"`);
  }
  assert.is(await status.evaluate((el) => el.classList.contains('error')), error, `"${text}" shown ${error ? '' : 'not '}as an error`);
}

/**
 * Runs `action`, which must open exactly one of the page's own dialogs (a modal <dialog>, role
 * "dialog", named by its title; window.prompt/confirm are no longer used, and any native dialog
 * fails the test): `type` "prompt" has one text field, which gets `answer` and is submitted with
 * Enter (the keyboard path); "confirm" is accepted (true) or cancelled (false) with its buttons.
 * Returns the field's label (prompt) or the question (confirm). Focus goes back to the opener.
 */
async function withDialog(page: Page, type: 'prompt' | 'confirm', answer: string | boolean, action: () => Promise<void>): Promise<string> {
  const native: string[] = [];
  const handler = (d: Dialog): void => { native.push(d.type()); void d.dismiss(); };
  page.on('dialog', handler);
  try {
    await action();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.is(await dialog.count(), 1, `one ${type} dialog`);
    assert.ok(await dialog.evaluate((el) => el instanceof HTMLDialogElement && el.open && el.matches(':modal')), 'a modal <dialog>');
    let message: string;
    if (type === 'prompt') {
      const input = dialog.locator('input');
      assert.is(await input.count(), 1);
      assert.ok(await input.evaluate((el) => el === document.activeElement), 'the field has the focus');
      message = await dialog.locator('label span').first().innerText();
      if (typeof answer === 'string') {
        await input.fill(answer);
        await input.press('Enter');
      } else {
        await page.keyboard.press('Escape');
      }
    } else {
      message = await dialog.locator('.dialog-body').innerText();
      await dialog.getByRole('button', { name: answer === false ? 'Cancel' : undefined }).last().click();
    }
    await dialog.waitFor({ state: 'detached' });
    return message;
  } finally {
    page.off('dialog', handler);
    assert.equal(native, [], 'no window.prompt/confirm');
  }
}

/** Status of a Depth 0 PROPFIND of `user`'s calendar home with these Basic credentials. */
async function davStatus(srv: TestServer, user: string, password: string): Promise<number> {
  const res = await srv.request('PROPFIND', `/dav/calendars/${encodeURIComponent(user)}/`, { user, password, headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody([D('displayname')]) });
  return res.status;
}

/** The calendars in `user`'s DAV home (Depth 1), as href → displayname. */
async function davHome(srv: TestServer, user: string, password = PASSWORD): Promise<Map<string, string | undefined>> {
  const home = `/dav/calendars/${user}/`;
  const res = await srv.request('PROPFIND', home, { user, password, headers: { Depth: '1', ...XML_HEADERS }, body: propfindBody([D('displayname')]) });
  if (res.status !== 207) throw new Error(`PROPFIND ${home} as ${user} → ${res.status}`);
  const out = new Map<string, string | undefined>();
  for (const r of parseMultistatus(res.text).responses) if (r.href !== home) out.set(r.href, propText(r, D('displayname')));
  return out;
}

const mineRow = (page: Page, uri: string) => page.locator(`#mine tbody tr[data-calendar="${uri}"]`);

t('Chromium is installed at /usr/bin/chromium', () => {
  if (!fs.existsSync(CHROMIUM)) assert.unreachable(MISSING);
});

guardedBefore(t, async (ctx) => {
  ctx.problems = [];
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('carol');
  await ctx.srv.addUser('root', PASSWORD, true);
  ctx.browser = await launchChromium();
  ctx.carolContext = await ctx.browser.newContext({ viewport: { width: 1200, height: 900 } });
  ctx.page = await watchedPage(ctx.carolContext, ctx.problems);
  await logIn(ctx.page, ctx.srv.url, 'carol');
  await mineRow(ctx.page, 'personal').waitFor();
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

// --- 1. rename ------------------------------------------------------------------------------------

t('rename with the keyboard: the prompt is answered, the row and DAV displayname follow; a cancelled prompt changes nothing', async ({ page, srv }) => {
  const href = '/dav/calendars/carol/personal/';
  assert.is(await getProp(srv, 'carol', href, D('displayname')), 'Personal');
  const rename = page.getByRole('button', { name: 'Rename Personal', exact: true });
  assert.is(await rename.count(), 1, 'one button named "Rename Personal"');

  // Cancelled: nothing is sent.
  await withDialog(page, 'prompt', false, () => rename.click());
  assert.is(await getProp(srv, 'carol', href, D('displayname')), 'Personal');

  await rename.focus();
  const message = await withDialog(page, 'prompt', 'Family & friends', () => page.keyboard.press('Enter'));
  assert.is(message, 'New name');
  await statusSays(page, 'Renamed', false);
  assert.is(await mineRow(page, 'personal').locator('strong').innerText(), 'Family & friends');
  assert.is(await getProp(srv, 'carol', href, D('displayname')), 'Family & friends');
  // The row's other controls carry the new name too.
  assert.is(await page.getByRole('switch', { name: 'Synchronization of Family & friends', exact: true }).count(), 1);
  assert.is(await page.getByRole('button', { name: 'Rename Family & friends', exact: true }).count(), 1);
  await shot(page, '10-rename');
});

// --- 2. recolour ------------------------------------------------------------------------------------

t('recolour through the colour control: DAV calendar-color and the swatch follow', async ({ page, srv }) => {
  const href = '/dav/calendars/carol/personal/';
  const before = await getProp(srv, 'carol', href, ICAL('calendar-color'));
  assert.is.not(before?.toLowerCase(), '#e11d48');
  const colour = page.getByLabel('Colour of Family & friends', { exact: true });
  assert.is(await colour.getAttribute('type'), 'color');
  // A native colour picker cannot be driven; fill() sets the value and fires input and change as the picker does.
  await colour.fill('#e11d48');
  await statusSays(page, 'Colour changed', false);
  assert.is((await getProp(srv, 'carol', href, ICAL('calendar-color')))?.toLowerCase(), '#e11d48');
  const swatch = mineRow(page, 'personal').locator('.swatch');
  assert.is(await swatch.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(225, 29, 72)');
  assert.is(await page.getByLabel('Colour of Family & friends', { exact: true }).inputValue(), '#e11d48', 'the re-rendered control keeps it');
  await shot(page, '11-recolour');
});

// --- 3. delete ------------------------------------------------------------------------------------

t('delete an own calendar: cancelling keeps it; confirming removes the row and the DAV collection', async ({ page, srv }) => {
  const region = page.getByRole('region', { name: 'My calendars' });
  await region.getByLabel('New calendar').fill('Scratch');
  await region.getByRole('button', { name: 'Create', exact: true }).click();
  await statusSays(page, 'Calendar created', false);
  const del = page.getByRole('button', { name: 'Delete: Scratch', exact: true });
  await del.waitFor();
  const row = page.locator('#mine tbody tr', { has: del });
  const uri = (await row.getAttribute('data-calendar'))!;
  assert.ok(uri, 'the row names its calendar');
  const href = `/dav/calendars/carol/${uri}/`;
  assert.is((await davHome(srv, 'carol')).get(href), 'Scratch', 'created and listed on DAV');

  const question = await withDialog(page, 'confirm', false, () => del.click());
  assert.is(question, 'Delete "Scratch" and its 0 entries for everyone?');
  assert.is(await mineRow(page, uri).count(), 1, 'cancelled: still there');
  assert.ok((await davHome(srv, 'carol')).has(href), 'cancelled: still on DAV');

  await withDialog(page, 'confirm', true, () => del.click());
  await statusSays(page, 'Calendar deleted', false);
  assert.is(await mineRow(page, uri).count(), 0, 'row gone');
  const home = await davHome(srv, 'carol');
  assert.not.ok(home.has(href), `gone from the DAV home: ${[...home.keys()]}`);
  assert.equal([...home.keys()], ['/dav/calendars/carol/personal/'], 'the other calendar stays');
  assert.is((await srv.request('PROPFIND', href, { user: 'carol', headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody([D('displayname')]) })).status, 404);
  await shot(page, '12-delete');
});

t('deleting the last own calendar is refused with a visible message; it stays on the page and on DAV', async ({ page, srv }) => {
  assert.is(await page.locator('#mine tbody tr').count(), 1);
  const del = page.getByRole('button', { name: 'Delete: Family & friends', exact: true });
  await withDialog(page, 'confirm', true, () => del.click());
  await statusSays(page, 'you cannot delete your last calendar', true);
  assert.ok(await page.getByRole('status').isVisible());
  assert.is(await mineRow(page, 'personal').count(), 1);
  await page.reload();
  await mineRow(page, 'personal').waitFor();
  assert.equal([...(await davHome(srv, 'carol')).keys()], ['/dav/calendars/carol/personal/']);
  // The message was replaced by the reload; take the screenshot with it shown again.
  await withDialog(page, 'confirm', true, () => page.getByRole('button', { name: 'Delete: Family & friends', exact: true }).click());
  await statusSays(page, 'you cannot delete your last calendar', true);
  await shot(page, '13-delete-last-refused');
});

// --- 4. own password --------------------------------------------------------------------------------

t('change password: a wrong current password is refused and changes nothing', async ({ page, srv }) => {
  const region = page.getByRole('region', { name: 'Change password' });
  await region.getByLabel('Current password').fill('not my password');
  await region.getByLabel('New password').fill(CAROL_NEW);
  await region.getByRole('button', { name: 'Change password' }).click();
  await statusSays(page, 'the current password is wrong', true);
  assert.is(await davStatus(srv, 'carol', PASSWORD), 207, 'old password still works');
  assert.is(await davStatus(srv, 'carol', CAROL_NEW), 401, 'new password not set');
  await shot(page, '14-password-wrong-current');
});

t('change password: afterwards the old password gets 401 on DAV, the new one works, and so does the login form', async ({ page, srv }) => {
  const region = page.getByRole('region', { name: 'Change password' });
  await region.getByLabel('Current password').fill(PASSWORD);
  await region.getByLabel('New password').fill(CAROL_NEW);
  await region.getByLabel('New password').press('Enter');
  await statusSays(page, 'Password changed', false);
  assert.is(await region.getByLabel('Current password').inputValue(), '', 'the form is cleared');
  assert.is(await davStatus(srv, 'carol', PASSWORD), 401);
  assert.is(await davStatus(srv, 'carol', CAROL_NEW), 207);
  await shot(page, '15-password-changed');

  // This session stays; a new login needs the new password.
  await page.reload();
  await page.locator('#app-view').waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('#login-form').waitFor({ state: 'visible' });
  const login = page.getByRole('region', { name: 'Log in' });
  await login.getByLabel('User name').fill('carol');
  await login.getByLabel('Password').fill(PASSWORD);
  await login.getByRole('button', { name: 'Log in' }).click();
  await statusSays(page, 'wrong user name or password', true);
  await logIn(page, srv.url, 'carol', CAROL_NEW);
  await mineRow(page, 'personal').waitFor();
});

// --- 5. administration --------------------------------------------------------------------------------

t('an administrator sees the Users section listing every user', async (ctx) => {
  const { srv } = ctx;
  const adminContext = await ctx.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const admin = ctx.admin = await watchedPage(adminContext, ctx.problems);
  await logIn(admin, srv.url, 'root');
  const users = admin.getByRole('region', { name: 'Users' });
  await users.waitFor({ state: 'visible' });
  await users.locator('tbody tr').first().waitFor();
  const rows = await users.locator('tbody tr').allInnerTexts();
  assert.is(rows.length, 2, rows.join(' | '));
  assert.ok(rows.some((r) => /^root\s+administrator/.test(r)), rows.join(' | '));
  assert.ok(rows.some((r) => /^carol\s+user/.test(r)), rows.join(' | '));
  assert.is(await users.getByRole('button', { name: 'Delete user carol', exact: true }).count(), 1);
  assert.is(await users.getByRole('button', { name: 'Delete user root', exact: true }).count(), 0, 'no deleting oneself');
  assert.is(await users.getByRole('button', { name: 'Reset password of root', exact: true }).count(), 1);
  await shot(admin, '16-admin-users');
});

t('the administrator adds a user through the form; the new user authenticates on DAV and has a calendar', async ({ admin, srv }) => {
  assert.ok(admin, 'admin page from the previous test');
  assert.is(await davStatus(srv, 'erin', ERIN_FIRST), 401, 'no erin yet');
  const form = admin.locator('#user-form');
  await form.getByLabel('User name').fill('erin');
  await form.getByLabel('Password').fill(ERIN_FIRST);
  assert.not.ok(await form.getByLabel('Administrator').isChecked());
  await form.getByRole('button', { name: 'Add user' }).click();
  await statusSays(admin, 'User erin added', false);
  const row = admin.getByRole('region', { name: 'Users' }).locator('tbody tr', { hasText: 'erin' });
  await row.waitFor();
  assert.match(await row.innerText(), /^erin\s+user/);
  assert.is(await davStatus(srv, 'erin', ERIN_FIRST), 207);
  assert.ok((await davHome(srv, 'erin', ERIN_FIRST)).has('/dav/calendars/erin/personal/'));
  await shot(admin, '17-admin-user-added');
});

t('the administrator resets a password: a generated one is shown once, works on DAV, the old one gets 401, and the user\'s web session ends', async (ctx) => {
  const { admin, page, srv } = ctx;
  assert.ok(admin);
  for (const [user, old] of [['erin', ERIN_FIRST], ['carol', CAROL_NEW]] as const) {
    const button = admin.getByRole('button', { name: `Reset password of ${user}`, exact: true });
    const question = await withDialog(admin, 'confirm', true, () => button.click());
    assert.match(question, new RegExp(`new password for ${user}`));
    const shown = admin.getByRole('dialog', { name: `New password of ${user}` });
    await shown.waitFor();
    const next = (await shown.locator('#generated-password').innerText()).trim();
    assert.match(next, /^[A-Za-z2-9]{16}$/, `a generated password: ${next}`);
    await shown.getByRole('button', { name: 'Close' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.is(await admin.locator('#generated-password').count(), 0, 'shown once: gone from the page');
    await statusSays(admin, `Password of ${user} reset`, false);
    assert.is(await davStatus(srv, user, old), 401, `${user}: old password refused`);
    assert.is(await davStatus(srv, user, next), 207, `${user}: new password works`);
    if (user === 'carol') ctx.carolReset = next;
    else ctx.erinReset = next;
  }
  await shot(admin, '18-admin-password-reset');
  // carol was logged in: her next change is refused and the page asks her to log in again.
  await page.getByRole('switch', { name: 'Synchronization of Family & friends', exact: true }).click();
  await statusSays(page, 'Your session has ended; please log in again.', true);
  assert.ok(await page.locator('#login-form').isVisible());
  assert.is(await page.locator('[role="switch"][data-calendar="personal"]').getAttribute('aria-checked'), 'true', 'nothing changed');
});

t('the administrator deletes a user: the row goes and their DAV home no longer answers them', async (ctx) => {
  const { admin, srv } = ctx;
  assert.ok(admin);
  const users = admin.getByRole('region', { name: 'Users' });
  const question = await withDialog(admin, 'confirm', true, () => users.getByRole('button', { name: 'Delete user erin', exact: true }).click());
  assert.is(question, 'Delete erin and all their calendars?');
  await statusSays(admin, 'erin deleted', false);
  assert.is(await users.locator('tbody tr', { hasText: 'erin' }).count(), 0);
  assert.is(await users.locator('tbody tr').count(), 2);
  const status = await davStatus(srv, 'erin', ctx.erinReset!);
  assert.ok(status === 401 || status === 404, `erin's DAV home → ${status}`);
  await shot(admin, '19-admin-user-deleted');
});

t('a non-administrator does not get the Users section, and the users API refuses them', async (ctx) => {
  const { page, srv } = ctx;
  await logIn(page, srv.url, 'carol', ctx.carolReset!);
  await mineRow(page, 'personal').waitFor();
  assert.is(await page.getByRole('region', { name: 'Users' }).count(), 0);
  assert.not.ok(await page.locator('#admin-view').isVisible());
  assert.is(await page.getByRole('button', { name: 'Add user' }).count(), 0);
  assert.is(await page.evaluate(async () => (await fetch('/api/users', { credentials: 'same-origin' })).status), 403);
  await shot(page, '20-not-admin');
});

t('no script errors on the way (only the refused requests the browser reports itself)', async (ctx) => {
  // 401: the wrong login and carol's ended session; 403: the last calendar, the wrong current password, /api/users.
  const unexpected = ctx.problems.filter((p) => !/status of (401|403)/.test(p));
  assert.equal(unexpected, []);
});

t.run();
