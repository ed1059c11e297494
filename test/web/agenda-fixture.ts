// A calendar seeded for the agenda tests (API and browser): a weekly series in Europe/Berlin with
// an EXDATE and a moved-and-renamed override, a three-day all-day series, a multi-day all-day
// event, a timed event across midnight, a monthly second-Tuesday series and a floating event.
// `serverExpand` asks the server's CalDAV calendar-query with <C:expand> for the same range, so
// the tests compare the agenda against the server's own expansion, not against a copy of it.
import { C, parseMultistatus, propText, putOk } from '../helpers/dav.js';
import type { TestServer } from '../helpers/server.js';

const BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

const cal = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial tests//EN', ...lines, 'END:VCALENDAR'].join('\r\n') + '\r\n';

export const SEED: Record<string, string> = {
  'standup.ics': cal(...BERLIN,
    'BEGIN:VEVENT', 'UID:standup@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=Europe/Berlin:20260601T093000', 'DTEND;TZID=Europe/Berlin:20260601T094500',
    'RRULE:FREQ=WEEKLY;BYDAY=MO,WE', 'EXDATE;TZID=Europe/Berlin:20260708T093000', 'SUMMARY:Stand-up', 'LOCATION:Room 1', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:standup@test', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20260713T093000',
    'DTSTART;TZID=Europe/Berlin:20260714T140000', 'DTEND;TZID=Europe/Berlin:20260714T150000', 'SUMMARY:Stand-up (moved)', 'END:VEVENT'),
  'camp.ics': cal('BEGIN:VEVENT', 'UID:camp@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260720', 'DTEND;VALUE=DATE:20260721', 'RRULE:FREQ=DAILY;COUNT=3', 'SUMMARY:Camp day', 'END:VEVENT'),
  'holiday.ics': cal('BEGIN:VEVENT', 'UID:holiday@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260724', 'DTEND;VALUE=DATE:20260728', 'SUMMARY:Holiday by the sea', 'END:VEVENT'),
  'night.ics': cal('BEGIN:VEVENT', 'UID:night@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260710T210000Z', 'DTEND:20260711T030000Z', 'SUMMARY:Night train', 'END:VEVENT'),
  'board.ics': cal('BEGIN:VEVENT', 'UID:board@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260113T160000Z', 'DURATION:PT2H', 'RRULE:FREQ=MONTHLY;BYDAY=2TU', 'SUMMARY:Board meeting', 'END:VEVENT'),
  'floating.ics': cal('BEGIN:VEVENT', 'UID:floating@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260716T120000', 'DTEND:20260716T130000', 'SUMMARY:Lunch (floating)', 'END:VEVENT'),
};

/** The agenda's range in the tests: the six weeks a July 2026 month grid shows (Monday weeks). */
export const RANGE = { start: '2026-06-29T00:00:00.000Z', end: '2026-08-10T00:00:00.000Z' };

export async function seed(srv: TestServer, user: string, calendar = 'personal'): Promise<void> {
  for (const [name, body] of Object.entries(SEED)) await putOk(srv, user, `/dav/calendars/${user}/${calendar}/${name}`, body);
}

export interface SeenInstance {
  uid: string;
  start: string;
  end: string;
  summary: string;
}

const basicToIso = (v: string) => (v.length === 8 ? `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}` : new Date(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T${v.slice(9, 11)}:${v.slice(11, 13)}:${v.slice(13, 15)}Z`).toISOString());
/** RFC 5545 §3.3.11 TEXT unescaping. */
const unescape = (v: string) => v.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');

/** The server's expansion of the calendar over `range` (RFC 4791 §9.6.5), one record per instance, sorted. */
export async function serverExpand(srv: TestServer, user: string, calendar: string, range: { start: string; end: string }): Promise<SeenInstance[]> {
  const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:expand start="${compact(range.start)}" end="${compact(range.end)}"/></C:calendar-data></D:prop>`
    + `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${compact(range.start)}" end="${compact(range.end)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
  const res = await srv.request('REPORT', `/dav/calendars/${user}/${calendar}/`, { user, headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, body });
  if (res.status !== 207) throw new Error(`REPORT → ${res.status} ${res.text.slice(0, 300)}`);
  const out: SeenInstance[] = [];
  for (const r of parseMultistatus(res.text).responses) {
    const text = (propText(r, C('calendar-data')) ?? '').replace(/\r?\n[ \t]/g, '');
    for (const block of text.split('BEGIN:VEVENT').slice(1)) {
      const get = (name: string) => new RegExp(`^${name}(?:;[^:\\r\\n]*)?:([^\\r\\n]*)`, 'm').exec(block)?.[1] ?? '';
      const start = basicToIso(get('DTSTART'));
      const endRaw = get('DTEND');
      let end = endRaw ? basicToIso(endRaw) : '';
      if (!endRaw) {
        const dur = /^PT(\d+)H$/.exec(get('DURATION'));
        end = dur ? new Date(Date.parse(start) + Number(dur[1]) * 3_600_000).toISOString() : start;
      }
      out.push({ uid: get('UID'), start, end, summary: unescape(get('SUMMARY')) });
    }
  }
  return sortSeen(out);
}

export function sortSeen(list: SeenInstance[]): SeenInstance[] {
  return [...list].sort((a, b) => (a.start + a.uid).localeCompare(b.start + b.uid));
}
