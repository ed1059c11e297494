// Free/busy through the outbox (issue 15 item 4; RFC 6638 §5): what iOS/macOS send for the
// Availability panel. Busy time of opaque events of the calendars that count for free/busy,
// recurrence expanded exactly; cancelled and transparent events free; 3.7 for unknown addresses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestServer } from '../helpers/server.js';
import { parseXml, type XmlElement } from '../../src/xml/parse.js';
import { C, ical, propfind, propText, putOk } from '../helpers/dav.js';
import { cal, outbox, schedulingServer } from './helpers.js';
import { login } from '../web/session.js';
import { run, tempDir } from '../helpers/cli.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import { openStore } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('free/busy through the outbox');
t.before(async (ctx) => {
  const srv = ctx.srv = await schedulingServer();
  await putOk(srv, 'bob', cal('bob', 'a.ics'), ical('a@t', { start: '20300101T090000Z', end: '20300101T100000Z' }));
  await putOk(srv, 'bob', cal('bob', 'transparent.ics'), ical('tr@t', { start: '20300101T110000Z', end: '20300101T120000Z', extra: ['TRANSP:TRANSPARENT'] }));
  await putOk(srv, 'bob', cal('bob', 'cancelled.ics'), ical('ca@t', { start: '20300101T130000Z', end: '20300101T140000Z', extra: ['STATUS:CANCELLED'] }));
  await putOk(srv, 'bob', cal('bob', 'tentative.ics'), ical('te@t', { start: '20300101T150000Z', end: '20300101T153000Z', extra: ['STATUS:TENTATIVE'] }));
  // Daily at 07:00 for 3 days, the second day moved to 08:00.
  await putOk(srv, 'bob', cal('bob', 'daily.ics'), [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN',
    'BEGIN:VEVENT', 'UID:d@t', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300101T070000Z', 'DTEND:20300101T073000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'SUMMARY:Daily', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:d@t', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID:20300102T070000Z', 'DTSTART:20300102T080000Z', 'DTEND:20300102T083000Z', 'SUMMARY:Daily', 'END:VEVENT',
    'END:VCALENDAR', ''].join('\r\n'));
  // A second calendar of bob's, left out of free/busy.
  await srv.request('MKCALENDAR', '/dav/calendars/bob/private/', { user: 'bob' });
  await putOk(srv, 'bob', '/dav/calendars/bob/private/p.ics', ical('p@t', { start: '20300101T170000Z', end: '20300101T180000Z' }));
  await srv.store.setFreeBusyIncluded((await srv.store.getUser('bob'))!.id, (await srv.store.getInstance((await srv.store.getUser('bob'))!.id, 'private'))!.collection.id, false);
});
t.after(async (ctx) => { await ctx.srv.close(); });

// The request iOS sends (shape from CalendarServer's test data and Apple's captures).
const request = (attendees: string[], start = '20300101T000000Z', end = '20300104T000000Z') => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iOS 18.1//EN', 'METHOD:REQUEST', 'BEGIN:VFREEBUSY',
  'UID:0F1E6B4C-9E5A-4A4D-8F4C-3C2B1A0F9E8D', 'DTSTAMP:20291231T120000Z', `DTSTART:${start}`, `DTEND:${end}`,
  'ORGANIZER;CN=alice:mailto:alice@example.com', ...attendees.map((a) => `ATTENDEE:${a}`), 'END:VFREEBUSY', 'END:VCALENDAR', ''].join('\r\n');

interface Answer { recipient: string; status: string; data: string }
function answers(text: string): Answer[] {
  const root = parseXml(text);
  assert.is(root.name, C('schedule-response'));
  const txt = (e: XmlElement | undefined): string => (e ? e.text + e.children.map((c) => txt(c)).join('') : '');
  return root.children.filter((c) => c.name === C('response')).map((r) => ({
    recipient: txt(r.children.find((c) => c.name === C('recipient'))).trim(),
    status: txt(r.children.find((c) => c.name === C('request-status'))).trim(),
    data: txt(r.children.find((c) => c.name === C('calendar-data'))),
  }));
}
const freebusyLines = (data: string) => data.split(/\r?\n/).filter((l) => l.startsWith('FREEBUSY'));

t('busy periods of bob: opaque events and each recurrence instance; transparent, cancelled and excluded calendars free; 3.7 for strangers', async ({ srv }) => {
  const res = await srv.request('POST', outbox('alice'), { user: 'alice', headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body: request(['mailto:bob@example.com', 'mailto:nobody@example.com']) });
  assert.is(res.status, 200, res.text);
  const [bob, nobody] = answers(res.text);
  assert.is(bob!.recipient, 'mailto:bob@example.com');
  assert.match(bob!.status, /^2\.0/);
  assert.match(bob!.data, /METHOD:REPLY/);
  assert.match(bob!.data, /ATTENDEE:mailto:bob@example.com/);
  assert.equal(freebusyLines(bob!.data), [
    'FREEBUSY;FBTYPE=BUSY:20300101T070000Z/20300101T073000Z',
    'FREEBUSY;FBTYPE=BUSY:20300101T090000Z/20300101T100000Z',
    'FREEBUSY;FBTYPE=BUSY:20300102T080000Z/20300102T083000Z',
    'FREEBUSY;FBTYPE=BUSY:20300103T070000Z/20300103T073000Z',
    'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20300101T150000Z/20300101T153000Z',
  ]);
  assert.is(nobody!.status, '3.7;Invalid calendar user');
  assert.is(nobody!.data, '');
});

t('the calendar setting shows as schedule-calendar-transp (RFC 6638 §9.1)', async ({ srv }) => {
  const ms = await propfind(srv, 'bob', '/dav/calendars/bob/', '1', [C('schedule-calendar-transp')]);
  const byHref = new Map(ms.responses.map((r) => [r.href, JSON.stringify(r)]));
  assert.match(byHref.get('/dav/calendars/bob/personal/') ?? '', /opaque/);
  assert.match(byHref.get('/dav/calendars/bob/private/') ?? '', /transparent/);
  void propText;
});

t('a range narrower than the events clips them; a range over a year is refused', async ({ srv }) => {
  const res = await srv.request('POST', outbox('alice'), { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: request(['mailto:bob@example.com'], '20300101T093000Z', '20300101T094500Z') });
  assert.equal(freebusyLines(answers(res.text)[0]!.data), ['FREEBUSY;FBTYPE=BUSY:20300101T093000Z/20300101T094500Z']);
  const long = await srv.request('POST', outbox('alice'), { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: request(['mailto:bob@example.com'], '20300101T000000Z', '20320101T000000Z') });
  assert.is(long.status, 403);
});

t('a hostile recurrence (every minute, a lookup over a year) is answered 5.1 for that attendee, not a 500, and others still get theirs', async ({ srv }) => {
  await putOk(srv, 'carol', cal('carol', 'flood.ics'), ical('flood@t', { start: '20300101T000000Z', end: '20300101T000030Z', extra: ['RRULE:FREQ=MINUTELY'] }));
  const res = await srv.request('POST', outbox('alice'), { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: request(['mailto:carol@example.com', 'mailto:bob@example.com'], '20300101T000000Z', '20301231T000000Z') });
  assert.is(res.status, 200, res.text);
  const [carol, bob] = answers(res.text);
  assert.match(carol!.status, /^5\.1/);
  assert.match(bob!.status, /^2\.0/);
  assert.is(freebusyLines(bob!.data).length > 0, true);
});

t('the setting through the JSON API: GET shows freeBusy, PATCH turns it off and the lookup shows bob free', async ({ srv }) => {
  const bob = await login(srv, 'bob');
  const list = await bob.ok('GET', '/calendars');
  assert.is(list.mine.find((c: { uri: string }) => c.uri === 'personal').freeBusy, true);
  assert.is(list.mine.find((c: { uri: string }) => c.uri === 'private').freeBusy, false);
  assert.is((await bob.call('PATCH', '/calendars/personal', { freeBusy: 'no' })).status, 400);
  assert.is((await bob.ok('PATCH', '/calendars/personal', { freeBusy: false })).freeBusy, false);
  const res = await srv.request('POST', outbox('alice'), { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: request(['mailto:bob@example.com']) });
  assert.equal(freebusyLines(answers(res.text)[0]!.data), []);
  assert.is((await bob.ok('PATCH', '/calendars/personal', { freeBusy: true })).freeBusy, true);
});

t('the setting through the CLI: sundial calendar freebusy <user> <calendar> on|off, shown by list', async () => {
  const dir = tempDir();
  const env = { SUNDIAL_DATA: dir };
  const store = await openStore(loadConfig(env));
  await createUserWithCalendar(store, { username: 'cli', password: 'x-long-enough-password', email: 'cli@example.com' });
  await store.close();
  const off = await run(['calendar', 'freebusy', 'cli', 'personal', 'off'], { env });
  assert.is(off.code, 0, off.stderr);
  assert.match(off.stdout, /free\/busy of personal for cli: off/);
  const list = await run(['calendar', 'list', 'cli'], { env });
  assert.match(list.stdout, /free\/busy off/);
  const bad = await run(['calendar', 'freebusy', 'cli', 'personal', 'maybe'], { env });
  assert.is.not(bad.code, 0);
});

t.run();
