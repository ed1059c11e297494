// The page's "Name and e-mail", "Calendars shared with groups" and (administrators) "Groups"
// sections in headless Chromium (issue 15): a user saves a name and addresses (checked over DAV:
// calendar-user-address-set of the principal), an administrator creates a group and sets its
// members, the owner shares a calendar with it (the member's home then holds it over DAV); no
// script errors, no serious axe violations. FAILS without /usr/bin/chromium, like the others.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { C, D, hrefsIn, prop, propfind } from '../helpers/dav.js';
import { launchChromium, logIn, shot, watchedPage } from '../helpers/chromium.js';
import { axeProblems, describeAxe } from './axe.js';
import { guardedBefore } from './setup.js';

interface Ctx {
  srv: TestServer;
  browser: Browser;
  problems: string[];
  setupError?: unknown;
}

const t = suite<Ctx>('people and groups on the page in Chromium');

guardedBefore(t, async (ctx) => {
  ctx.problems = [];
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('root', PASSWORD, true);
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  ctx.browser = await launchChromium();
});
t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

async function statusSays(page: Page, text: string): Promise<void> {
  await page.waitForFunction((x) => document.querySelector('#status')?.textContent === x, text, { timeout: 10_000 });
}

t('a user saves their name and e-mail addresses; DAV shows them', async ({ srv, browser, problems }) => {
  const context = await browser.newContext();
  const page = await watchedPage(context, problems);
  await logIn(page, srv.url, 'alice');
  const section = page.getByRole('region', { name: 'Name and e-mail' });
  await section.waitFor({ state: 'visible' });
  await section.getByLabel('Name', { exact: true }).fill('Alice Liddell');
  await section.getByLabel('E-mail addresses').fill('alice@example.org\n\nAL@Example.net\n');
  await section.getByRole('button', { name: 'Save' }).click();
  await statusSays(page, 'Name and e-mail saved');
  assert.is(await page.locator('#who-name').textContent(), 'Alice Liddell');
  const ms = await propfind(srv, 'bob', '/dav/principals/alice/', '0', [D('displayname'), C('calendar-user-address-set')]);
  assert.equal(hrefsIn(prop(ms.responses[0], C('calendar-user-address-set'))), ['mailto:alice@example.org', 'mailto:AL@Example.net', '/dav/principals/alice/']);
  // A bad address: the error is shown and nothing changes.
  await section.getByLabel('E-mail addresses').fill('not an address');
  await section.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() => document.querySelector('#status')?.classList.contains('error'));
  assert.equal(await srv.store.listUserAddresses((await srv.store.getUser('alice'))!.id), ['alice@example.org', 'AL@Example.net']);
  // Non-administrators have no Groups section.
  assert.is(await page.locator('#groups-view').isHidden(), true);
  const axe = await axeProblems(page);
  assert.equal(axe, [], describeAxe(axe));
  await shot(page, 'people-profile');
  await context.close();
});

t('an administrator creates a group and sets its members; the owner shares a calendar with it', async ({ srv, browser, problems }) => {
  const context = await browser.newContext();
  const page = await watchedPage(context, problems);
  await logIn(page, srv.url, 'root');
  const groups = page.getByRole('region', { name: 'Groups' });
  await groups.waitFor({ state: 'visible' });
  await groups.getByLabel('Group name').fill('team');
  await groups.getByLabel('Display name').fill('The Team');
  await groups.getByRole('button', { name: 'Add group' }).click();
  await statusSays(page, 'Group added');
  const members = groups.getByLabel('Members of The Team', { exact: true });
  await members.selectOption(['bob']);
  await groups.getByRole('button', { name: 'Save members of The Team' }).click();
  await statusSays(page, 'Members saved');
  assert.equal((await srv.store.listGroupMembers((await srv.store.getGroup('team'))!.id)).map((u) => u.username), ['bob']);
  const axe = await axeProblems(page);
  assert.equal(axe, [], describeAxe(axe));
  await shot(page, 'people-groups');
  await context.close();

  // Alice shares her calendar with the team from her page.
  const aliceContext = await browser.newContext();
  const alice = await watchedPage(aliceContext, problems);
  await logIn(alice, srv.url, 'alice');
  const form = alice.locator('#group-share-form');
  await form.waitFor({ state: 'visible' });
  await form.locator('select[name=group]').selectOption('team');
  await form.getByRole('button', { name: 'Share with the group' }).click();
  await statusSays(alice, 'Shared with the group');
  await alice.locator('#group-share-list li').first().waitFor();
  const home = await propfind(srv, 'bob', '/dav/calendars/bob/', '1', [D('displayname')]);
  assert.ok(home.responses.some((r) => r.href === '/dav/calendars/bob/personal-alice/'), 'bob\'s home lists alice\'s calendar');
  await alice.getByRole('button', { name: /^Stop sharing/ }).click();
  await statusSays(alice, 'No longer shared with the group');
  assert.equal(await srv.store.listGroupShares((await srv.store.getInstance((await srv.store.getUser('alice'))!.id, 'personal'))!.collection.id), []);
  await aliceContext.close();
});

t('no script errors; the only failed loads are the session probe before login (401) and the refused address (400)', ({ problems }) => {
  assert.equal(problems.filter((p) => !/status of (401|400)/.test(p)), []);
});

t.run();
