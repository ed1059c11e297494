// tsdav (npm), a real CalDAV client library, against a running Sundial: discovery through
// /.well-known/caldav, listing and creating calendars, creating, reading, updating (with If-Match,
// and a stale ETag refused with 412) and deleting events, and WebDAV-sync (smartCollectionSync)
// picking up changes made by another client (issue 3, item 9; CLIENTS.md §4).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DAVClient, type DAVCalendar, type DAVCalendarObject } from 'tsdav';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { ical, putOk } from '../helpers/dav.js';

interface Ctx {
  srv: TestServer;
  client: DAVClient;
  loginError?: unknown;
  personal?: DAVCalendar;
}

const t = suite<Ctx>('tsdav');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.client = new DAVClient({
    serverUrl: ctx.srv.url,
    credentials: { username: 'alice', password: PASSWORD },
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
  });
  try {
    await ctx.client.login();
  } catch (err) {
    // Discovery is asserted in its own test below. So that one discovery bug does not hide
    // everything else tsdav exercises, the remaining tests then run with the account filled in
    // by hand (login() has already set the Basic credentials before discovery failed).
    ctx.loginError = err;
    ctx.client.account = {
      accountType: 'caldav', serverUrl: ctx.srv.url, credentials: { username: 'alice', password: PASSWORD },
      rootUrl: new URL('/dav/', ctx.srv.url).href,
      principalUrl: new URL('/dav/principals/alice/', ctx.srv.url).href,
      homeUrl: new URL('/dav/calendars/alice/', ctx.srv.url).href,
    };
  }
});
t.after(async (ctx) => { await ctx.srv.close(); });

const pathOf = (url: string | undefined) => (url ? new URL(url).pathname : undefined);

async function personalOf(ctx: Ctx): Promise<DAVCalendar> {
  const cals = await ctx.client.fetchCalendars();
  const personal = cals.find((c) => c.displayName === 'Personal');
  assert.ok(personal, `Personal in ${JSON.stringify(cals.map((c) => c.displayName))}`);
  return personal!;
}

t('login discovers the root, principal and home URLs', async ({ client, loginError }) => {
  assert.is(loginError, undefined, `login() failed: ${String(loginError)}`);
  const account = client.account;
  assert.ok(account, 'an account after login');
  assert.is(pathOf(account!.principalUrl), '/dav/principals/alice/');
  assert.is(pathOf(account!.homeUrl), '/dav/calendars/alice/');
  // tsdav keeps the URL the well-known redirect led to as the root.
  assert.is(pathOf(account!.rootUrl), '/dav/');
});

t('fetchCalendars lists "Personal" with a sync token, ctag and sync-collection support', async (ctx) => {
  const personal = await personalOf(ctx);
  assert.is(pathOf(personal.url), '/dav/calendars/alice/personal/');
  assert.ok(personal.syncToken, 'syncToken');
  assert.ok(personal.ctag, 'ctag');
  assert.ok(personal.components?.includes('VEVENT'), `components ${JSON.stringify(personal.components)}`);
  assert.ok(personal.reports?.includes('syncCollection'), `reports ${JSON.stringify(personal.reports)}`);
  ctx.personal = personal;
});

t('makeCalendar creates a calendar that fetchCalendars then lists', async ({ client, srv }) => {
  const url = new URL('/dav/calendars/alice/work/', srv.url).href;
  const res = await client.makeCalendar({ url, props: { displayname: 'Work', 'c:calendar-description': 'Work things' } });
  assert.ok(res.every((r) => r.ok), JSON.stringify(res.map((r) => [r.status, r.statusText])));
  const cals = await client.fetchCalendars();
  const work = cals.find((c) => pathOf(c.url) === '/dav/calendars/alice/work/');
  assert.ok(work, `work in ${JSON.stringify(cals.map((c) => c.url))}`);
  assert.is(work!.displayName, 'Work');
  assert.is(work!.description, 'Work things');
});

t('createCalendarObject, then fetchCalendarObjects (no time range) returns it byte for byte', async (ctx) => {
  const personal = ctx.personal ?? (await personalOf(ctx));
  const data = ical('tsdav-1@sundial.test', { summary: 'Created by tsdav' });
  const res = await ctx.client.createCalendarObject({ calendar: personal, filename: 'tsdav-1.ics', iCalString: data });
  assert.is(res.status, 201);
  const objects = await ctx.client.fetchCalendarObjects({ calendar: personal });
  const obj = objects.find((o) => pathOf(o.url) === '/dav/calendars/alice/personal/tsdav-1.ics');
  assert.ok(obj, `tsdav-1.ics in ${JSON.stringify(objects.map((o) => o.url))}`);
  // tsdav's XML reader trims text content, so the trailing CRLF is compared on the raw GET.
  assert.is(String(obj!.data).trim(), data.trim());
  assert.is(obj!.etag, res.headers.get('etag'));
  const raw = await ctx.srv.request('GET', '/dav/calendars/alice/personal/tsdav-1.ics', { user: 'alice' });
  assert.is(raw.text, data, 'GET returns the object byte for byte');
  assert.is(raw.headers.get('etag'), res.headers.get('etag'));
});

t('updateCalendarObject with the current ETag succeeds; with a stale ETag it fails with 412', async (ctx) => {
  const personal = ctx.personal ?? (await personalOf(ctx));
  const [obj] = await ctx.client.fetchCalendarObjects({ calendar: personal, objectUrls: [new URL('/dav/calendars/alice/personal/tsdav-1.ics', ctx.srv.url).href] });
  assert.ok(obj?.etag);
  const stale: DAVCalendarObject = { ...obj! };
  const updated = ical('tsdav-1@sundial.test', { summary: 'Updated by tsdav' });
  const ok = await ctx.client.updateCalendarObject({ calendarObject: { ...obj!, data: updated } });
  assert.ok(ok.status === 204 || ok.status === 200, `status ${ok.status}`);
  const newEtag = ok.headers.get('etag');
  assert.ok(newEtag && newEtag !== obj!.etag, 'the ETag changes with the write');

  const lost = await ctx.client.updateCalendarObject({ calendarObject: { ...stale, data: ical('tsdav-1@sundial.test', { summary: 'Lost update' }) } });
  assert.is(lost.status, 412);
  const [now] = await ctx.client.fetchCalendarObjects({ calendar: personal, objectUrls: [obj!.url] });
  assert.is(String(now?.data).trim(), updated.trim(), 'the lost update did not overwrite');
  assert.is(now?.etag, newEtag);
});

t('deleteCalendarObject removes the object', async (ctx) => {
  const personal = ctx.personal ?? (await personalOf(ctx));
  const data = ical('tsdav-del@sundial.test');
  await ctx.client.createCalendarObject({ calendar: personal, filename: 'tsdav-del.ics', iCalString: data });
  const [obj] = await ctx.client.fetchCalendarObjects({ calendar: personal, objectUrls: [new URL('/dav/calendars/alice/personal/tsdav-del.ics', ctx.srv.url).href] });
  assert.ok(obj?.etag);
  const res = await ctx.client.deleteCalendarObject({ calendarObject: obj! });
  assert.is(res.status, 204);
  const objects = await ctx.client.fetchCalendarObjects({ calendar: personal });
  assert.not.ok(objects.some((o) => pathOf(o.url) === '/dav/calendars/alice/personal/tsdav-del.ics'));
  assert.is((await ctx.srv.request('GET', '/dav/calendars/alice/personal/tsdav-del.ics', { user: 'alice' })).status, 404);
});

t('smartCollectionSync (WebDAV sync) reports remote creations, updates and deletions exactly', async (ctx) => {
  const { client, srv } = ctx;
  const url = new URL('/dav/calendars/alice/synced/', srv.url).href;
  await client.makeCalendar({ url, props: { displayname: 'Synced' } });
  const base = '/dav/calendars/alice/synced/';
  await putOk(srv, 'alice', base + 'keep.ics', ical('keep@sundial.test'));
  await putOk(srv, 'alice', base + 'change.ics', ical('change@sundial.test'));
  await putOk(srv, 'alice', base + 'drop.ics', ical('drop@sundial.test'));

  let synced = (await client.fetchCalendars()).find((c) => pathOf(c.url) === base);
  assert.ok(synced);
  // The local state a client holds after its first full fetch; objectMultiGet is what tsdav's
  // own syncCalendars plugs in to fetch the changed objects.
  synced = { ...synced!, objects: await client.fetchCalendarObjects({ calendar: synced! }), objectMultiGet: (p) => client.calendarMultiGet(p) };
  assert.is(synced.objects!.length, 3);
  const tokenBefore = synced.syncToken;

  // Another client changes the calendar over raw HTTP.
  await putOk(srv, 'alice', base + 'new.ics', ical('new@sundial.test', { summary: 'New remotely' }));
  await putOk(srv, 'alice', base + 'change.ics', ical('change@sundial.test', { summary: 'Changed remotely' }));
  assert.is((await srv.request('DELETE', base + 'drop.ics', { user: 'alice' })).status, 204);

  const result = await client.smartCollectionSyncDetailed({ collection: synced, method: 'webdav', account: client.account! });
  const names = (objs: { url: string }[]) => objs.map((o) => new URL(o.url).pathname.split('/').pop()).sort();
  assert.equal(names(result.objects.created), ['new.ics']);
  assert.equal(names(result.objects.updated), ['change.ics']);
  assert.equal(names(result.objects.deleted), ['drop.ics']);
  assert.match(String(result.objects.updated[0]?.data), /SUMMARY:Changed remotely/);
  assert.match(String(result.objects.created[0]?.data), /SUMMARY:New remotely/);
  assert.ok(result.syncToken && result.syncToken !== tokenBefore, 'a new token');

  // Nothing changed since: the next sync from the new token reports nothing.
  const after = { ...synced, syncToken: result.syncToken, objects: [] };
  const again = await client.smartCollectionSyncDetailed({ collection: after, method: 'webdav', account: client.account! });
  assert.equal([again.objects.created.length, again.objects.updated.length, again.objects.deleted.length], [0, 0, 0]);

  // Without an explicit method tsdav picks 'webdav' because supported-report-set lists sync-collection.
  const auto = await client.smartCollectionSync({ collection: synced, account: client.account! });
  assert.equal(names(auto.objects ?? []).sort(), ['change.ics', 'keep.ics', 'new.ics']);
});

t.run();
