// The agenda's JSON API (issue 17 item 1): the instances it lists are the server's own CalDAV
// expansion (recurrences, EXDATE, a moved override, all-day and multi-day events, time zones),
// for own and shared calendars, switched on or off; events created, edited, moved and deleted
// through it are seen by a DAV client (sync token and ctag move, the object is there); read-only
// shares and bad input are refused with 4xx and change nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ctagOf, syncTokenOf, ical, putOk } from '../helpers/dav.js';
import { login, type WebSession } from './session.js';
import { guardedBefore } from './setup.js';
import { RANGE, seed, serverExpand, sortSeen, type SeenInstance } from './agenda-fixture.js';

interface Ctx {
  srv: TestServer;
  alice: WebSession;
  bob: WebSession;
  setupError?: unknown;
}

const t = suite<Ctx>('agenda API');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  await seed(ctx.srv, 'alice');
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.bob = await login(ctx.srv, 'bob');
});

t.after(async (ctx) => {
  await ctx.srv?.close();
});

const q = (r: { start: string; end: string }) => `/agenda?start=${encodeURIComponent(r.start)}&end=${encodeURIComponent(r.end)}`;
const seen = (events: any[]): SeenInstance[] => sortSeen(events.map((e) => ({ uid: e.uid, start: e.start, end: e.end, summary: e.summary })));

t('the agenda lists exactly the instances of the server\'s CalDAV expand', async ({ srv, alice }) => {
  const answer = await alice.ok('GET', q(RANGE));
  const expected = await serverExpand(srv, 'alice', 'personal', RANGE);
  assert.ok(expected.length >= 15, `a rich fixture: ${expected.length} instances`);
  assert.equal(seen(answer.events), expected);
  assert.is(answer.skipped, 0);
  // What the fixture is about, spelled out.
  const summaries = answer.events.map((e: any) => e.summary);
  assert.ok(summaries.includes('Stand-up (moved)'), 'the override replaces its instance');
  assert.not.ok(answer.events.some((e: any) => e.uid === 'standup@test' && e.start === '2026-07-08T07:30:00.000Z'), 'the EXDATE is left out');
  assert.not.ok(answer.events.some((e: any) => e.uid === 'standup@test' && e.start === '2026-07-13T07:30:00.000Z'), 'the moved instance is not at its old place');
  const holiday = answer.events.find((e: any) => e.uid === 'holiday@test');
  assert.equal([holiday.allDay, holiday.start, holiday.end], [true, '2026-07-24', '2026-07-28']);
  assert.is(answer.events.filter((e: any) => e.uid === 'camp@test').length, 3);
  const standup = answer.events.find((e: any) => e.uid === 'standup@test' && !e.override);
  assert.ok(standup.recurring && !standup.editable && standup.deletable, 'a series is deleted, not edited, on the page');
  assert.ok(answer.events.find((e: any) => e.uid === 'night@test').editable);
  // Ids are unique.
  assert.is(new Set(answer.events.map((e: any) => e.id)).size, answer.events.length);
});

t('a calendar with synchronization off and a shared calendar are in the agenda; read-only shares are not editable', async ({ srv, alice, bob }) => {
  await alice.ok('PUT', '/calendars/personal/shares/bob', { access: 'read' });
  await bob.ok('PATCH', '/calendars/personal', { sync: false });
  const answer = await bob.ok('GET', q(RANGE));
  const fromAlice = answer.events.filter((e: any) => e.calendar === 'personal-alice');
  assert.is(fromAlice.length, (await serverExpand(srv, 'alice', 'personal', RANGE)).length);
  assert.ok(fromAlice.every((e: any) => !e.editable && !e.deletable));
  // ?calendars= narrows it.
  const none = await bob.ok('GET', q(RANGE) + '&calendars=personal');
  assert.is(none.events.length, 0);
  const only = await bob.ok('GET', q(RANGE) + '&calendar=personal-alice&calendar=personal');
  assert.is(only.events.length, fromAlice.length);
  assert.is((await bob.ok('GET', q(RANGE) + '&calendars=')).events.length, 0);
  const r = await bob.call('POST', '/calendars/personal-alice/events', { summary: 'x', start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' });
  assert.is(r.status, 403);
});

t('a sharee\'s agenda hides private events and shows confidential ones as busy time, read-only (as DAV does)', async ({ srv }) => {
  // Users of their own: the other tests compare carol's and bob's whole agendas.
  await srv.addUser('carol');
  await srv.addUser('dave');
  const [carol, dave] = [await login(srv, 'carol'), await login(srv, 'dave')];
  await carol.ok('POST', '/calendars', { displayName: 'Classified' });
  const path = '/dav/calendars/carol/classified/';
  const day = (h: number) => `20260716T${String(h).padStart(2, '0')}0000Z`;
  await putOk(srv, 'carol', path + 'open.ics', ical('open-1', { start: day(8), end: day(9), summary: 'Open meeting' }));
  await putOk(srv, 'carol', path + 'secret.ics', ical('secret-1', { start: day(10), end: day(11), summary: 'Secret interview', extra: ['CLASS:PRIVATE'] }));
  await putOk(srv, 'carol', path + 'conf.ics', ical('conf-1', { start: day(12), end: day(13), summary: 'Salary talk', extra: ['CLASS:CONFIDENTIAL', 'LOCATION:Room 4'] }));
  await carol.ok('PUT', '/calendars/classified/shares/dave', { access: 'read-write' });
  const mine = await dave.ok('GET', q(RANGE) + '&calendar=classified');
  const text = JSON.stringify(mine);
  assert.not.match(text, /Secret interview|secret-1|secret\.ics/, 'a private event is not listed');
  assert.not.match(text, /Salary talk|Room 4/, 'a confidential event shows no details');
  const names = mine.events.map((e: any) => e.name).sort();
  assert.equal(names, ['conf.ics', 'open.ics']);
  const conf = mine.events.find((e: any) => e.name === 'conf.ics');
  assert.equal([conf.editable, conf.deletable], [false, false]);
  const open = mine.events.find((e: any) => e.name === 'open.ics');
  assert.equal([open.editable, open.deletable], [true, true]);
  // Writes: a private event is no event to dave (404), a confidential one is read-only (403);
  // nothing of carol's changes.
  const before = (await srv.request('GET', path + 'secret.ics', { user: 'carol' })).text;
  const beforeConf = (await srv.request('GET', path + 'conf.ics', { user: 'carol' })).text;
  assert.is((await dave.call('PATCH', '/calendars/classified/events/secret.ics', { summary: 'x' })).status, 404);
  assert.is((await dave.call('DELETE', '/calendars/classified/events/secret.ics')).status, 404);
  assert.is((await dave.call('PATCH', '/calendars/classified/events/conf.ics', { summary: 'x' })).status, 403);
  assert.is((await dave.call('DELETE', '/calendars/classified/events/conf.ics')).status, 403);
  assert.is((await srv.request('GET', path + 'secret.ics', { user: 'carol' })).text, before);
  assert.is((await srv.request('GET', path + 'conf.ics', { user: 'carol' })).text, beforeConf);
  // The owner's own agenda still has everything, editable.
  const hers = await carol.ok('GET', q(RANGE) + '&calendar=classified');
  assert.equal(hers.events.map((e: any) => e.name).sort(), ['conf.ics', 'open.ics', 'secret.ics']);
  assert.ok(hers.events.every((e: any) => e.editable && e.deletable));
  // A public event stays writable for the read-write sharee.
  const edited = await dave.ok('PATCH', '/calendars/classified/events/open.ics', { summary: 'Open meeting (moved)' });
  assert.match(edited.etag, /^"/);
  assert.is((await dave.call('DELETE', '/calendars/classified/events/open.ics')).status, 204);
});

t('creating an event: a DAV client sees it, the sync token and ctag move', async ({ srv, alice }) => {
  const path = '/dav/calendars/alice/personal/';
  const [token, ctag] = [await syncTokenOf(srv, 'alice', path), await ctagOf(srv, 'alice', path)];
  const made = await alice.ok('POST', '/calendars/personal/events', { summary: 'Dentist; bring card, please', location: 'Main St. 1', start: '2026-07-15T08:00:00.000Z', end: '2026-07-15T09:00:00.000Z' });
  assert.match(made.name, /\.ics$/);
  assert.is.not(await syncTokenOf(srv, 'alice', path), token);
  assert.is.not(await ctagOf(srv, 'alice', path), ctag);
  const get = await srv.request('GET', path + made.name, { user: 'alice' });
  assert.is(get.status, 200);
  assert.is(get.headers.get('etag'), made.etag);
  assert.match(get.text, /SUMMARY:Dentist\\; bring card\\, please/);
  assert.match(get.text, /DTSTART:20260715T080000Z/);
  const answer = await alice.ok('GET', q(RANGE));
  assert.equal(seen(answer.events), await serverExpand(srv, 'alice', 'personal', RANGE));
  const ev = answer.events.find((e: any) => e.name === made.name);
  assert.equal([ev.summary, ev.location, ev.editable], ['Dentist; bring card, please', 'Main St. 1', true]);
});

t('moving, editing and deleting: DAV sees each; a stale etag is refused with 409 and changes nothing', async ({ srv, alice }) => {
  const path = '/dav/calendars/alice/personal/';
  const made = await alice.ok('POST', '/calendars/personal/events', { summary: 'Trip', allDay: true, start: '2026-07-02', end: '2026-07-04' });
  let get = await srv.request('GET', path + made.name, { user: 'alice' });
  assert.match(get.text, /DTSTART;VALUE=DATE:20260702/);
  const moved = await alice.ok('PATCH', `/calendars/personal/events/${made.name}`, { etag: made.etag, allDay: false, start: '2026-07-03T10:00:00Z', end: '2026-07-03T12:30:00Z', summary: 'Trip (short)' });
  assert.is.not(moved.etag, made.etag);
  get = await srv.request('GET', path + made.name, { user: 'alice' });
  assert.match(get.text, /DTSTART:20260703T100000Z/);
  assert.match(get.text, /DTEND:20260703T123000Z/);
  assert.match(get.text, /SEQUENCE:1/);
  const stale = await alice.call('PATCH', `/calendars/personal/events/${made.name}`, { etag: made.etag, summary: 'lost update' });
  assert.is(stale.status, 409);
  assert.not.match((await srv.request('GET', path + made.name, { user: 'alice' })).text, /lost update/);
  const token = await syncTokenOf(srv, 'alice', path);
  const del = await alice.call('DELETE', `/calendars/personal/events/${made.name}?etag=${encodeURIComponent(moved.etag)}`);
  assert.is(del.status, 204);
  assert.is((await srv.request('GET', path + made.name, { user: 'alice' })).status, 404);
  assert.is.not(await syncTokenOf(srv, 'alice', path), token);
});

t('a recurring event cannot be edited on the page (400) but can be deleted as a whole', async ({ srv, alice }) => {
  const r = await alice.call('PATCH', '/calendars/personal/events/standup.ics', { summary: 'x' });
  assert.is(r.status, 400);
  await putOk(srv, 'alice', '/dav/calendars/alice/personal/gone.ics', ical('gone@test', { extra: ['RRULE:FREQ=DAILY;COUNT=5'] }));
  assert.is((await alice.call('DELETE', '/calendars/personal/events/gone.ics')).status, 204);
  assert.is((await srv.request('GET', '/dav/calendars/alice/personal/gone.ics', { user: 'alice' })).status, 404);
});

t('the agenda follows DAV changes at once (its cache is keyed by the calendar\'s sync sequence)', async ({ srv, alice }) => {
  const before = await alice.ok('GET', q(RANGE));
  assert.ok(before.events.some((e: any) => e.summary === 'Night train'));
  const again = await alice.ok('GET', q(RANGE));
  assert.equal(again, before, 'the same answer twice');
  await putOk(srv, 'alice', '/dav/calendars/alice/personal/night.ics', ical('night@test', { summary: 'Night bus', start: '20260710T210000Z', end: '20260711T030000Z' }));
  const after = await alice.ok('GET', q(RANGE));
  assert.ok(after.events.some((e: any) => e.summary === 'Night bus'), 'a DAV PUT is seen');
  assert.not.ok(after.events.some((e: any) => e.summary === 'Night train'));
  assert.equal(seen(after.events), await serverExpand(srv, 'alice', 'personal', RANGE));
  // A calendar-timezone change moves floating times (RFC 4791 §5.2.2) and is seen too.
  const floatingBefore = after.events.find((e: any) => e.uid === 'floating@test').start;
  const tz = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VTIMEZONE', 'TZID:Plus5', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0500', 'TZOFFSETTO:+0500', 'END:STANDARD', 'END:VTIMEZONE', 'END:VCALENDAR', ''].join('\r\n');
  const pp = await srv.request('PROPPATCH', '/dav/calendars/alice/personal/', { user: 'alice', headers: { 'Content-Type': 'application/xml' }, body: `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:calendar-timezone>${tz.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</C:calendar-timezone></D:prop></D:set></D:propertyupdate>` });
  assert.is(pp.status, 207, pp.text);
  const shifted = await alice.ok('GET', q(RANGE));
  const floatingAfter = shifted.events.find((e: any) => e.uid === 'floating@test').start;
  assert.is(Date.parse(floatingBefore) - Date.parse(floatingAfter), 5 * 3_600_000, `${floatingBefore} → ${floatingAfter}`);
  assert.equal(seen(shifted.events), await serverExpand(srv, 'alice', 'personal', RANGE));
});

t('an event past max-instances is left out and counted, not a 500; the rest is listed', async ({ srv, bob }) => {
  // Every minute for six weeks: 60,480 instances, past the default SUNDIAL_MAX_INSTANCES (10,000).
  await putOk(srv, 'bob', '/dav/calendars/bob/personal/flood.ics', ical('flood@test', { start: '20260701T000000Z', end: '20260701T000030Z', extra: ['RRULE:FREQ=MINUTELY'] }));
  await putOk(srv, 'bob', '/dav/calendars/bob/personal/plain.ics', ical('plain@test', { start: '20260702T100000Z', end: '20260702T110000Z' }));
  const r = await bob.call('GET', q(RANGE) + '&calendar=personal');
  assert.is(r.status, 200, r.text.slice(0, 200));
  assert.is(r.json.skipped, 1);
  assert.equal(r.json.events.map((e: any) => e.uid), ['plain@test']);
});

t('one answer holds at most SUNDIAL_MAX_INSTANCES instances; the objects past it are counted in skipped', async ({ srv, bob }) => {
  // Three events of 9,999 instances each, every one within the per-object limit: the answer held
  // all 29,997 (50 such events: a 192 MB answer, 900 MB of heap, 6 s of the event loop).
  assert.is((await bob.call('POST', '/calendars', { displayName: 'Minutes' })).status, 201);
  for (let n = 0; n < 3; n++) {
    await putOk(srv, 'bob', `/dav/calendars/bob/minutes/m${n}.ics`, ical(`minutes-${n}@test`, { start: '20260701T000000Z', end: '20260701T000030Z', extra: ['RRULE:FREQ=MINUTELY;COUNT=9999'] }));
  }
  for (let round = 0; round < 2; round++) { // twice: a partial result is not kept
    const r = await bob.call('GET', q(RANGE) + '&calendar=minutes');
    assert.is(r.status, 200, r.text.slice(0, 200));
    assert.is(r.json.events.length, 9999, `round ${round}`);
    assert.is(r.json.skipped, 2, `round ${round}`);
  }
  assert.is((await bob.call('DELETE', '/calendars/minutes')).status, 200);
});

t('bad input: 4xx JSON errors, nothing stored', async ({ srv, alice }) => {
  const before = (await srv.store.getInstance((await srv.store.getUser('alice'))!.id, 'personal'))!.collection.objectCount;
  const bad: [string, string, unknown, number][] = [
    ['GET', '/agenda?start=nonsense&end=2026-07-01T00:00:00Z', undefined, 400],
    ['GET', '/agenda?start=2026-01-01T00:00:00Z&end=2026-12-31T00:00:00Z', undefined, 400],
    ['GET', '/agenda?start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z', undefined, 400],
    ['POST', '/calendars/personal/events', { summary: '', start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' }, 400],
    ['POST', '/calendars/personal/events', { summary: 'x', start: '2026-07-01T10:00:00Z', end: '2026-07-01T09:00:00Z' }, 400],
    ['POST', '/calendars/personal/events', { summary: 'x', allDay: true, start: '2026-07-01T10:00:00Z', end: '2026-07-02' }, 400],
    ['POST', '/calendars/personal/events', { summary: 'x', start: '3000-07-01T10:00:00Z', end: '3000-07-01T11:00:00Z' }, 400],
    ['POST', '/calendars/personal/events', { summary: ['x'], start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' }, 400],
    // Not ISO dates: Date.parse read them (a 30 February became the 2nd of March, "1" the year
    // 2001, a time without a zone the server's local time) and the event was stored.
    ...['2026-02-30', '2026-13-01', '1', 'Tue, 1 Jul 2026 10:00:00', '2026-07-01T10:00:00', '2026-07-01T24:00:00Z', '2026-07-01 10:00:00Z', '+002026-07-01T10:00:00Z']
      .map((start): [string, string, unknown, number] => ['POST', '/calendars/personal/events', { summary: 'x', start, end: '2026-07-03T11:00:00Z' }, 400]),
    ['POST', '/calendars/personal/events', { summary: 'x', allDay: true, start: '2026-02-30', end: '2026-03-31' }, 400],
    ['GET', '/agenda?start=1&end=2', undefined, 400],
    ['GET', '/agenda?start=2026-02-29&end=2026-03-10', undefined, 400],
    ['POST', '/calendars/nope/events', { summary: 'x', start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' }, 404],
    ['PATCH', '/calendars/personal/events/missing.ics', { summary: 'x' }, 404],
    ['DELETE', '/calendars/personal/events/missing.ics', undefined, 404],
  ];
  for (const [method, path, body, status] of bad) {
    const r = await alice.call(method, path, body);
    assert.is(r.status, status, `${method} ${path} → ${r.status} ${r.text}`);
    assert.type(r.json?.error, 'string');
  }
  const noCsrf = await alice.call('POST', '/calendars/personal/events', { summary: 'x', start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' }, { csrf: null });
  assert.is(noCsrf.status, 403);
  const anon = await alice.call('GET', q(RANGE), undefined, { anonymous: true });
  assert.is(anon.status, 401);
  const after = (await srv.store.getInstance((await srv.store.getUser('alice'))!.id, 'personal'))!.collection.objectCount;
  assert.is(after, before);
});

t.run();
