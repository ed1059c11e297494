// The Synchronization switch at DAV level, row by row as in SPEC "Per-calendar synchronization"
// (issue 5, items 2 and 8): with sync on a calendar is in the home's Depth 1 listing and in the
// home's sync-collection; switching it off (JSON API, the service the CLI uses, and the CLI
// itself) removes it from the listing, moves the home's getctag and sync token and shows up in the
// home's sync-collection as a 404; the calendar's own URL keeps answering (Thunderbird keeps it
// online); switching on brings it back as a changed member. The switch belongs to the pair (user,
// calendar): the owner's switch does not touch a sharee's. tsdav's fetchCalendars follows it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { DAVClient } from 'tsdav';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { C, CS, D, ctagOf, describe, ical, propfind, propText, putOk, putIcs, syncCollection, syncTokenOf, multigetBody, XML_HEADERS, parseMultistatus } from '../helpers/dav.js';
import { run } from '../helpers/cli.js';
import { setSync } from '../../src/services/calendars.js';
import { login, type WebSession } from '../web/session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
}

const HOME = '/dav/calendars/alice/';
const PERSONAL = '/dav/calendars/alice/personal/';
const WORK = '/dav/calendars/alice/work/';

/** Hrefs of the calendars the home's Depth 1 PROPFIND lists (the home itself left out). */
async function listed(srv: TestServer, user: string): Promise<string[]> {
  const home = `/dav/calendars/${user}/`;
  const ms = await propfind(srv, user, home, '1', [D('resourcetype'), D('displayname'), CS('getctag')]);
  return ms.responses.map((r) => r.href).filter((h) => h !== home);
}

interface HomeState {
  ctag: string;
  token: string;
}

async function homeState(srv: TestServer, user: string): Promise<HomeState> {
  const home = `/dav/calendars/${user}/`;
  const ms = await propfind(srv, user, home, '0', [CS('getctag'), D('sync-token')]);
  const ctag = propText(ms.responses[0], CS('getctag'));
  const token = propText(ms.responses[0], D('sync-token'));
  assert.ok(ctag, 'the home has a getctag');
  assert.ok(token, 'the home has a sync-token');
  return { ctag: ctag!, token: token! };
}

async function homeSync(srv: TestServer, user: string, token: string | null) {
  return syncCollection(srv, user, `/dav/calendars/${user}/`, token, { props: [D('displayname'), CS('getctag'), D('resourcetype')] });
}

const t = suite<Ctx>('synchronization switch (SPEC table)');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  ctx.alice = await login(ctx.srv, 'alice');
  const work = await ctx.alice.ok('POST', '/calendars', { displayName: 'Work', color: '#112233' });
  assert.is(work.uri, 'work');
  await putOk(ctx.srv, 'alice', `${PERSONAL}one.ics`, ical('one'));
  await putOk(ctx.srv, 'alice', `${WORK}w1.ics`, ical('w1'));
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('sync on: new calendars are listed in the home (Depth 1) and in the home sync-collection', async ({ srv, alice }) => {
  const hrefs = await listed(srv, 'alice');
  assert.ok(hrefs.includes(PERSONAL), `${PERSONAL} in ${hrefs}`);
  assert.ok(hrefs.includes(WORK), `${WORK} in ${hrefs}`);
  const initial = await homeSync(srv, 'alice', null);
  const got = initial.responses.map((r) => r.href);
  assert.ok(got.includes(PERSONAL) && got.includes(WORK), `initial home sync lists both: ${got}`);
  assert.ok(initial.syncToken, 'a token');
  const { mine } = await alice.ok('GET', '/calendars');
  assert.ok(mine.every((c: { sync: boolean }) => c.sync === true), 'new own calendars start with sync on');
});

t('a PATCH without the CSRF token changes nothing', async ({ srv, alice }) => {
  const before = await homeState(srv, 'alice');
  const res = await alice.call('PATCH', '/calendars/personal', { sync: false }, { csrf: null });
  assert.is(res.status, 403);
  assert.ok((await listed(srv, 'alice')).includes(PERSONAL));
  assert.equal(await homeState(srv, 'alice'), before);
});

t('off (JSON API): gone from Depth 1, home getctag and sync-token move, home sync reports a 404', async ({ srv, alice }) => {
  const before = await homeState(srv, 'alice');
  const patched = await alice.ok('PATCH', '/calendars/personal', { sync: false });
  assert.is(patched.sync, false);
  const hrefs = await listed(srv, 'alice');
  assert.not.ok(hrefs.includes(PERSONAL), `switched off but listed: ${hrefs}`);
  assert.ok(hrefs.includes(WORK), 'the other calendar stays');
  const after = await homeState(srv, 'alice');
  assert.is.not(after.ctag, before.ctag, 'home getctag changed');
  assert.is.not(after.token, before.token, 'home sync-token changed');
  const delta = await homeSync(srv, 'alice', before.token);
  const entry = delta.responses.find((r) => r.href === PERSONAL);
  assert.ok(entry, `the switched-off calendar in the home sync: ${delta.responses.map((r) => r.href)}`);
  assert.is(entry!.status, 404);
  assert.not.ok(delta.responses.some((r) => r.href === WORK), 'an unchanged calendar is not reported');
  assert.is(delta.syncToken, after.token);
  // The web app still shows it (SPEC table, first row).
  const { mine } = await alice.ok('GET', '/calendars');
  const p = mine.find((c: { uri: string }) => c.uri === 'personal');
  assert.ok(p, 'still in My calendars');
  assert.is(p.sync, false);
});

t('off: the calendar URL keeps answering — PROPFIND, GET, PUT, REPORT (Thunderbird keeps it online)', async ({ srv }) => {
  const ms = await propfind(srv, 'alice', PERSONAL, '0', [D('displayname'), CS('getctag'), D('current-user-privilege-set')]);
  assert.is(ms.responses[0]!.href, PERSONAL);
  assert.is(propText(ms.responses[0], D('displayname')), 'Personal');
  const d1 = await propfind(srv, 'alice', PERSONAL, '1', [D('getetag')]);
  assert.ok(d1.responses.some((r) => r.href === `${PERSONAL}one.ics`), 'Depth 1 lists its objects');
  const get = await srv.request('GET', `${PERSONAL}one.ics`, { user: 'alice' });
  assert.is(get.status, 200, describe('GET', `${PERSONAL}one.ics`, get));
  assert.match(get.text, /UID:one/);
  const put = await putIcs(srv, 'alice', `${PERSONAL}two.ics`, ical('two'));
  assert.is(put.status, 201, describe('PUT', `${PERSONAL}two.ics`, put));
  const over = await putIcs(srv, 'alice', `${PERSONAL}two.ics`, ical('two', { summary: 'changed' }));
  assert.is(over.status, 204);
  const sync = await syncCollection(srv, 'alice', PERSONAL, null);
  assert.equal(sync.responses.map((r) => r.href).sort(), [`${PERSONAL}one.ics`, `${PERSONAL}two.ics`]);
  const mg = await srv.request('REPORT', PERSONAL, { user: 'alice', headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody([`${PERSONAL}two.ics`]) });
  assert.is(mg.status, 207);
  const data = propText(parseMultistatus(mg.text).responses[0], C('calendar-data'));
  assert.match(data ?? '', /SUMMARY:changed/);
  // Still not offered to devices after those writes.
  assert.not.ok((await listed(srv, 'alice')).includes(PERSONAL));
});

t('off: writes in a switched-off calendar are not reported as a changed home member', async ({ srv }) => {
  const before = await homeState(srv, 'alice');
  await putOk(srv, 'alice', `${PERSONAL}three.ics`, ical('three'));
  const delta = await homeSync(srv, 'alice', before.token);
  const entry = delta.responses.find((r) => r.href === PERSONAL);
  assert.ok(!entry || entry.status === 404, `a switched-off calendar never comes back as a 200 member: ${JSON.stringify(entry?.status)}`);
});

t('on (JSON API): listed again, tokens move, home sync reports it as a changed member with its properties', async ({ srv, alice }) => {
  const before = await homeState(srv, 'alice');
  const patched = await alice.ok('PATCH', '/calendars/personal', { sync: true });
  assert.is(patched.sync, true);
  assert.ok((await listed(srv, 'alice')).includes(PERSONAL));
  const after = await homeState(srv, 'alice');
  assert.is.not(after.ctag, before.ctag);
  assert.is.not(after.token, before.token);
  const delta = await homeSync(srv, 'alice', before.token);
  const entry = delta.responses.find((r) => r.href === PERSONAL);
  assert.ok(entry, 'reported');
  assert.is(entry!.status, undefined, 'a member, not a 404');
  assert.is(propText(entry, D('displayname')), 'Personal');
  assert.ok(propText(entry, CS('getctag')), 'with its getctag');
});

t('switching to the state it already has is accepted and harmless', async ({ srv, alice }) => {
  const patched = await alice.ok('PATCH', '/calendars/personal', { sync: true });
  assert.is(patched.sync, true);
  assert.ok((await listed(srv, 'alice')).includes(PERSONAL));
  const bad = await alice.call('PATCH', '/calendars/personal', { sync: 'off' });
  assert.is(bad.status, 400, bad.text);
});

t('off and on through the service the CLI uses: the same DAV effects', async ({ srv }) => {
  const user = (await srv.store.getUser('alice'))!;
  const before = await homeState(srv, 'alice');
  const off = await setSync(srv.store, user, 'work', false);
  assert.is(off.syncEnabled, false);
  assert.not.ok((await listed(srv, 'alice')).includes(WORK));
  const mid = await homeState(srv, 'alice');
  assert.is.not(mid.token, before.token);
  assert.is.not(mid.ctag, before.ctag);
  const delta = await homeSync(srv, 'alice', before.token);
  assert.is(delta.responses.find((r) => r.href === WORK)?.status, 404);
  assert.is((await srv.request('GET', `${WORK}w1.ics`, { user: 'alice' })).status, 200);
  await setSync(srv.store, user, 'work', true);
  assert.ok((await listed(srv, 'alice')).includes(WORK));
  const back = await homeSync(srv, 'alice', mid.token);
  const entry = back.responses.find((r) => r.href === WORK);
  assert.ok(entry && entry.status === undefined, 'back as a member');
});

t('off and on with `sundial calendar sync` while the server runs', async ({ srv }) => {
  const before = await homeState(srv, 'alice');
  const env = srv.cliEnv; // the server's database, SQLite or PostgreSQL
  const off = await run(['calendar', 'sync', 'alice', 'work', 'off'], { env });
  assert.is(off.code, 0, off.stderr);
  assert.match(off.stdout, /work.*off/);
  assert.not.ok((await listed(srv, 'alice')).includes(WORK), 'the running server sees the CLI\'s switch');
  const mid = await homeState(srv, 'alice');
  assert.is.not(mid.token, before.token);
  assert.is((await homeSync(srv, 'alice', before.token)).responses.find((r) => r.href === WORK)?.status, 404);
  const on = await run(['calendar', 'sync', 'alice', 'work', 'on'], { env });
  assert.is(on.code, 0, on.stderr);
  assert.ok((await listed(srv, 'alice')).includes(WORK));
  assert.ok((await homeSync(srv, 'alice', mid.token)).responses.some((r) => r.href === WORK && r.status === undefined));
});

t('the owner switching off changes nothing for a sharee; the sharee\'s switch is their own', async ({ srv, alice }) => {
  await alice.ok('PUT', '/calendars/work/shares/bob', { access: 'read' });
  const bobWork = '/dav/calendars/bob/work/';
  assert.ok((await listed(srv, 'bob')).includes(bobWork), 'a new share starts with sync on');
  const bobBefore = await homeState(srv, 'bob');
  await alice.ok('PATCH', '/calendars/work', { sync: false });
  assert.not.ok((await listed(srv, 'alice')).includes(WORK));
  assert.ok((await listed(srv, 'bob')).includes(bobWork), 'still listed for bob');
  assert.equal(await homeState(srv, 'bob'), bobBefore, 'bob\'s home did not change');
  assert.is((await homeSync(srv, 'bob', bobBefore.token)).responses.length, 0, 'nothing to report to bob');

  const bob = await login(srv, 'bob');
  await bob.ok('PATCH', '/calendars/work', { sync: false });
  assert.not.ok((await listed(srv, 'bob')).includes(bobWork));
  assert.is((await homeSync(srv, 'bob', bobBefore.token)).responses.find((r) => r.href === bobWork)?.status, 404);
  // Alice switching back on does not switch bob's on either.
  await alice.ok('PATCH', '/calendars/work', { sync: true });
  assert.ok((await listed(srv, 'alice')).includes(WORK));
  assert.not.ok((await listed(srv, 'bob')).includes(bobWork));
  // bob's instance still answers at its URL.
  assert.is((await srv.request('GET', `${bobWork}w1.ics`, { user: 'bob' })).status, 200);
  const { others } = await bob.ok('GET', '/calendars');
  assert.equal(others.map((c: { uri: string; sync: boolean }) => [c.uri, c.sync]), [['work', false]]);
  await bob.ok('PATCH', '/calendars/work', { sync: true });
  assert.ok((await listed(srv, 'bob')).includes(bobWork));
});

t('tsdav: a switched-off calendar is gone from fetchCalendars and back when switched on', async ({ srv, alice }) => {
  const client = new DAVClient({ serverUrl: srv.url, credentials: { username: 'alice', password: PASSWORD }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  await client.login();
  const names = async () => (await client.fetchCalendars()).map((c) => new URL(c.url).pathname).sort();
  // tsdav's own sync-collection REPORT on the home, from a token: what changed, as tsdav reads it.
  const homeChanges = async (syncToken: string) => (await client.syncCollection({
    url: new URL(HOME, srv.url).href, props: { 'd:getetag': {}, 'd:displayname': {} }, syncLevel: 1, syncToken,
  })).filter((r) => r.href).map((r) => [decodeURIComponent(new URL(r.href!, srv.url).pathname), r.status]);
  assert.equal(await names(), [PERSONAL, WORK]);
  const ctagBefore = await ctagOf(srv, 'alice', HOME);
  const tokenOn = (await syncTokenOf(srv, 'alice', HOME))!;
  await alice.ok('PATCH', '/calendars/personal', { sync: false });
  assert.equal(await names(), [WORK]);
  assert.is.not(await ctagOf(srv, 'alice', HOME), ctagBefore);
  assert.equal(await homeChanges(tokenOn), [[PERSONAL, 404]], 'the home sync reports the calendar removed');
  const tokenOff = (await syncTokenOf(srv, 'alice', HOME))!;
  // A client that kept the URL (Thunderbird) still reads it through tsdav.
  const objects = await client.fetchCalendarObjects({ calendar: { url: new URL(PERSONAL, srv.url).href } });
  assert.ok(objects.some((o) => /UID:one/.test(String(o.data))), 'objects still readable by URL');
  await alice.ok('PATCH', '/calendars/personal', { sync: true });
  assert.equal(await names(), [PERSONAL, WORK]);
  const back = await homeChanges(tokenOff);
  assert.is(back.length, 1, JSON.stringify(back));
  assert.is(back[0]![0], PERSONAL, 'the home sync reports the calendar added');
  assert.is.not(back[0]![1], 404);
});

t.run();
