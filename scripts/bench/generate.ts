// Deterministic benchmark calendar: N events, by index i (so the mix is exact at every N):
//   i % 20 in 0..15  → 80% single events with a TZID (and the VTIMEZONE they reference),
//   i % 20 in 16..18 → 15% recurring (DAILY/WEEKLY, COUNT or UNTIL or no end),
//   i % 20 == 19     →  5% weekly recurring with one overridden instance and a VALARM.
// Every object is ~1 KB (DESCRIPTION is padded), CRLF line endings, folded at 75 octets.
import { Prng } from './prng.js';

export type EventKind = 'single' | 'recurring' | 'override';

export interface BenchEvent {
  index: number;
  uid: string;
  /** Resource name inside the calendar collection (`<name>`, no slash). */
  name: string;
  kind: EventKind;
  tzid: string;
  ics: string;
}

export const VTIMEZONES: Record<string, string[]> = {
  'Europe/Berlin': [
    'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'America/New_York': [
    'BEGIN:VTIMEZONE', 'TZID:America/New_York',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0500', 'TZOFFSETTO:-0400', 'TZNAME:EDT', 'DTSTART:19700308T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:-0400', 'TZOFFSETTO:-0500', 'TZNAME:EST', 'DTSTART:19701101T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'America/Los_Angeles': [
    'BEGIN:VTIMEZONE', 'TZID:America/Los_Angeles',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0800', 'TZOFFSETTO:-0700', 'TZNAME:PDT', 'DTSTART:19700308T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:-0700', 'TZOFFSETTO:-0800', 'TZNAME:PST', 'DTSTART:19701101T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'Asia/Tokyo': [
    'BEGIN:VTIMEZONE', 'TZID:Asia/Tokyo',
    'BEGIN:STANDARD', 'TZOFFSETFROM:+0900', 'TZOFFSETTO:+0900', 'TZNAME:JST', 'DTSTART:19700101T000000', 'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'Australia/Sydney': [
    'BEGIN:VTIMEZONE', 'TZID:Australia/Sydney',
    'BEGIN:STANDARD', 'TZOFFSETFROM:+1100', 'TZOFFSETTO:+1000', 'TZNAME:AEST', 'DTSTART:19700405T030000', 'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU', 'END:STANDARD',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+1000', 'TZOFFSETTO:+1100', 'TZNAME:AEDT', 'DTSTART:19701004T020000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU', 'END:DAYLIGHT',
    'END:VTIMEZONE',
  ],
};

const ZONES: readonly string[] = [
  'Europe/Berlin', 'Europe/Berlin', 'Europe/Berlin', 'America/New_York', 'America/New_York',
  'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney',
];

const WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore '
  + 'et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea '
  + 'commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur').split(' ');
const TITLES = ['Team sync', 'Dentist', 'Lunch with Sam', 'Quarterly review', 'Yoga', 'Flight', 'Budget meeting',
  'Call with supplier', 'Standup', 'Piano lesson', 'Board meeting', 'Code review', 'Parents evening', 'Workshop'];
const PLACES = ['Room 4.12', 'Main office', 'Cafe Central', 'Online', 'Gym', 'Airport', 'Library', 'Studio B'];
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** First local day of the generated span and its length in days. */
export const SPAN_START = Date.UTC(2025, 6, 1);
export const SPAN_DAYS = 730;
const DAY = 86_400_000;

/** Local wall-clock time as a naive UTC epoch (arithmetic only) → "YYYYMMDDTHHMMSS". */
export function localStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
/** Offset (ms) of `tz` at UTC instant `utc`, from the platform's IANA data (matches VTIMEZONES for 2007+). */
function zoneOffset(tz: string, utc: number): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsetFormatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utc)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - utc;
}
/** Local wall-clock (naive epoch) in `tz` → UTC "YYYYMMDDTHHMMSSZ". */
function localToUtcStamp(tz: string, local: number): string {
  let utc = local - zoneOffset(tz, local);
  utc = local - zoneOffset(tz, utc);
  return `${localStamp(utc)}Z`;
}

/** Folds a content line at 75 octets (RFC 5545 §3.1); the data is ASCII. */
function fold(line: string): string {
  if (line.length <= 75) return line;
  const parts = [line.slice(0, 75)];
  for (let i = 75; i < line.length; i += 74) parts.push(` ${line.slice(i, i + 74)}`);
  return parts.join('\r\n');
}

function description(rng: Prng, length: number): string {
  const words: string[] = [];
  let n = 0;
  while (n < length) {
    const w = rng.pick(WORDS);
    words.push(w);
    n += w.length + 1;
  }
  return `${words.join(' ').slice(0, Math.max(1, length))}.`;
}

export interface GenerateOptions {
  n: number;
  seed: string;
}

/** Generates the calendar; the same (n, seed) gives byte-identical events, and event i does not depend on n. */
export function generateCalendar({ n, seed }: GenerateOptions): BenchEvent[] {
  const events: BenchEvent[] = [];
  for (let i = 0; i < n; i++) events.push(generateEvent(seed, i));
  return events;
}

function generateEvent(seed: string, i: number): BenchEvent {
  const rng = new Prng(`${seed}/${i}`);
  const slot = i % 20;
  const kind: EventKind = slot < 16 ? 'single' : slot < 19 ? 'recurring' : 'override';
  const tzid = rng.pick(ZONES);
  const id = String(i).padStart(6, '0');
  const uid = `${id}-${Math.floor(rng.next() * 0xffffffff).toString(16).padStart(8, '0')}@bench.sundial.invalid`;
  const name = `bench-${id}.ics`;

  const startDay = SPAN_START + rng.int(0, SPAN_DAYS - 1) * DAY;
  const start = startDay + rng.int(7, 20) * 3_600_000 + rng.pick([0, 15, 30, 45]) * 60_000;
  const minutes = kind === 'single' && rng.chance(0.03) ? rng.int(1, 4) * 1440 + rng.pick([0, 60, 120]) : rng.pick([30, 45, 60, 90, 120, 180]);
  const end = start + minutes * 60_000;
  const tzp = `;TZID=${tzid}`;

  const head = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//bench//EN', 'CALSCALE:GREGORIAN', ...VTIMEZONES[tzid]!];
  const master = [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20250601T120000Z',
    'SEQUENCE:0',
    `DTSTART${tzp}:${localStamp(start)}`,
    `DTEND${tzp}:${localStamp(end)}`,
    `SUMMARY:${rng.pick(TITLES)} ${id}`,
    `LOCATION:${rng.pick(PLACES)}`,
  ];
  const tail: string[] = [];
  const weekday = new Date(start).getUTCDay();

  if (kind === 'recurring') {
    const parts: string[] = [];
    if (rng.chance(0.3)) {
      parts.push('FREQ=DAILY');
      const interval = rng.int(1, 3);
      if (interval > 1) parts.push(`INTERVAL=${interval}`);
    } else {
      parts.push('FREQ=WEEKLY');
      if (rng.chance(0.5)) parts.push('INTERVAL=2');
      if (rng.chance(0.5)) {
        // BYDAY always holds DTSTART's weekday, so DTSTART is an instance under every reading of RFC 5545.
        const days = new Set([weekday, rng.int(1, 5), rng.int(1, 5)]);
        parts.push(`BYDAY=${[...days].sort().map((d) => DAYS[d]).join(',')}`);
      }
    }
    const ending = rng.next();
    if (ending < 0.45) parts.push(`COUNT=${rng.int(3, 60)}`);
    else if (ending < 0.8) {
      // UNTIL at 23:30 local on a later day: never equal to an instance start (those are 07:00–20:45).
      const untilLocal = startDay + rng.int(14, 400) * DAY + 23.5 * 3_600_000;
      parts.push(`UNTIL=${localToUtcStamp(tzid, untilLocal)}`);
    } // else: no end
    master.push(`RRULE:${parts.join(';')}`);
  } else if (kind === 'override') {
    const count = rng.int(6, 30);
    master.push(`RRULE:FREQ=WEEKLY;COUNT=${count}`);
    const k = rng.int(1, count - 1);
    const rid = start + k * 7 * DAY;
    let shift = (rng.int(0, 3) * 24 + rng.int(-2, 3)) * 3_600_000;
    if (shift === 0) shift = 3_600_000;
    tail.push(
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20250601T120000Z',
      'SEQUENCE:0',
      `RECURRENCE-ID${tzp}:${localStamp(rid)}`,
      `DTSTART${tzp}:${localStamp(rid + shift)}`,
      `DTEND${tzp}:${localStamp(rid + shift + (end - start))}`,
      `SUMMARY:Moved occurrence ${id}`,
      'END:VEVENT',
    );
  }
  const alarm = kind === 'override'
    ? ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM']
    : [];

  const target = rng.int(900, 1150);
  const fixed = [...head, ...master, 'DESCRIPTION:', ...alarm, 'END:VEVENT', ...tail, 'END:VCALENDAR'];
  const fixedBytes = fixed.reduce((s, l) => s + l.length + 2, 0);
  const padLength = Math.max(20, target - fixedBytes - Math.floor((target - fixedBytes) / 74) * 3);
  const lines = [...head, ...master, `DESCRIPTION:${description(rng, padLength)}`, ...alarm, 'END:VEVENT', ...tail, 'END:VCALENDAR'];
  const ics = `${lines.map(fold).join('\r\n')}\r\n`;
  return { index: i, uid, name, kind, tzid, ics };
}

/** A modified version of an event (the incremental-sync workload): SEQUENCE bumped, times unchanged. */
export function modifyEvent(ev: BenchEvent, round: number): BenchEvent {
  return { ...ev, ics: ev.ics.replace(/\r\nSEQUENCE:\d+\r\n/g, `\r\nSEQUENCE:${round}\r\n`) };
}
