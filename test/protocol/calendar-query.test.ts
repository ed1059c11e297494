// calendar-query, expand and free-busy-query over HTTP (RFC 4791 §7.8, §7.10, §9.6–§9.9): the
// corpus of hard cases with their expected hits, filters with collations, negate,
// is-not-defined and param-filter, the 403 preconditions (supported-collation, valid-filter,
// max-instances), Depth, calendar-timezone, calendar-data selection in multiget, and tsdav's
// time-range fetch with expand agreeing with the server.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DAVClient } from 'tsdav';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { C, XML_HEADERS, errorConditions as allConditions, parseMultistatus, propText, putOk } from '../helpers/dav.js';
import { ALL_EVENTS_2024, CORPUS, fixtures, type CorpusCase } from '../fixtures/query/corpus.js';

const t = suite<{ srv: TestServer }>('calendar-query');
/** The precondition elements of a <d:error>, without Sundial's own human-readable message. */
const errorConditions = (text: string) => allConditions(text).filter((n) => !n.startsWith('{http://sundial.invalid/'));
const USER = 'alice';
const HOME = `/dav/calendars/${USER}/`;
const UTC_CAL = `${HOME}utc/`;
const BERLIN_CAL = `${HOME}berlin/`;
const HUGE_CAL = `${HOME}huge/`;
const FB_CAL = `${HOME}fb/`;
const FIX = fixtures();
const BERLIN_TZ = FIX.get('berlin-dst')!.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/, '');

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function mkcalendarBody(components: string[], timezone?: string): string {
  const comps = components.map((c) => `<C:comp name="${c}"/>`).join('');
  const tz = timezone ? `<C:calendar-timezone>${esc(timezone)}</C:calendar-timezone>` : '';
  return `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar ${NS}><D:set><D:prop><C:supported-calendar-component-set>${comps}</C:supported-calendar-component-set>${tz}</D:prop></D:set></C:mkcalendar>`;
}

function queryBody(filter: string, opts: { data?: string; extra?: string } = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/>${opts.data ?? ''}</D:prop><C:filter>${filter}</C:filter>${opts.extra ?? ''}</C:calendar-query>`;
}

function rangeFilter(c: Pick<CorpusCase, 'comp' | 'start' | 'end'>): string {
  const tr = `<C:time-range start="${c.start}" end="${c.end}"/>`;
  if (c.comp === 'VALARM') return `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:comp-filter name="VALARM">${tr}</C:comp-filter></C:comp-filter></C:comp-filter>`;
  return `<C:comp-filter name="VCALENDAR"><C:comp-filter name="${c.comp}">${tr}</C:comp-filter></C:comp-filter>`;
}

async function report(srv: TestServer, path: string, body: string, depth: string | null = '1') {
  return srv.request('REPORT', path, { user: USER, headers: { ...XML_HEADERS, ...(depth === null ? {} : { Depth: depth }) }, body });
}

async function names(srv: TestServer, path: string, body: string, depth: string | null = '1'): Promise<string[]> {
  const res = await report(srv, path, body, depth);
  assert.is(res.status, 207, res.text.slice(0, 400));
  return parseMultistatus(res.text).responses.map((r) => r.href.slice(r.href.lastIndexOf('/') + 1).replace(/\.ics$/, '')).sort();
}

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  const mk = async (path: string, comps: string[], tz?: string) => {
    const res = await ctx.srv.request('MKCALENDAR', path, { user: USER, headers: XML_HEADERS, body: mkcalendarBody(comps, tz) });
    assert.is(res.status, 201, res.text);
  };
  await mk(UTC_CAL, ['VEVENT', 'VTODO']);
  await mk(BERLIN_CAL, ['VEVENT', 'VTODO'], BERLIN_TZ);
  await mk(HUGE_CAL, ['VEVENT']);
  await mk(FB_CAL, ['VEVENT', 'VFREEBUSY']);
  for (const [name, body] of FIX) await putOk(ctx.srv, USER, `${UTC_CAL}${name}.ics`, body);
  await putOk(ctx.srv, USER, `${BERLIN_CAL}allday-multiday.ics`, FIX.get('allday-multiday')!);
  await putOk(ctx.srv, USER, `${BERLIN_CAL}floating.ics`, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:floating\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240701T100000\r\nDTEND:20240701T110000\r\nSUMMARY:Floating\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
  await putOk(ctx.srv, USER, `${HUGE_CAL}minutely.ics`, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:minutely\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY;BYSECOND=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
});
t.after(async (ctx) => { await ctx.srv.close(); });

for (const c of CORPUS) {
  t(`corpus: ${c.about}`, async ({ srv }) => {
    assert.equal(await names(srv, UTC_CAL, queryBody(rangeFilter(c))), [...c.expect].sort());
  });
}

t('every event of 2024 is found (no over-filtering); VTODOs are not', async ({ srv }) => {
  assert.equal(await names(srv, UTC_CAL, queryBody(rangeFilter({ comp: 'VEVENT', start: '20240101T000000Z', end: '20250101T000000Z' }))), ALL_EVENTS_2024);
});

t('a filter on the component type alone lists every object of the type', async ({ srv }) => {
  assert.equal(await names(srv, UTC_CAL, queryBody('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter>')), ['todo-completed', 'todo-due', 'todo-nodate']);
  assert.is((await names(srv, UTC_CAL, queryBody('<C:comp-filter name="VCALENDAR"/>'))).length, FIX.size);
});

t('Depth 0 on the calendar answers no objects; a missing Depth is taken as 1; an object answers for itself', async ({ srv }) => {
  const body = queryBody('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter>');
  assert.equal(await names(srv, UTC_CAL, body, '0'), []);
  assert.is((await names(srv, UTC_CAL, body, null)).length, 3);
  assert.equal(await names(srv, `${UTC_CAL}todo-due.ics`, body, '0'), ['todo-due']);
  assert.equal(await names(srv, `${UTC_CAL}berlin-dst.ics`, body, '0'), []);
});

t('all-day and floating times are read in the calendar-timezone', async ({ srv }) => {
  const late = rangeFilter({ comp: 'VEVENT', start: '20240612T223000Z', end: '20240612T233000Z' });
  assert.equal(await names(srv, UTC_CAL, queryBody(late)), ['allday-multiday'], 'UTC: 06-12 is still the last day');
  assert.equal(await names(srv, BERLIN_CAL, queryBody(late)), [], 'Berlin: the event ended at 22:00Z');
  assert.equal(await names(srv, BERLIN_CAL, queryBody(rangeFilter({ comp: 'VEVENT', start: '20240701T080000Z', end: '20240701T080100Z' }))), ['floating']);
  // CALDAV:timezone in the request overrides the calendar's zone (§9.8)
  const utcTz = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:UTC0\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n';
  assert.equal(await names(srv, BERLIN_CAL, queryBody(late, { extra: `<C:timezone>${esc(utcTz)}</C:timezone>` })), ['allday-multiday']);
});

const textFilter = (inner: string) => `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${inner}</C:comp-filter></C:comp-filter>`;

t('text-match collations and negate-condition', async ({ srv }) => {
  const q = (attrs: string, value: string) => queryBody(textFilter(`<C:prop-filter name="SUMMARY"><C:text-match ${attrs}>${value}</C:text-match></C:prop-filter>`));
  assert.equal(await names(srv, UTC_CAL, q('', 'meeting')), ['text-match']);
  assert.equal(await names(srv, UTC_CAL, q('collation="i;ascii-casemap"', 'café')), []);
  assert.equal(await names(srv, UTC_CAL, q('collation="i;unicode-casemap"', 'café')), ['text-match']);
  assert.equal(await names(srv, UTC_CAL, q('collation="i;octet"', 'CAFÉ')), ['text-match']);
  assert.equal(await names(srv, UTC_CAL, q('collation="i;octet"', 'Meeting')), ['text-match']);
  assert.equal(await names(srv, UTC_CAL, q('collation="i;octet"', 'meeting')), []);
  const negated = await names(srv, UTC_CAL, q('negate-condition="yes"', 'meeting'));
  assert.ok(!negated.includes('text-match') && negated.includes('berlin-dst'));
});

t('is-not-defined and param-filter', async ({ srv }) => {
  const noAlarm = await names(srv, UTC_CAL, queryBody(textFilter('<C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter>')));
  assert.ok(!noAlarm.includes('alarm-before') && !noAlarm.includes('alarm-repeat') && noAlarm.includes('exdate'));
  assert.equal(await names(srv, UTC_CAL, queryBody(textFilter('<C:comp-filter name="VALARM"/>'))), ['alarm-before', 'alarm-repeat']);
  const located = await names(srv, UTC_CAL, queryBody(textFilter('<C:prop-filter name="LOCATION"><C:is-not-defined/></C:prop-filter>')));
  assert.ok(!located.includes('text-match') && located.includes('exdate'));
  const param = (v: string) => queryBody(textFilter(`<C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:text-match>${v}</C:text-match></C:param-filter></C:prop-filter>`));
  assert.equal(await names(srv, UTC_CAL, param('needs-action')), ['text-match']);
  assert.equal(await names(srv, UTC_CAL, param('declined')), []);
  assert.equal(await names(srv, UTC_CAL, queryBody(textFilter('<C:prop-filter name="ATTENDEE"><C:param-filter name="ROLE"><C:is-not-defined/></C:param-filter></C:prop-filter>'))), ['text-match']);
});

t('time-range combined with a prop-filter on overrides', async ({ srv }) => {
  const f = textFilter('<C:time-range start="20240803T000000Z" end="20240804T000000Z"/><C:prop-filter name="SUMMARY"><C:text-match>moved</C:text-match></C:prop-filter>');
  assert.equal(await names(srv, UTC_CAL, queryBody(f)), ['moved-in']);
});

t('an unsupported collation is 403 supported-collation', async ({ srv }) => {
  const res = await report(srv, UTC_CAL, queryBody(textFilter('<C:prop-filter name="SUMMARY"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter>')));
  assert.is(res.status, 403);
  assert.equal(errorConditions(res.text), [C('supported-collation')]);
});

t('malformed filters are 403 valid-filter', async ({ srv }) => {
  const bad = [
    '<C:comp-filter name="VEVENT"/>',
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="2024-01-01" end="20240102T000000Z"/></C:comp-filter></C:comp-filter>',
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter></C:comp-filter>',
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20240102T000000Z" end="20240101T000000Z"/></C:comp-filter></C:comp-filter>',
    '<C:comp-filter name="VCALENDAR"><C:comp-filter><C:is-not-defined/></C:comp-filter></C:comp-filter>',
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>',
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><D:href>/x</D:href></C:comp-filter></C:comp-filter>',
    '<C:comp-filter name="VCALENDAR"><C:time-range start="20240101T000000Z"/></C:comp-filter>',
    // A text-match value over 4096 characters (the needle is folded once per request and compared with every value).
    `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>${'x'.repeat(4097)}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`,
  ];
  for (const f of bad) {
    const res = await report(srv, UTC_CAL, queryBody(f));
    assert.is(res.status, 403, f);
    assert.equal(errorConditions(res.text), [C('valid-filter')], f);
  }
  const none = await report(srv, UTC_CAL, `<?xml version="1.0"?><C:calendar-query ${NS}><D:prop><D:getetag/></D:prop></C:calendar-query>`);
  assert.is(none.status, 403);
  assert.equal(errorConditions(none.text), [C('valid-filter')]);
});

t('an expansion past max-instances is 403 max-instances; a range near DTSTART is fine', async ({ srv }) => {
  // An expand of nine days of minutes (12,960 instances in the range asked) is refused;
  // instances before the range are not counted (issue 11 item 8), so a time-range far from
  // DTSTART is served.
  const res = await report(srv, HUGE_CAL, queryBody(rangeFilter({ comp: 'VEVENT', start: '20240301T000000Z', end: '20240310T000000Z' }), {
    data: '<C:calendar-data><C:expand start="20240301T000000Z" end="20240310T000000Z"/></C:calendar-data>',
  }));
  assert.is(res.status, 403);
  assert.equal(errorConditions(res.text), [C('max-instances')]);
  assert.equal(await names(srv, HUGE_CAL, queryBody(rangeFilter({ comp: 'VEVENT', start: '20240101T010000Z', end: '20240101T010100Z' }))), ['minutely']);
  assert.equal(await names(srv, HUGE_CAL, queryBody(rangeFilter({ comp: 'VEVENT', start: '20260301T000000Z', end: '20260302T000000Z' }))), ['minutely']);
});

t('calendar-data with expand over HTTP: instances in UTC, no recurrence properties', async ({ srv }) => {
  const body = queryBody(rangeFilter({ comp: 'VEVENT', start: '20240701T000000Z', end: '20240725T000000Z' }), {
    data: '<C:calendar-data><C:expand start="20240701T000000Z" end="20240725T000000Z"/></C:calendar-data>',
  });
  const res = await report(srv, UTC_CAL, body);
  assert.is(res.status, 207);
  const ms = parseMultistatus(res.text);
  assert.equal(ms.responses.map((r) => r.href.split('/').pop()), ['thisandfuture.ics']);
  const data = propText(ms.responses[0], C('calendar-data'))!;
  assert.equal([...data.matchAll(/^DTSTART:(\S+)/gm)].map((m) => m[1]), ['20240703T100000Z', '20240710T100000Z', '20240717T140000Z', '20240724T140000Z']);
  assert.not.match(data, /RRULE|VTIMEZONE/);
});

t('repeated queries answer byte for byte the same, and follow every write (create, change, delete)', async ({ srv }) => {
  // The candidates, the matches and the expanded renderings of a query are cached (by sync
  // token and etag); a repeated answer must equal the first, and a write must show at once.
  const cal = `${HOME}repeat/`;
  const mk = await srv.request('MKCALENDAR', cal, { user: USER, headers: XML_HEADERS, body: mkcalendarBody(['VEVENT']) });
  assert.is(mk.status, 201, mk.text);
  const event = (uid: string, start: string, extra = '') => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:${start}\r\nDURATION:PT1H\r\n${extra}SUMMARY:${uid} é\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  // Mondays 3, 10, 17 and 24 June (1 July is past the range end).
  await putOk(srv, USER, `${cal}weekly.ics`, event('weekly', '20240603T090000Z', 'RRULE:FREQ=WEEKLY;COUNT=10\r\n'));
  await putOk(srv, USER, `${cal}single.ics`, event('single', '20240612T090000Z'));
  const range = rangeFilter({ comp: 'VEVENT', start: '20240601T000000Z', end: '20240701T000000Z' });
  const plain = queryBody(range);
  const expand = queryBody(range, { data: '<C:calendar-data><C:expand start="20240601T000000Z" end="20240701T000000Z"/></C:calendar-data>' });
  const instances = async (): Promise<Record<string, number>> => {
    const res = await report(srv, cal, expand);
    assert.is(res.status, 207, res.text.slice(0, 400));
    const again = await report(srv, cal, expand);
    assert.is(again.text, res.text, 'a repeated expand answers the same bytes');
    const out: Record<string, number> = {};
    for (const r of parseMultistatus(res.text).responses) out[r.href.split('/').pop()!] = (propText(r, C('calendar-data'))!.match(/^BEGIN:VEVENT/gm) ?? []).length;
    return out;
  };
  const first = await report(srv, cal, plain);
  assert.is((await report(srv, cal, plain)).text, first.text);
  assert.equal(await names(srv, cal, plain), ['single', 'weekly']);
  assert.equal(await instances(), { 'single.ics': 1, 'weekly.ics': 4 });
  // Another property in the request is answered (here 404), not taken from the cached responses.
  const withName = await report(srv, cal, expand.replace('<D:getetag/>', '<D:getetag/><D:displayname/>'));
  for (const r of parseMultistatus(withName.text).responses) {
    assert.equal(r.propstats.map((p) => p.status).sort(), [200, 404], withName.text.slice(0, 600));
  }

  await putOk(srv, USER, `${cal}later.ics`, event('later', '20240620T090000Z'));
  assert.equal(await names(srv, cal, plain), ['later', 'single', 'weekly']);
  assert.equal(await instances(), { 'later.ics': 1, 'single.ics': 1, 'weekly.ics': 4 });

  await putOk(srv, USER, `${cal}single.ics`, event('single', '20240712T090000Z')); // moved out of June
  await putOk(srv, USER, `${cal}weekly.ics`, event('weekly', '20240603T090000Z', 'RRULE:FREQ=WEEKLY;COUNT=2\r\n'));
  assert.equal(await names(srv, cal, plain), ['later', 'weekly']);
  assert.equal(await instances(), { 'later.ics': 1, 'weekly.ics': 2 });

  const del = await srv.request('DELETE', `${cal}later.ics`, { user: USER });
  assert.is(del.status, 204);
  assert.equal(await names(srv, cal, plain), ['weekly']);
  assert.equal(await instances(), { 'weekly.ics': 2 });
});

t('calendar-data comp/prop selection in calendar-multiget; a plain calendar-data is byte for byte', async ({ srv }) => {
  const href = `${UTC_CAL}alarm-before.ics`;
  const data = '<C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VEVENT"><C:prop name="UID"/><C:prop name="SUMMARY"/></C:comp></C:comp></C:calendar-data>';
  const res = await report(srv, UTC_CAL, `<?xml version="1.0"?><C:calendar-multiget ${NS}><D:prop>${data}</D:prop><D:href>${href}</D:href></C:calendar-multiget>`);
  assert.is(res.status, 207);
  const text = propText(parseMultistatus(res.text).responses[0], C('calendar-data'))!;
  assert.equal(text.split(/\r?\n/).filter(Boolean), ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:alarm-before', 'SUMMARY:Dentist', 'END:VEVENT', 'END:VCALENDAR']);
  const plain = await report(srv, UTC_CAL, `<?xml version="1.0"?><C:calendar-multiget ${NS}><D:prop><C:calendar-data/></D:prop><D:href>${href}</D:href></C:calendar-multiget>`);
  assert.is(propText(parseMultistatus(plain.text).responses[0], C('calendar-data')), FIX.get('alarm-before')!.trim());
  const wrongType = await report(srv, UTC_CAL, `<?xml version="1.0"?><C:calendar-multiget ${NS}><D:prop><C:calendar-data content-type="application/calendar+json"/></D:prop><D:href>${href}</D:href></C:calendar-multiget>`);
  assert.is(wrongType.status, 403);
  assert.equal(errorConditions(wrongType.text), [C('supported-calendar-data')]);
});

t('free-busy-query: 200 text/calendar with merged busy periods by type', async ({ srv }) => {
  const ev = (uid: string, s: string, e: string, ...extra: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', `DTSTART:${s}`, `DTEND:${e}`, ...extra, 'END:VEVENT', 'END:VCALENDAR'].join('\r\n') + '\r\n';
  await putOk(srv, USER, `${FB_CAL}a.ics`, ev('a', '20240301T090000Z', '20240301T100000Z'));
  await putOk(srv, USER, `${FB_CAL}b.ics`, ev('b', '20240301T093000Z', '20240301T103000Z'));
  await putOk(srv, USER, `${FB_CAL}c.ics`, ev('c', '20240301T120000Z', '20240301T130000Z', 'STATUS:TENTATIVE'));
  await putOk(srv, USER, `${FB_CAL}d.ics`, ev('d', '20240301T140000Z', '20240301T150000Z', 'TRANSP:TRANSPARENT'));
  await putOk(srv, USER, `${FB_CAL}e.ics`, ev('e', '20240301T160000Z', '20240301T170000Z', 'STATUS:CANCELLED'));
  await putOk(srv, USER, `${FB_CAL}r.ics`, ev('r', '20240227T200000Z', '20240227T210000Z', 'RRULE:FREQ=DAILY'));
  await putOk(srv, USER, `${FB_CAL}fb.ics`, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VFREEBUSY', 'UID:fb', 'DTSTAMP:20240101T000000Z', 'FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240301T180000Z/PT1H', 'END:VFREEBUSY', 'END:VCALENDAR'].join('\r\n') + '\r\n');
  const res = await report(srv, FB_CAL, `<?xml version="1.0"?><C:free-busy-query ${NS}><C:time-range start="20240301T000000Z" end="20240302T000000Z"/></C:free-busy-query>`);
  assert.is(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/calendar/);
  const lines = res.text.split('\r\n');
  assert.ok(lines.includes('DTSTART:20240301T000000Z') && lines.includes('DTEND:20240302T000000Z'));
  assert.equal(lines.filter((l) => l.startsWith('FREEBUSY')), [
    'FREEBUSY;FBTYPE=BUSY:20240301T090000Z/20240301T103000Z',
    'FREEBUSY;FBTYPE=BUSY:20240301T200000Z/20240301T210000Z',
    'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240301T120000Z/20240301T130000Z',
    'FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240301T180000Z/20240301T190000Z',
  ]);
  const bad = await report(srv, FB_CAL, `<?xml version="1.0"?><C:free-busy-query ${NS}><C:time-range start="20240301T000000Z"/></C:free-busy-query>`);
  assert.is(bad.status, 403);
});

t('tsdav: time-range fetch with expand agrees with the corpus', async ({ srv }) => {
  const client = new DAVClient({ serverUrl: `${srv.url}/dav/`, credentials: { username: USER, password: PASSWORD }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  await client.login();
  const calendars = await client.fetchCalendars();
  const calendar = calendars.find((c) => new URL(c.url).pathname === UTC_CAL);
  assert.ok(calendar, 'tsdav discovers the calendar');
  const iso = (s: string) => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
  for (const c of CORPUS.filter((x) => x.comp === 'VEVENT')) {
    const timeRange = { start: iso(c.start), end: iso(c.end) };
    const objects = await client.fetchCalendarObjects({ calendar: calendar!, timeRange, expand: true });
    const got = objects.map((o) => new URL(o.url).pathname.split('/').pop()!.replace(/\.ics$/, '')).sort();
    assert.equal(got, [...c.expect].sort(), c.about);
    for (const o of objects) {
      const data = String(o.data ?? '');
      assert.not.match(data, /RRULE|EXDATE|VTIMEZONE|TZID=/, `${c.about}: expanded`);
      const starts = [...data.matchAll(/^DTSTART(;VALUE=DATE)?:(\S+)/gm)].map((m) => m[2]!);
      assert.ok(starts.length > 0, `${c.about}: at least one instance`);
      assert.ok(starts.every((s) => s.length === 8 || s.endsWith('Z')), `${c.about}: UTC instances`);
    }
  }
  const plain = await client.fetchCalendarObjects({ calendar: calendar!, timeRange: { start: iso('20240101T000000Z'), end: iso('20250101T000000Z') } });
  assert.equal(plain.map((o) => new URL(o.url).pathname.split('/').pop()!.replace(/\.ics$/, '')).sort(), ALL_EVENTS_2024);
});


t.run();
