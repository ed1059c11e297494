// The arithmetic walker of simple rules (rule-walk.ts simpleRuleWalker) against ical.js's iterator
// (RuleWalker) on random DAILY/WEEKLY/MONTHLY/YEARLY rules: the same instances in the same
// order, from DTSTART and after a jump ahead (COUNT included); the exact-instance columns of
// non-recurring events (instances.ts exactSingleEvent) against the query engine.
import ICAL from 'ical.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RuleWalker, simpleRuleWalker, untilTestWall, wallWalker } from '../../src/ical/rule-walk.js';
import { exactEventOverlaps, exactSingleEvent } from '../../src/ical/instances.js';
import { matchesFilter, type CompFilter } from '../../src/ical/filter.js';
import { QueryObject } from '../../src/ical/query-object.js';
import { parseCalendar } from '../../src/ical/parse.js';
import { UTC_ZONE, type Zone } from '../../src/ical/zones.js';
import { mulberry32 } from '../helpers/prng.js';

const t = suite('ical-rrule-fast');
const DAY = 86_400_000;

/** Small deterministic PRNG (mulberry32). */
const prng = mulberry32;

const DOW = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const pad = (n: number) => String(n).padStart(2, '0');

function randomCase(r: () => number): { rule: string; dtstart: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const y = 2020 + Math.floor(r() * 8);
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const isDate = r() < 0.2;
  const dtstart = isDate ? `${y}${pad(m)}${pad(d)}` : `${y}${pad(m)}${pad(d)}T${pad(Math.floor(r() * 24))}${pad(Math.floor(r() * 4) * 15)}00`;
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const freq = pick(['DAILY', 'DAILY', 'WEEKLY', 'WEEKLY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
  const parts = [`FREQ=${freq}`];
  const interval = pick([1, 1, 2, 3]);
  if (interval > 1 && !(freq === 'DAILY' && r() < 0.5)) parts.push(`INTERVAL=${interval}`);
  if ((freq === 'WEEKLY' || (freq === 'DAILY' && interval === 1)) && r() < 0.7) {
    const days = new Set([dow]);
    const extra = Math.floor(r() * 4);
    for (let i = 0; i < extra; i++) days.add(Math.floor(r() * 7));
    parts.push(`BYDAY=${[...days].map((x) => DOW[x]).join(',')}`);
    if (freq === 'WEEKLY' && r() < 0.4) parts.push(`WKST=${pick(DOW)}`);
  }
  const end = r();
  if (end < 0.4) parts.push(`COUNT=${1 + Math.floor(r() * 60)}`);
  else if (end < 0.7) {
    const u = new Date(Date.UTC(y, m - 1, d) + Math.floor(r() * 400) * DAY);
    const ud = `${u.getUTCFullYear()}${pad(u.getUTCMonth() + 1)}${pad(u.getUTCDate())}`;
    parts.push(`UNTIL=${isDate ? ud : `${ud}T${pad(Math.floor(r() * 24))}0000Z`}`);
  }
  return { rule: parts.join(';'), dtstart };
}

function take(next: () => number | null, limit: number, max: number): number[] {
  const out: number[] = [];
  for (let w = next(); w !== null && w <= limit && out.length < max; w = next()) out.push(w);
  return out;
}

t('simple rules: the same instances as ical.js, with and without a jump ahead', () => {
  const r = prng(4791);
  let simple = 0;
  for (let i = 0; i < 600; i++) {
    const c = randomCase(r);
    const rule = ICAL.Recur.fromString(c.rule);
    const dtstart = ICAL.Time.fromString(c.dtstart.length === 8 ? `${c.dtstart.slice(0, 4)}-${c.dtstart.slice(4, 6)}-${c.dtstart.slice(6)}` : `${c.dtstart.slice(0, 4)}-${c.dtstart.slice(4, 6)}-${c.dtstart.slice(6, 8)}T${c.dtstart.slice(9, 11)}:${c.dtstart.slice(11, 13)}:${c.dtstart.slice(13)}`, null);
    const pastUntil = untilTestWall(rule, (w) => w); // UTC zone
    const limit = Date.UTC(dtstart.year + 3, 0, 1);
    const expected = take(wallWalker(new RuleWalker(rule, dtstart, 20_000)).next, limit, 2000).filter((w) => !pastUntil(w));
    const fast = simpleRuleWalker(rule, dtstart, -Infinity);
    if (!fast) continue;
    simple++;
    const got = take(() => fast.next(), limit, 2000).filter((w) => !pastUntil(w));
    assert.equal(got, expected, `${c.rule} from ${c.dtstart}`);
    // Jumping to a later point keeps every instance from there on.
    const skip = Date.UTC(dtstart.year, 0, 1) + Math.floor(r() * 900) * DAY;
    const jumped = simpleRuleWalker(rule, dtstart, skip)!;
    const after = take(() => jumped.next(), limit, 4000).filter((w) => !pastUntil(w) && w >= skip);
    assert.equal(after, expected.filter((w) => w >= skip), `${c.rule} from ${c.dtstart} after ${new Date(skip).toISOString()}`);
  }
  assert.ok(simple > 400, `most random cases are simple (${simple})`);
});

t('rules the arithmetic does not cover are left to ical.js', () => {
  const start = ICAL.Time.fromString('2026-01-31T10:00:00', null);
  for (const rule of ['FREQ=MONTHLY', 'FREQ=MONTHLY;BYMONTHDAY=1', 'FREQ=WEEKLY;BYDAY=TU', 'FREQ=MONTHLY;BYDAY=1SA', 'FREQ=DAILY;INTERVAL=2;BYDAY=SA', 'FREQ=HOURLY;BYMINUTE=0,30']) {
    assert.is(simpleRuleWalker(ICAL.Recur.fromString(rule), start, -Infinity), null, rule);
  }
});

const ZONES = `BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n`;

function vcal(event: string): string {
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n${ZONES}BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\n${event}END:VEVENT\r\nEND:VCALENDAR\r\n`;
}

function exactOf(text: string): { start: number; end: number } | null {
  const v = parseCalendar(text);
  const tz = v.getAllSubcomponents('vtimezone');
  v.removeAllSubcomponents('vtimezone');
  return exactSingleEvent(v.getAllSubcomponents(), tz);
}

t('exact-instance columns: only for exact times, and they decide like the engine', () => {
  const cases: [string, boolean][] = [
    ['DTSTART;TZID=Europe/Berlin:20260329T013000\r\nDTEND;TZID=Europe/Berlin:20260329T033000\r\n', true],
    ['DTSTART:20260310T100000Z\r\nDURATION:PT1H\r\n', true],
    ['DTSTART;TZID=Europe/Berlin:20261025T023000\r\nDURATION:P1D\r\n', true],
    ['DTSTART:20260310T100000Z\r\n', true],
    ['DTSTART:20260310T100000Z\r\nDTEND:20260310T100000Z\r\n', true],
    ['DTSTART:20260310T100000Z\r\nDTEND:20260310T090000Z\r\n', true],
    ['DTSTART;TZID=Europe/Berlin:20260331T230000\r\nDTEND:20260401T000000Z\r\n', true],
    ['DTSTART:20260310T100000\r\nDTEND:20260310T110000\r\n', false], // floating
    ['DTSTART;VALUE=DATE:20260310\r\n', false], // all-day
    ['DTSTART:20260310T100000Z\r\nDTEND:20260310T110000\r\n', false], // floating end
    ['DTSTART;TZID=America/New_York:20260310T100000\r\n', false], // no VTIMEZONE
    ['DTSTART:20260310T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n', false],
  ];
  const other: Zone = { id: 'x', offsetAt: () => 5 * 3_600_000 };
  const ranges = [
    [Date.UTC(2026, 2, 1), Date.UTC(2026, 3, 1)], [Date.UTC(2026, 2, 10, 10), Date.UTC(2026, 2, 10, 10, 30)],
    [Date.UTC(2026, 2, 10, 9), Date.UTC(2026, 2, 10, 10)], [Date.UTC(2026, 2, 29, 0, 30), Date.UTC(2026, 2, 29, 1)],
    [Date.UTC(2026, 2, 31, 21), Date.UTC(2026, 2, 31, 22)], [Date.UTC(2026, 9, 26, 1, 30), Date.UTC(2026, 9, 26, 1, 31)],
    [Date.UTC(2026, 2, 10, 10), Date.UTC(2026, 2, 10, 10, 0, 1)],
  ] as const;
  for (const [event, isExact] of cases) {
    const text = vcal(event);
    const exact = exactOf(text);
    assert.is(exact !== null, isExact, event);
    if (!exact) continue;
    for (const [start, end] of ranges) {
      for (const floatingZone of [UTC_ZONE, other]) {
        for (const tr of [{ start, end }, { start, end: null }, { start: null, end }]) {
          const filter: CompFilter = { name: 'VCALENDAR', isNotDefined: false, timeRange: null, propFilters: [], compFilters: [{ name: 'VEVENT', isNotDefined: false, timeRange: tr, propFilters: [], compFilters: [] }] };
          const engine = matchesFilter(new QueryObject(text, { floatingZone, maxInstances: 100 }), filter);
          assert.is(exactEventOverlaps(exact.start, exact.end, tr), engine, `${event} ${JSON.stringify(tr)}`);
        }
      }
    }
  }
});

t.run();
