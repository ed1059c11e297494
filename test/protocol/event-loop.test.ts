// One costly calendar object must not stop the server for everyone (issue 11 items 2 and 8):
// while a calendar-query, an expand or a free-busy-query evaluates it, /healthz keeps answering
// within a small multiple of its idle latency. The objects: one stored before the PUT limits
// existed (40,001 RRULE lines, written to the store directly as an old version or an import
// would have), and one within the limits that is simply a lot of work. Latencies are compared
// with the idle baseline (the machine is loaded), with a generous floor.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { XML_HEADERS, errorConditions, putOk, C } from '../helpers/dav.js';
import { assertResponsive, idleLatency, probeDuring } from '../helpers/latency.js';

const t = suite<{ srv: TestServer; calId: number }>('event-loop');
const USER = 'alice';
const CAL = `/dav/calendars/${USER}/flood/`;
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

function floodEvent(rules: number, uid: string): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'DTSTART:20240101T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY'];
  for (let i = 0; i < rules; i++) lines.push(`RRULE:FREQ=MINUTELY;INTERVAL=${i + 2}`);
  lines.push('END:VEVENT', 'END:VCALENDAR', '');
  return lines.join('\r\n');
}

function queryBody(start: string, end: string, expand = false): string {
  const data = expand ? `<C:calendar-data><C:expand start="${start}" end="${end}"/></C:calendar-data>` : '';
  return `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/>${data}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
}

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_MAX_INSTANCES: '1000000' });
  await ctx.srv.addUser(USER);
  const mk = await ctx.srv.request('MKCALENDAR', CAL, { user: USER });
  assert.is(mk.status, 201, mk.text);
  const user = await ctx.srv.store.getUser(USER);
  const inst = await ctx.srv.store.getInstance(user!.id, 'flood');
  ctx.calId = inst!.collection.id;
});
t.after(async (ctx) => { await ctx.srv.close(); });

t('the 40,001-RRULE object of issue 11 is refused at PUT with valid-calendar-data', async ({ srv }) => {
  const res = await srv.request('PUT', `${CAL}refused.ics`, { user: USER, headers: { 'Content-Type': 'text/calendar' }, body: floodEvent(40_000, 'flood-put') });
  assert.is(res.status, 403, res.text.slice(0, 300));
  assert.ok(errorConditions(res.text).includes(C('valid-calendar-data')));
  assert.match(res.text, /RRULE/);
  assert.is((await srv.request('GET', `${CAL}refused.ics`, { user: USER })).status, 404);
});

t('an object stored before the limits (40,001 RRULEs) keeps /healthz answering during a query and an expand', async ({ srv, calId }) => {
  const data = Buffer.from(floodEvent(40_000, 'flood-legacy'));
  // As an older version or an import would have stored it: no validation, unbounded columns.
  await srv.store.putObject(calId, { name: 'legacy.ics', data, contentType: 'text/calendar; charset=utf-8; component=vevent', uid: 'flood-legacy', componentType: 'VEVENT', firstStart: Date.UTC(2024, 0, 1), lastEnd: null });
  const idle = await idleLatency(srv);
  for (const expand of [false, true]) {
    const run = await probeDuring(srv, () => srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: queryBody('20260301T000000Z', '20260302T000000Z', expand) }));
    // Answered (207, or 403 max-instances once the object has used its processor time), never a 500.
    assert.ok(run.result.status === 207 || (run.result.status === 403 && errorConditions(run.result.text).includes(C('max-instances'))), `${run.result.status} ${run.result.text.slice(0, 300)}`);
    // Before the fix the report held the event loop for a minute and /healthz waited as long;
    // now the object is refused before ical.js parses it (its 40,000 lines alone hold the loop
    // for most of a second).
    assertResponsive(run, idle);
  }
  await srv.store.deleteObject(calId, 'legacy.ics');
});

t('a costly object within the limits keeps /healthz answering during a free-busy-query', async ({ srv }) => {
  // Every 10 s for a week is 60,480 instances, walked by ical.js (BYSECOND): seconds of work.
  const body = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:dense\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nDURATION:PT5S\r\nRRULE:FREQ=MINUTELY;BYSECOND=0,10,20,30,40,50\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  await putOk(srv, USER, `${CAL}dense.ics`, body);
  const idle = await idleLatency(srv);
  const fb = `<?xml version="1.0" encoding="utf-8"?><C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260301T000000Z" end="20260308T000000Z"/></C:free-busy-query>`;
  const run = await probeDuring(srv, () => srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: fb }));
  assert.ok(run.result.status === 200 || run.result.status === 403, `${run.result.status} ${run.result.text.slice(0, 300)}`);
  if (run.result.status === 200) assert.match(run.result.text, /FREEBUSY/);
  assertResponsive(run, idle);
});

t('a costly object within the limits keeps /healthz answering during a calendar-multiget with expand', async ({ srv }) => {
  // dense.ics of the previous test: a week of instances every 10 s (60,480) to expand.
  // calendar-multiget rendered expand synchronously (bounded by the evaluation budget, but in
  // one piece: /healthz waited 4.5 s); it now renders in slices like calendar-query, and the
  // expansion itself is built and written in slices (ical/calendar-data.ts; the walk alone was
  // sliced before, and building and writing 60,480 components held the loop for 3 s).
  const idle = await idleLatency(srv);
  const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data><C:expand start="20260301T000000Z" end="20260308T000000Z"/></C:calendar-data></D:prop><D:href>${CAL}dense.ics</D:href></C:calendar-multiget>`;
  const run = await probeDuring(srv, () => srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body }));
  assert.ok(run.result.status === 207 || (run.result.status === 403 && errorConditions(run.result.text).includes(C('max-instances'))), `${run.result.status} ${run.result.text.slice(0, 300)}`);
  assertResponsive(run, idle);
});

t.run();
