// Private subscription links end to end (SPEC "Subscription feeds", issue 6): the JSON API creates,
// lists, regenerates and revokes links; GET/HEAD /feeds/<token>.ics answers without login with one
// valid VCALENDAR, a strong ETag and 304s; busy mode hides everything sensitive; the all-calendars
// link follows the Synchronization switches and shares; a feed round-trips through import.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ICAL from 'ical.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ical, putOk } from '../helpers/dav.js';
import { login, type WebSession } from '../web/session.js';
import { SENSITIVE_EVENT, assertNothingLeaks } from './fixtures.js';

interface Ctx {
  srv: TestServer;
  alice: WebSession;
  bob: WebSession;
}

const t = suite<Ctx>('feeds: links and GET /feeds');

const cal = (user: string, uri: string, name = '') => `/dav/calendars/${user}/${uri}/${name}`;
const feedPath = (url: string) => new URL(url).pathname;

const PARIS = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Paris',
  'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];
const parisEvent = (uid: string) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...PARIS, 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z',
  'DTSTART;TZID=Europe/Paris:20300601T090000', 'DTEND;TZID=Europe/Paris:20300601T100000', `SUMMARY:${uid}`, 'END:VEVENT', 'END:VCALENDAR'].join('\r\n') + '\r\n';

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.bob = await login(ctx.srv, 'bob');
  await ctx.alice.ok('POST', '/calendars', { displayName: 'Work' });
  await putOk(ctx.srv, 'alice', cal('alice', 'personal', 'p1.ics'), parisEvent('p1'));
  await putOk(ctx.srv, 'alice', cal('alice', 'personal', 't1.ics'), ical('t1', { component: 'VTODO' }));
  await putOk(ctx.srv, 'alice', cal('alice', 'personal', 'sensitive.ics'), SENSITIVE_EVENT);
  await putOk(ctx.srv, 'alice', cal('alice', 'work', 'w1.ics'), parisEvent('w1'));
  await putOk(ctx.srv, 'bob', cal('bob', 'personal', 'b1.ics'), ical('b1'));
});
t.after(async (ctx) => { await ctx.srv.close(); });

async function fetchFeed(srv: TestServer, url: string, init: RequestInit = {}) {
  const res = await fetch(srv.url + feedPath(url), init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function uidsOf(text: string): string[] {
  const vcal = new ICAL.Component(ICAL.parse(text));
  return [...new Set([...vcal.getAllSubcomponents('vevent'), ...vcal.getAllSubcomponents('vtodo')].map((c) => String(c.getFirstPropertyValue('uid'))))].sort();
}

t('creating a link answers its https and webcal URLs once; the list never shows the token', async ({ alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal', label: 'For Google' });
  assert.match(made.url, /^http:\/\/127\.0\.0\.1:\d+\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
  assert.is(made.webcalUrl, made.url.replace(/^http:/, 'webcal:'));
  assert.is(made.link.calendar, 'personal');
  assert.is(made.link.details, 'full');
  assert.is(made.link.alarms, true);
  assert.is(made.link.label, 'For Google');
  const token = /\/feeds\/(.+)\.ics$/.exec(made.url)![1]!;
  const list = await alice.call('GET', '/feeds');
  assert.is(list.status, 200);
  assert.not.ok(list.text.includes(token), 'the token is not listed');
  assert.ok(list.json.feeds.some((f: any) => f.id === made.link.id && f.lastUsedAt === null));
});

t('the API needs a session, and the CSRF token for changes', async ({ srv, alice }) => {
  assert.is((await alice.call('GET', '/feeds', undefined, { anonymous: true })).status, 401);
  assert.is((await alice.call('POST', '/feeds', { calendar: null }, { csrf: null })).status, 403);
  assert.is((await alice.call('POST', '/feeds', { calendar: null }, { csrf: 'wrong' })).status, 403);
  assert.is((await alice.call('POST', '/feeds', { details: 'secret' })).status, 400);
  assert.is((await alice.call('POST', '/feeds', { calendar: 'nope' })).status, 404);
  assert.is((await alice.call('POST', '/feeds', { alarms: 'yes' })).status, 400);
  assert.is((await alice.call('DELETE', '/feeds/999999')).status, 404);
  assert.is((await alice.call('DELETE', '/feeds/abc')).status, 404);
  const res = await fetch(`${srv.url}/api/feeds`, { method: 'POST', headers: { 'Content-Type': 'text/plain', Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf }, body: '{}' });
  assert.is(res.status, 415);
});

t('at most 100 links a user, also when they are created at once', async ({ srv }) => {
  await srv.addUser('carol');
  const carol = await login(srv, 'carol');
  const results = await Promise.all(Array.from({ length: 104 }, (_, i) => carol.call('POST', '/feeds', { calendar: null, label: `link ${i}` })));
  assert.is(results.filter((r) => r.status === 201).length, 100);
  const refused = results.filter((r) => r.status === 403);
  assert.is(refused.length, 4);
  assert.match(refused[0]!.text, /at most 100 links; revoke some first/);
  assert.is((await carol.ok('GET', '/feeds')).feeds.length, 100);
  // Revoking one makes room for one.
  const first = (await carol.ok('GET', '/feeds')).feeds[0];
  assert.is((await carol.call('DELETE', `/feeds/${first.id}`)).status, 204);
  assert.is((await carol.call('POST', '/feeds', { calendar: null })).status, 201);
  assert.is((await carol.call('POST', '/feeds', { calendar: null })).status, 403);
});

t('a calendar feed is one valid VCALENDAR with name, refresh hints, events and to-dos, and no login', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal' });
  const res = await fetchFeed(srv, made.url);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/calendar/);
  assert.match(res.headers.get('etag')!, /^"[A-Za-z0-9_-]+"$/, 'a strong ETag');
  assert.is(res.headers.get('cache-control'), 'private, max-age=300');
  const vcal = new ICAL.Component(ICAL.parse(res.text));
  assert.is(vcal.getFirstPropertyValue('x-wr-calname'), 'Personal');
  assert.is(String(vcal.getFirstPropertyValue('refresh-interval')), 'PT1H');
  assert.match(res.text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n/);
  assert.match(res.text, /\r\nX-PUBLISHED-TTL:PT1H\r\n/);
  assert.equal(uidsOf(res.text), ['busy-1@example.com', 'p1', 't1']);
  assert.is(vcal.getAllSubcomponents('vtimezone').length, 1, 'one Europe/Paris');
  assert.is(vcal.getAllSubcomponents('vtodo').length, 1);
  assert.match(res.text, /SECRET summary/, 'full details by default');
  assert.is((res.text.match(/BEGIN:VALARM/gi) ?? []).length, 2, 'alarms kept by default');
});

t('busy mode over HTTP: nothing sensitive leaks, times stay', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal', details: 'busy' });
  const res = await fetchFeed(srv, made.url);
  assert.is(res.status, 200);
  assert.not.match(res.text, /SUMMARY:(p1|t1)\r\n/, 'plain summaries are gone too');
  assertNothingLeaks(res.text);
  assert.equal(uidsOf(res.text), ['busy-1@example.com', 'p1', 't1']);
  assert.match(res.text, /DTSTART;TZID=Europe\/Paris:20300601T090000/);
});

t('alarms removed, details full', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal', alarms: false });
  const res = await fetchFeed(srv, made.url);
  assert.not.match(res.text, /VALARM/i);
  assert.match(res.text, /SECRET summary/);
});

t('ETag, If-None-Match → 304, HEAD, and a new ETag after a change', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'work' });
  const first = await fetchFeed(srv, made.url);
  const etag = first.headers.get('etag')!;
  const again = await fetchFeed(srv, made.url);
  assert.is(again.headers.get('etag'), etag, 'stable while nothing changes');
  const cached = await fetchFeed(srv, made.url, { headers: { 'If-None-Match': etag } });
  assert.is(cached.status, 304);
  assert.is(cached.text, '');
  assert.is(cached.headers.get('etag'), etag);
  assert.is((await fetchFeed(srv, made.url, { headers: { 'If-None-Match': `"other", W/${etag}` } })).status, 304, 'weak comparison, lists');
  const head = await fetchFeed(srv, made.url, { method: 'HEAD' });
  assert.is(head.status, 200);
  assert.is(head.text, '');
  assert.is(head.headers.get('etag'), etag);
  assert.match(head.headers.get('content-type')!, /^text\/calendar/);
  await putOk(srv, 'alice', cal('alice', 'work', 'w2.ics'), ical('w2'));
  const changed = await fetchFeed(srv, made.url, { headers: { 'If-None-Match': etag } });
  assert.is(changed.status, 200);
  assert.is.not(changed.headers.get('etag'), etag);
  assert.equal(uidsOf(changed.text), ['w1', 'w2']);
  const post = await fetchFeed(srv, made.url, { method: 'POST' });
  assert.is(post.status, 405);
  assert.is(post.headers.get('allow'), 'GET, HEAD');
});

t('unknown, malformed and revoked tokens → 404; the revocation holds at once', async ({ srv, alice }) => {
  for (const p of ['/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics', '/feeds/x.ics', '/feeds/.ics', `/feeds/${'z'.repeat(5000)}.ics`, '/feeds/%00%ff.ics']) {
    const res = await fetch(srv.url + p);
    assert.is(res.status, 404, p);
    assert.is(res.headers.get('cache-control'), 'no-store');
  }
  const made = await alice.ok('POST', '/feeds', { calendar: null });
  assert.is((await fetchFeed(srv, made.url)).status, 200);
  const revoked = await alice.call('DELETE', `/feeds/${made.link.id}`);
  assert.is(revoked.status, 204);
  assert.is((await fetchFeed(srv, made.url)).status, 404);
  assert.not.ok((await alice.ok('GET', '/feeds')).feeds.some((f: any) => f.id === made.link.id));
});

t('regenerate: the old URL stops, the new one works with the same options', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal', details: 'busy', label: 'shared' });
  assert.is((await fetchFeed(srv, made.url)).status, 200);
  const again = await alice.ok('POST', `/feeds/${made.link.id}/regenerate`);
  assert.is.not(again.url, made.url);
  assert.is(again.link.id, made.link.id);
  assert.is(again.link.details, 'busy');
  assert.is((await fetchFeed(srv, made.url)).status, 404);
  const res = await fetchFeed(srv, again.url);
  assert.is(res.status, 200);
  assert.match(res.text, /X-WR-CALNAME:shared/);
  assertNothingLeaks(res.text);
});

t('"last used" is recorded when the feed is fetched', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'work' });
  await fetchFeed(srv, made.url);
  const listed = (await alice.ok('GET', '/feeds')).feeds.find((f: any) => f.id === made.link.id);
  assert.type(listed.lastUsedAt, 'string');
  assert.ok(Math.abs(Date.parse(listed.lastUsedAt) - Date.now()) < 60_000);
});

t('links are per user: bob cannot revoke or regenerate alice\'s link', async ({ alice, bob }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: null });
  assert.is((await bob.call('DELETE', `/feeds/${made.link.id}`)).status, 404);
  assert.is((await bob.call('POST', `/feeds/${made.link.id}/regenerate`)).status, 404);
  assert.not.ok((await bob.ok('GET', '/feeds')).feeds.some((f: any) => f.id === made.link.id));
});

t('the all-calendars feed follows the Synchronization switches', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', {});
  const before = await fetchFeed(srv, made.url);
  assert.ok(uidsOf(before.text).includes('w1'));
  assert.ok(uidsOf(before.text).includes('p1'));
  assert.is(new ICAL.Component(ICAL.parse(before.text)).getAllSubcomponents('vtimezone').length, 1, 'de-duplicated across calendars');
  await alice.ok('PATCH', '/calendars/work', { sync: false });
  const off = await fetchFeed(srv, made.url, { headers: { 'If-None-Match': before.headers.get('etag')! } });
  assert.is(off.status, 200, 'the ETag moved');
  assert.not.ok(uidsOf(off.text).includes('w1'), 'a switched-off calendar leaves the feed');
  assert.ok(uidsOf(off.text).includes('p1'));
  // A link to that one calendar keeps working: the switch is about devices.
  const single = await alice.ok('POST', '/feeds', { calendar: 'work' });
  assert.ok(uidsOf((await fetchFeed(srv, single.url)).text).includes('w1'));
  await alice.ok('PATCH', '/calendars/work', { sync: true });
  assert.ok(uidsOf((await fetchFeed(srv, made.url)).text).includes('w1'));
});

t('the all-calendars feed follows shares; a link to a calendar that is unshared stops', async ({ srv, alice, bob }) => {
  const all = await alice.ok('POST', '/feeds', { calendar: null });
  assert.not.ok(uidsOf((await fetchFeed(srv, all.url)).text).includes('b1'));
  await bob.ok('PUT', '/calendars/personal/shares/alice', { access: 'read' });
  const mine = await alice.ok('GET', '/calendars');
  const shared = mine.others.find((c: any) => c.owner === 'bob');
  assert.ok(shared, 'bob\'s calendar is in alice\'s list');
  assert.ok(uidsOf((await fetchFeed(srv, all.url)).text).includes('b1'), 'a shared calendar with sync on joins the feed');
  const single = await alice.ok('POST', '/feeds', { calendar: shared.uri });
  assert.ok(uidsOf((await fetchFeed(srv, single.url)).text).includes('b1'));
  await alice.ok('PATCH', `/calendars/${shared.uri}`, { sync: false });
  assert.not.ok(uidsOf((await fetchFeed(srv, all.url)).text).includes('b1'), 'switched off by alice');
  await bob.ok('DELETE', '/calendars/personal/shares/alice');
  assert.is((await fetchFeed(srv, single.url)).status, 404, 'no access, no feed');
  const listed = (await alice.ok('GET', '/feeds')).feeds.find((f: any) => f.id === single.link.id);
  assert.is(listed.available, false);
});

t('a feed round-trips through the page upload (import) into another calendar', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal' });
  const feed = await fetchFeed(srv, made.url);
  await alice.ok('POST', '/calendars', { displayName: 'Copy' });
  const up = await alice.call('POST', '/feeds/import?calendar=copy', undefined, { raw: feed.text, contentType: 'text/calendar' });
  assert.is(up.status, 200, up.text);
  assert.is(up.json.imported, 3);
  assert.is(up.json.skippedCount, 0);
  const copy = await alice.ok('POST', '/feeds', { calendar: 'copy' });
  assert.equal(uidsOf((await fetchFeed(srv, copy.url)).text), uidsOf(feed.text));
  const again = await alice.call('POST', '/feeds/import?calendar=copy', undefined, { raw: feed.text, contentType: 'text/calendar' });
  assert.is(again.json.imported, 0);
  assert.is(again.json.unchanged, 3, 're-importing writes nothing');
});

t('upload: checks of calendar, access, type and size', async ({ alice, bob }) => {
  const body = ical('u1');
  assert.is((await alice.call('POST', '/feeds/import?calendar=nope', undefined, { raw: body, contentType: 'text/calendar' })).status, 404);
  assert.is((await alice.call('POST', '/feeds/import', undefined, { raw: body, contentType: 'text/calendar' })).status, 400);
  assert.is((await alice.call('POST', '/feeds/import?calendar=personal', undefined, { raw: body, contentType: 'text/plain' })).status, 415);
  assert.is((await alice.call('POST', '/feeds/import?calendar=personal', undefined, { raw: body, contentType: 'text/calendar', csrf: null })).status, 403);
  await bob.ok('PUT', '/calendars/personal/shares/alice', { access: 'read' });
  const shared = (await alice.ok('GET', '/calendars')).others.find((c: any) => c.owner === 'bob');
  assert.is((await alice.call('POST', `/feeds/import?calendar=${shared.uri}`, undefined, { raw: body, contentType: 'text/calendar' })).status, 403, 'read-only share');
  await bob.ok('PUT', '/calendars/personal/shares/alice', { access: 'read-write' });
  const rw = await alice.call('POST', `/feeds/import?calendar=${shared.uri}`, undefined, { raw: body, contentType: 'text/calendar' });
  assert.is(rw.status, 200);
  assert.is(rw.json.imported, 1);
  const bad = await alice.call('POST', '/feeds/import?calendar=personal', undefined, { raw: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:no uid\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' });
  assert.is(bad.status, 200);
  assert.is(bad.json.skippedCount, 1);
  assert.match(bad.json.skipped[0].reason, /no UID/);
});

t('the token never reaches the log', async ({ srv, alice }) => {
  const made = await alice.ok('POST', '/feeds', { calendar: 'personal' });
  await fetchFeed(srv, made.url);
  const token = /\/feeds\/(.+)\.ics$/.exec(made.url)![1]!;
  assert.not.ok(srv.logLines.some((l) => l.includes(token)));
  assert.ok(srv.logLines.some((l) => l.includes('/feeds/[token]')));
});

t.run();
