// Bad iTIP (issue 15 item 7): a missing ORGANIZER, different organizers per component, too many
// attendees, an unsupported METHOD at the outbox, a REPLY from a non-attendee, hostile values —
// each a 4xx with the CALDAV precondition, never a 500, and nothing changes anywhere.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestServer } from '../helpers/server.js';
import { errorConditions, putIcs, syncTokenOf } from '../helpers/dav.js';
import { cal, inbox, invite, outbox, schedulingServer } from './helpers.js';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('bad iTIP');
t.before(async (ctx) => { ctx.srv = await schedulingServer({ SUNDIAL_MAX_ATTENDEES: '5' }); });
t.after(async (ctx) => { await ctx.srv.close(); });

const CAL = 'urn:ietf:params:xml:ns:caldav';
async function tokens(srv: TestServer): Promise<string[]> {
  const out: string[] = [];
  for (const u of ['alice', 'bob']) out.push((await syncTokenOf(srv, u, cal(u)))!, (await syncTokenOf(srv, u, inbox(u)))!);
  return out;
}
async function refused(srv: TestServer, user: string, path: string, body: string, condition: string, status = 403): Promise<void> {
  const before = await tokens(srv);
  const res = await putIcs(srv, user, path, body);
  assert.is(res.status, status, res.text);
  assert.ok(errorConditions(res.text).includes(`{${CAL}}${condition}`), res.text);
  assert.equal(await tokens(srv), before, 'nothing changed');
}

t('ATTENDEEs without an ORGANIZER: 403 valid-organizer', async ({ srv }) => {
  await refused(srv, 'alice', cal('alice', 'b1.ics'), invite({ uid: 'b1@t', organizer: null, attendees: ['bob@example.com'] }), 'valid-organizer');
});

t('components with different ORGANIZERs: 403 same-organizer-in-all-components', async ({ srv }) => {
  const other = ['BEGIN:VEVENT', 'UID:b2@t', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID:20300102T100000Z', 'DTSTART:20300102T100000Z', 'DTEND:20300102T110000Z',
    'ORGANIZER:mailto:bob@example.com', 'ATTENDEE:mailto:alice@example.com', 'END:VEVENT'].join('\r\n');
  await refused(srv, 'alice', cal('alice', 'b2.ics'), invite({ uid: 'b2@t', attendees: ['bob@example.com'], extra: ['RRULE:FREQ=DAILY;COUNT=3'], overrides: [other] }), 'same-organizer-in-all-components');
});

t('more attendees than SUNDIAL_MAX_ATTENDEES: 403 max-attendees-per-instance; nobody is invited', async ({ srv }) => {
  const many = Array.from({ length: 6 }, (_, i) => `guest${i}@elsewhere.example`);
  await refused(srv, 'alice', cal('alice', 'b3.ics'), invite({ uid: 'b3@t', attendees: many }), 'max-attendees-per-instance');
  // A hostile count (2,000 attendees, within the property limit) is refused the same way,
  // before any copy or mail (10,000 would already fail the object's property limit).
  const flood = Array.from({ length: 2_000 }, (_, i) => `g${i}@elsewhere.example`);
  await refused(srv, 'alice', cal('alice', 'b3.ics'), invite({ uid: 'b3@t', attendees: flood }), 'max-attendees-per-instance');
});

t('the organizer being an attendee is no delivery (iOS lists the organizer as ACCEPTED chair)', async ({ srv }) => {
  const res = await putIcs(srv, 'alice', cal('alice', 'b4.ics'), invite({ uid: 'b4@t', attendees: [] }));
  assert.is(res.status, 201, res.text);
  assert.ok(res.headers.get('etag'), 'nothing scheduled: stored as sent');
});

t('changing the ORGANIZER of a scheduled event: 403 allowed-organizer-scheduling-object-change', async ({ srv }) => {
  assert.is((await putIcs(srv, 'alice', cal('alice', 'b5.ics'), invite({ uid: 'b5@t', attendees: ['bob@example.com'] }))).status, 201);
  await refused(srv, 'alice', cal('alice', 'b5.ics'), invite({ uid: 'b5@t', organizer: 'bob@example.com', attendees: ['alice@example.com'] }), 'allowed-organizer-scheduling-object-change');
});

t('a non-attendee storing the organizer\'s event changes nothing of the organizer\'s', async ({ srv }) => {
  assert.is((await putIcs(srv, 'alice', cal('alice', 'b6.ics'), invite({ uid: 'b6@t', attendees: ['bob@example.com'] }))).status, 201);
  const before = (await srv.request('GET', cal('alice', 'b6.ics'), { user: 'alice' })).text;
  // carol is no attendee; her "reply" declaring bob DECLINED must not reach alice.
  const forged = invite({ uid: 'b6@t', attendees: ['bob@example.com'], partstat: { 'bob@example.com': 'DECLINED' } });
  const res = await putIcs(srv, 'carol', cal('carol', 'b6.ics'), forged);
  assert.is(res.status, 201);
  assert.is((await srv.request('GET', cal('alice', 'b6.ics'), { user: 'alice' })).text, before);
});

const fbRequest = (method: string, comp = 'VFREEBUSY', organizer = 'alice@example.com') => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', `METHOD:${method}`, `BEGIN:${comp}`, 'UID:fb@t', 'DTSTAMP:20240101T000000Z',
  'DTSTART:20300101T000000Z', 'DTEND:20300102T000000Z', ...(comp === 'VEVENT' ? ['SUMMARY:x'] : []), `ORGANIZER:mailto:${organizer}`, 'ATTENDEE:mailto:bob@example.com', `END:${comp}`, 'END:VCALENDAR', '',
].join('\r\n');

async function post(srv: TestServer, body: string, user = 'alice') {
  return srv.request('POST', outbox(user), { user, headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body });
}

t('the outbox takes only VFREEBUSY REQUEST: REPLY, PUBLISH, a VEVENT REQUEST are 403 valid-scheduling-message; nothing changes', async ({ srv }) => {
  const before = await tokens(srv);
  for (const body of [fbRequest('REPLY'), fbRequest('PUBLISH'), fbRequest('REQUEST', 'VEVENT'), fbRequest('COUNTER', 'VEVENT'), fbRequest('REPLY', 'VEVENT')]) {
    const res = await post(srv, body);
    assert.is(res.status, 403, res.text);
    assert.ok(errorConditions(res.text).includes(`{${CAL}}valid-scheduling-message`), res.text);
  }
  assert.equal(await tokens(srv), before);
});

t('outbox: someone else as ORGANIZER is 403 organizer-allowed; garbage is 400; wrong type 415; no 500 for hostile bodies', async ({ srv }) => {
  const res = await post(srv, fbRequest('REQUEST', 'VFREEBUSY', 'bob@example.com'));
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes(`{${CAL}}organizer-allowed`), res.text);
  assert.is((await post(srv, 'BEGIN:VCALENDAR\r\nnot ical')).status, 400);
  assert.is((await srv.request('POST', outbox('alice'), { user: 'alice', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, 415);
  for (const body of ['', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', fbRequest('REQUEST').replace('DTEND:20300102T000000Z', 'DTEND:20200102T000000Z'), fbRequest('REQUEST').replace(/ATTENDEE[^\r]*\r\n/, '')]) {
    const r = await post(srv, body);
    assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
  }
  // POST elsewhere than the outbox is not a DAV method here.
  assert.ok((await srv.request('POST', inbox('alice'), { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: fbRequest('REQUEST') })).status === 405);
  assert.is((await post(srv, fbRequest('REQUEST'), 'bob')).status, 403, 'bob cannot post as alice');
  // More recipients than SUNDIAL_MAX_ATTENDEES (5 here): 403 max-recipients, before any lookup.
  const six = fbRequest('REQUEST').replace('ATTENDEE:mailto:bob@example.com', Array.from({ length: 6 }, (_, i) => `ATTENDEE:mailto:u${i}@example.com`).join('\r\n'));
  const many = await post(srv, six);
  assert.is(many.status, 403, many.text);
  assert.ok(errorConditions(many.text).includes(`{${CAL}}max-recipients`), many.text);
});

t('outbox: values ical.js cannot read (DTSTART/DTEND/ATTENDEE/ORGANIZER/UID/METHOD) are 403 valid-scheduling-message, not 500; nothing changes', async ({ srv }) => {
  const good = fbRequest('REQUEST');
  const bad: [string, string][] = [
    ['DTSTART:20300101T000000Z', 'DTSTART:20250101'], // a DATE without VALUE=DATE
    ['DTSTART:20300101T000000Z', 'DTSTART:2025XX01T000000Z'],
    ['DTSTART:20300101T000000Z', 'DTSTART:'],
    ['DTSTART:20300101T000000Z', 'DTSTART;VALUE=PERIOD:x/y'],
    ['DTEND:20300102T000000Z', 'DTEND:20250101'],
    ['DTEND:20300102T000000Z', 'DTEND:2025XX01T000000Z'],
    ['DTEND:20300102T000000Z', 'DTEND:'],
    ['DTEND:20300102T000000Z', 'DTEND;VALUE=DATE:2025XX01'],
    ['ATTENDEE:mailto:bob@example.com', 'ATTENDEE;VALUE=DATE-TIME:xyz'],
    ['ATTENDEE:mailto:bob@example.com', 'ATTENDEE;VALUE=DURATION:x'],
    ['ATTENDEE:mailto:bob@example.com', 'ATTENDEE;VALUE=UTC-OFFSET:abc'],
    ['ORGANIZER:mailto:alice@example.com', 'ORGANIZER;VALUE=DATE:xx'],
    ['UID:fb@t', 'UID;VALUE=DATE:bad'],
    ['DTSTAMP:20240101T000000Z', 'DTSTAMP:20240101T000000Z\r\nX-CALENDARSERVER-MASK-UID;VALUE=DATE-TIME:bad'],
    ['METHOD:REQUEST', 'METHOD;VALUE=DATE:xx'],
    // DURATION is no VFREEBUSY property (RFC 5545 §3.6.4): instead of DTEND it is refused, whatever its value.
    ['DTEND:20300102T000000Z', 'DURATION:PXYZ'],
    ['DTEND:20300102T000000Z', 'DURATION:P1D'],
  ];
  const before = await tokens(srv);
  for (const [from, to] of bad) {
    const body = good.replace(from, to);
    assert.is.not(body, good, to);
    const res = await post(srv, body);
    assert.is(res.status, 403, `${to}: ${res.status} ${res.text}`);
    assert.ok(errorConditions(res.text).includes(`{${CAL}}valid-scheduling-message`), `${to}: ${res.text}`);
  }
  assert.equal(await tokens(srv), before, 'nothing changed');
  assert.not.ok(srv.logLines.some((l) => /"level":50/.test(l)), 'no server error logged');
  // The same request with readable values is answered.
  assert.is((await post(srv, good)).status, 200);
});

t.run();
