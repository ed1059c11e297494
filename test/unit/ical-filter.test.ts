// The RFC 4791 §9.7 filter and §9.9 time-range rules evaluated on parsed objects, without HTTP:
// the corpus of hard cases (DST, all-day, UNTIL, EXDATE, overrides, alarms, to-dos), every
// row of the VEVENT and VTODO tables, text-match collations, negate, is-not-defined,
// param-filter, max-instances and zone handling.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  candidateBounds, checkFilter, collationOf, matchesFilter, textMatches,
  type CompFilter, type PropFilter, type TextMatch,
} from '../../src/ical/filter.js';
import { QueryObject, zoneOfCalendarTimezone, type QueryOptions } from '../../src/ical/query-object.js';
import { QueryError } from '../../src/ical/query-errors.js';
import { UTC_ZONE, ianaZone, localToUtc } from '../../src/ical/zones.js';
import { CORPUS, fixtures } from '../fixtures/query/corpus.js';

const t = suite('ical-filter');
const OPTS: QueryOptions = { floatingZone: UTC_ZONE, maxInstances: 10_000 };
const FIX = fixtures();

function utc(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function comp(name: string, extra: Partial<CompFilter> = {}): CompFilter {
  return { name, isNotDefined: false, timeRange: null, propFilters: [], compFilters: [], ...extra };
}
function vcal(...children: CompFilter[]): CompFilter {
  return comp('VCALENDAR', { compFilters: children });
}
function prop(name: string, extra: Partial<PropFilter> = {}): PropFilter {
  return { name, isNotDefined: false, timeRange: null, textMatch: null, paramFilters: [], ...extra };
}
function tm(value: string, extra: Partial<TextMatch> = {}): TextMatch {
  return { value, collation: 'i;ascii-casemap', negate: false, matchType: 'contains', ...extra };
}
function range(start: string | null, end: string | null) {
  return { start: start ? utc(start) : null, end: end ? utc(end) : null };
}

function hits(filter: CompFilter, opts: QueryOptions = OPTS, bodies: Map<string, string> = FIX): string[] {
  checkFilter(filter);
  const out: string[] = [];
  for (const [name, body] of bodies) if (matchesFilter(new QueryObject(body, opts), filter)) out.push(name);
  return out.sort();
}

function caseFilter(c: (typeof CORPUS)[number]): CompFilter {
  const r = range(c.start, c.end);
  if (c.comp === 'VALARM') return vcal(comp('VEVENT', { compFilters: [comp('VALARM', { timeRange: r })] }));
  return vcal(comp(c.comp, { timeRange: r }));
}

for (const c of CORPUS) {
  t(`corpus: ${c.about}`, () => {
    assert.equal(hits(caseFilter(c)), [...c.expect].sort());
  });
  t(`corpus (jumping ahead to the range): ${c.about}`, () => {
    assert.equal(hits(caseFilter(c), { ...OPTS, skipBefore: utc(c.start) }), [...c.expect].sort());
  });
}

// --- single objects --------------------------------------------------------------------------

function cal(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...lines, 'END:VCALENDAR'].join('\r\n') + '\r\n';
}
function ev(...lines: string[]): string {
  return cal('BEGIN:VEVENT', 'UID:x', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VEVENT');
}
function todo(...lines: string[]): string {
  return cal('BEGIN:VTODO', 'UID:x', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VTODO');
}
function matches(body: string, f: CompFilter, opts: QueryOptions = OPTS): boolean {
  return matchesFilter(new QueryObject(body, opts), f);
}
const inRange = (body: string, type: string, s: string | null, e: string | null, opts?: QueryOptions) => matches(body, vcal(comp(type, { timeRange: range(s, e) })), opts);

t('VEVENT table: DTEND (start < DTEND and end > DTSTART)', () => {
  const b = ev('DTSTART:20240101T100000Z', 'DTEND:20240101T110000Z');
  assert.ok(inRange(b, 'VEVENT', '20240101T105959Z', '20240101T120000Z'));
  assert.not.ok(inRange(b, 'VEVENT', '20240101T110000Z', '20240101T120000Z'));
  assert.not.ok(inRange(b, 'VEVENT', '20240101T090000Z', '20240101T100000Z'));
  assert.ok(inRange(b, 'VEVENT', null, '20240101T100001Z'));
  assert.ok(inRange(b, 'VEVENT', '20240101T100000Z', null));
});

t('VEVENT table: DURATION > 0, DURATION = 0, no end with DATE-TIME and with DATE', () => {
  const dur = ev('DTSTART:20240101T100000Z', 'DURATION:PT30M');
  assert.ok(inRange(dur, 'VEVENT', '20240101T102959Z', '20240101T110000Z'));
  assert.not.ok(inRange(dur, 'VEVENT', '20240101T103000Z', '20240101T110000Z'));
  const zero = ev('DTSTART:20240101T100000Z', 'DURATION:PT0S');
  assert.ok(inRange(zero, 'VEVENT', '20240101T100000Z', '20240101T100001Z'), 'start <= DTSTART');
  assert.not.ok(inRange(zero, 'VEVENT', '20240101T090000Z', '20240101T100000Z'), 'end > DTSTART');
  const point = ev('DTSTART:20240101T100000Z');
  assert.ok(inRange(point, 'VEVENT', '20240101T100000Z', '20240101T100001Z'));
  assert.not.ok(inRange(point, 'VEVENT', '20240101T100001Z', '20240101T110000Z'));
  const day = ev('DTSTART;VALUE=DATE:20240101');
  assert.ok(inRange(day, 'VEVENT', '20240101T235900Z', '20240102T000000Z'), 'a DATE start lasts one day');
  assert.not.ok(inRange(day, 'VEVENT', '20240102T000000Z', '20240103T000000Z'));
});

t('VTODO table: every row', () => {
  const r = (s: string, e: string) => ['20240101T' + s + 'Z', '20240101T' + e + 'Z'] as const;
  const dur = todo('DTSTART:20240101T100000Z', 'DURATION:PT1H');
  assert.ok(inRange(dur, 'VTODO', ...r('110000', '120000')), 'start <= DTSTART+DURATION');
  assert.not.ok(inRange(dur, 'VTODO', ...r('110001', '120000')));
  const due = todo('DTSTART:20240101T100000Z', 'DUE:20240101T110000Z');
  assert.ok(inRange(due, 'VTODO', ...r('100000', '100001')));
  assert.not.ok(inRange(due, 'VTODO', ...r('110000', '120000')), 'start < DUE fails and start > DTSTART');
  assert.not.ok(inRange(due, 'VTODO', ...r('090000', '100000')), 'end > DTSTART fails and end < DUE');
  const start = todo('DTSTART:20240101T100000Z');
  assert.ok(inRange(start, 'VTODO', ...r('100000', '100001')));
  assert.not.ok(inRange(start, 'VTODO', ...r('100001', '110000')));
  const onlyDue = todo('DUE:20240101T100000Z');
  assert.ok(inRange(onlyDue, 'VTODO', ...r('090000', '100000')), 'end >= DUE');
  assert.not.ok(inRange(onlyDue, 'VTODO', ...r('100000', '110000')), 'start < DUE');
  const both = todo('CREATED:20240101T080000Z', 'COMPLETED:20240101T120000Z');
  assert.ok(inRange(both, 'VTODO', ...r('090000', '100000')));
  assert.not.ok(inRange(both, 'VTODO', ...r('120001', '130000')));
  const completed = todo('COMPLETED:20240101T120000Z');
  assert.ok(inRange(completed, 'VTODO', ...r('110000', '120000')), 'end >= COMPLETED');
  assert.not.ok(inRange(completed, 'VTODO', ...r('120001', '130000')));
  const created = todo('CREATED:20240101T080000Z');
  assert.ok(inRange(created, 'VTODO', ...r('090000', '100000')));
  assert.not.ok(inRange(created, 'VTODO', ...r('070000', '080000')), 'end > CREATED');
  assert.ok(inRange(todo(), 'VTODO', ...r('070000', '080000')), 'no dates: TRUE');
});

t('VJOURNAL and VFREEBUSY rules', () => {
  const j = (...l: string[]) => cal('BEGIN:VJOURNAL', 'UID:j', 'DTSTAMP:20240101T000000Z', ...l, 'END:VJOURNAL');
  assert.ok(inRange(j('DTSTART;VALUE=DATE:20240101'), 'VJOURNAL', '20240101T120000Z', '20240101T130000Z'));
  assert.ok(inRange(j('DTSTART:20240101T120000Z'), 'VJOURNAL', '20240101T120000Z', '20240101T130000Z'));
  assert.not.ok(inRange(j(), 'VJOURNAL', '20240101T120000Z', '20240101T130000Z'), 'no DTSTART: FALSE');
  const fb = (...l: string[]) => cal('BEGIN:VFREEBUSY', 'UID:f', 'DTSTAMP:20240101T000000Z', ...l, 'END:VFREEBUSY');
  assert.ok(inRange(fb('DTSTART:20240101T100000Z', 'DTEND:20240101T120000Z'), 'VFREEBUSY', '20240101T120000Z', '20240101T130000Z'), 'start <= DTEND');
  assert.ok(inRange(fb('FREEBUSY:20240102T100000Z/PT1H'), 'VFREEBUSY', '20240102T103000Z', '20240102T130000Z'));
  assert.not.ok(inRange(fb('FREEBUSY:20240102T100000Z/PT1H'), 'VFREEBUSY', '20240102T110000Z', '20240102T130000Z'));
  assert.not.ok(inRange(fb(), 'VFREEBUSY', '20240102T110000Z', '20240102T130000Z'));
});

t('VALARM with RELATED=END, absolute trigger, and on a VTODO', () => {
  const alarmRange = (body: string, type: string, s: string, e: string) => matches(body, vcal(comp(type, { compFilters: [comp('VALARM', { timeRange: range(s, e) })] })));
  const endRel = ev('DTSTART:20240101T100000Z', 'DTEND:20240101T110000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER;RELATED=END:PT15M', 'END:VALARM');
  assert.ok(alarmRange(endRel, 'VEVENT', '20240101T111500Z', '20240101T111501Z'));
  assert.not.ok(alarmRange(endRel, 'VEVENT', '20240101T100000Z', '20240101T110000Z'));
  const abs = ev('DTSTART:20240101T100000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER;VALUE=DATE-TIME:20231231T180000Z', 'END:VALARM');
  assert.ok(alarmRange(abs, 'VEVENT', '20231231T170000Z', '20231231T190000Z'));
  const td = todo('DUE:20240105T120000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER;RELATED=END:-PT1H', 'END:VALARM');
  assert.ok(alarmRange(td, 'VTODO', '20240105T110000Z', '20240105T113000Z'));
});

t('alarms of a daily series fire for instances in the range', () => {
  const body = ev('DTSTART:20200101T090000Z', 'DTEND:20200101T100000Z', 'RRULE:FREQ=DAILY', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT30M', 'END:VALARM');
  const f = vcal(comp('VEVENT', { compFilters: [comp('VALARM', { timeRange: range('20240305T083000Z', '20240305T083001Z') })] }));
  assert.ok(matches(body, f));
  assert.ok(matches(body, f, { ...OPTS, skipBefore: utc('20240305T083000Z') }));
  assert.not.ok(matches(body, vcal(comp('VEVENT', { compFilters: [comp('VALARM', { timeRange: range('20240305T083001Z', '20240305T090000Z') })] }))));
});

t('floating and DATE values are read in the calendar timezone', () => {
  const berlinCal = FIX.get('berlin-dst')!.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/, '');
  const berlin = zoneOfCalendarTimezone(berlinCal);
  assert.ok(berlin, 'calendar-timezone parsed');
  const opts = { ...OPTS, floatingZone: berlin! };
  const floating = ev('DTSTART:20240701T100000', 'DTEND:20240701T110000');
  assert.ok(inRange(floating, 'VEVENT', '20240701T080000Z', '20240701T080001Z', opts), '10:00 Berlin summer = 08:00Z');
  assert.not.ok(inRange(floating, 'VEVENT', '20240701T080000Z', '20240701T080001Z'), 'in UTC it is 10:00Z');
  const day = ev('DTSTART;VALUE=DATE:20240101');
  assert.ok(inRange(day, 'VEVENT', '20231231T230000Z', '20231231T233000Z', opts), 'the day starts 23:00Z the day before');
  assert.not.ok(inRange(day, 'VEVENT', '20240101T230000Z', '20240101T233000Z', opts));
});

t('TZID without VTIMEZONE uses the IANA zone; an unknown TZID is floating', () => {
  const body = ev('DTSTART;TZID=America/New_York:20240701T100000', 'DURATION:PT1H');
  assert.ok(inRange(body, 'VEVENT', '20240701T140000Z', '20240701T140001Z'));
  const unknown = ev('DTSTART;TZID=Mars/Olympus:20240701T100000', 'DURATION:PT1H');
  assert.ok(inRange(unknown, 'VEVENT', '20240701T100000Z', '20240701T100001Z'));
});

t('zones: gaps take the offset before, repeated hours the first occurrence (RFC 5545 §3.3.5)', () => {
  const ny = ianaZone('America/New_York')!;
  assert.is(new Date(localToUtc(ny, Date.UTC(2024, 2, 10, 2, 30))).toISOString(), '2024-03-10T07:30:00.000Z');
  assert.is(new Date(localToUtc(ny, Date.UTC(2024, 10, 3, 1, 30))).toISOString(), '2024-11-03T05:30:00.000Z');
  const vtz = zoneOfCalendarTimezone(FIX.get('newyork-dst')!.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/, ''))!;
  assert.is(new Date(localToUtc(vtz, Date.UTC(2024, 2, 10, 2, 30))).toISOString(), '2024-03-10T07:30:00.000Z');
  assert.is(new Date(localToUtc(vtz, Date.UTC(2024, 10, 3, 1, 30))).toISOString(), '2024-11-03T05:30:00.000Z');
});

t('a VTIMEZONE with a SECONDLY rule costs bounded work', () => {
  const evil = cal('BEGIN:VTIMEZONE', 'TZID:Evil', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=SECONDLY', 'END:STANDARD', 'END:VTIMEZONE',
    'BEGIN:VEVENT', 'UID:e', 'DTSTAMP:20240101T000000Z', 'DTSTART;TZID=Evil:20240101T100000', 'DURATION:PT1H', 'END:VEVENT');
  const t0 = Date.now();
  inRange(evil, 'VEVENT', '20240101T000000Z', '20240102T000000Z');
  assert.ok(Date.now() - t0 < 2000);
});

t('a rule that never matches ends the walk instead of hanging', () => {
  const body = ev('DTSTART:20240101T100000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30');
  const t0 = Date.now();
  assert.ok(inRange(body, 'VEVENT', '20240101T000000Z', '20240102T000000Z'), 'DTSTART is still an instance');
  assert.not.ok(inRange(body, 'VEVENT', '20250101T000000Z', '20250102T000000Z'));
  assert.ok(Date.now() - t0 < 3000);
});

t('max-instances: a dense rule past the limit throws; the limit counts only what is walked', () => {
  const body = ev('DTSTART:20240101T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY;BYSECOND=0');
  const f = vcal(comp('VEVENT', { timeRange: range('20240301T000000Z', '20240301T000100Z') }));
  try {
    matches(body, f, { ...OPTS, maxInstances: 1000 });
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, QueryError);
    assert.is((err as QueryError).condition, 'max-instances');
  }
  assert.ok(matches(body, vcal(comp('VEVENT', { timeRange: range('20240101T001000Z', '20240101T001030Z') })), { ...OPTS, maxInstances: 1000 }));
});

t('a simple daily rule since 1990 jumps ahead instead of counting 12,000 instances', () => {
  const body = ev('DTSTART;TZID=Europe/Berlin:19900101T080000', 'DURATION:PT15M', 'RRULE:FREQ=DAILY');
  const f = vcal(comp('VEVENT', { timeRange: range('20240701T060000Z', '20240701T060100Z') }));
  assert.ok(matches(body, f, { ...OPTS, maxInstances: 100, skipBefore: utc('20240701T060000Z') }), '08:00 Berlin in summer = 06:00Z');
  const weekly = ev('DTSTART:19900101T080000Z', 'DURATION:PT15M', 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE');
  assert.ok(matches(weekly, vcal(comp('VEVENT', { timeRange: range('20240703T080000Z', '20240703T080100Z') })), { ...OPTS, maxInstances: 100, skipBefore: utc('20240703T080000Z') }));
  assert.not.ok(matches(weekly, vcal(comp('VEVENT', { timeRange: range('20240704T080000Z', '20240704T080100Z') })), { ...OPTS, maxInstances: 100, skipBefore: utc('20240704T080000Z') }));
});

t('a range open at the end finds the first instance of an endless rule', () => {
  const body = ev('DTSTART:20200101T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1');
  assert.ok(inRange(body, 'VEVENT', '20300101T093000Z', null));
});

// --- text-match, prop-filter, param-filter -----------------------------------------------------

const TEXT = FIX.get('text-match')!;
const summary = (m: TextMatch) => vcal(comp('VEVENT', { propFilters: [prop('SUMMARY', { textMatch: m })] }));

t('text-match collations: ascii-casemap folds ASCII only, unicode-casemap folds É, octet is exact', () => {
  assert.ok(matches(TEXT, summary(tm('meeting'))));
  assert.not.ok(matches(TEXT, summary(tm('café'))), 'ascii-casemap does not fold É');
  assert.ok(matches(TEXT, summary(tm('café', { collation: 'i;unicode-casemap' }))));
  assert.ok(matches(TEXT, summary(tm('CAFÉ', { collation: 'i;octet' }))));
  assert.not.ok(matches(TEXT, summary(tm('meeting', { collation: 'i;octet' }))));
  // RFC 5051 §2 maps each character to its one-character titlecase: ß has none (its "SS" is a
  // SpecialCasing full mapping), so it stays ß and does not equal SS — as CardDAV's collation
  // (the same code, unicode-casemap.ts); this used an approximation that folded ß to ss.
  assert.not.ok(textMatches(tm('STRASSE', { collation: 'i;unicode-casemap' }), 'Straße'));
  assert.ok(textMatches(tm('STRAßE', { collation: 'i;unicode-casemap' }), 'straße'));
});

t('negate-condition and match types', () => {
  assert.not.ok(matches(TEXT, summary(tm('meeting', { negate: true }))));
  assert.ok(matches(TEXT, summary(tm('lunch', { negate: true }))));
  assert.ok(matches(TEXT, summary(tm('café meeting', { matchType: 'equals', collation: 'i;unicode-casemap' }))));
  assert.not.ok(matches(TEXT, summary(tm('meeting', { matchType: 'starts-with' }))));
});

t('is-not-defined on properties and components', () => {
  assert.not.ok(matches(TEXT, vcal(comp('VEVENT', { propFilters: [prop('LOCATION', { isNotDefined: true })] }))));
  assert.ok(matches(TEXT, vcal(comp('VEVENT', { propFilters: [prop('URL', { isNotDefined: true })] }))));
  assert.ok(matches(TEXT, vcal(comp('VEVENT', { compFilters: [comp('VALARM', { isNotDefined: true })] }))));
  assert.not.ok(matches(FIX.get('alarm-before')!, vcal(comp('VEVENT', { compFilters: [comp('VALARM', { isNotDefined: true })] }))));
  assert.not.ok(matches(TEXT, vcal(comp('VTODO'))), 'a VEVENT resource has no VTODO');
  assert.ok(matches(TEXT, vcal(comp('VTODO', { isNotDefined: true }))));
});

t('param-filter: text-match and is-not-defined, on the same property instance', () => {
  const pf = (p: PropFilter['paramFilters']) => vcal(comp('VEVENT', { propFilters: [prop('ATTENDEE', { paramFilters: p })] }));
  assert.ok(matches(TEXT, pf([{ name: 'PARTSTAT', isNotDefined: false, textMatch: tm('needs-action') }])));
  assert.not.ok(matches(TEXT, pf([{ name: 'PARTSTAT', isNotDefined: false, textMatch: tm('declined') }])));
  assert.ok(matches(TEXT, pf([{ name: 'ROLE', isNotDefined: true, textMatch: null }])), 'alice has no ROLE');
  assert.not.ok(matches(TEXT, pf([{ name: 'CN', isNotDefined: false, textMatch: null }])));
  const both = vcal(comp('VEVENT', { propFilters: [prop('ATTENDEE', { textMatch: tm('alice'), paramFilters: [{ name: 'PARTSTAT', isNotDefined: false, textMatch: tm('NEEDS-ACTION') }] })] }));
  assert.not.ok(matches(TEXT, both), 'alice accepted; bob needs action: no single ATTENDEE has both');
});

t('prop-filter time-range on a DATE-TIME property and text-match on CATEGORIES', () => {
  assert.ok(matches(TEXT, vcal(comp('VEVENT', { propFilters: [prop('DTSTAMP', { timeRange: range('20240101T000000Z', '20240101T000001Z') })] }))));
  assert.not.ok(matches(TEXT, vcal(comp('VEVENT', { propFilters: [prop('DTSTAMP', { timeRange: range('20240102T000000Z', null) })] }))));
  assert.ok(matches(TEXT, vcal(comp('VEVENT', { propFilters: [prop('CATEGORIES', { textMatch: tm('coffee') })] }))));
});

t('filters on overrides see each component with its own properties', () => {
  const body = FIX.get('moved-in')!;
  const f = vcal(comp('VEVENT', { timeRange: range('20240803T000000Z', '20240804T000000Z'), propFilters: [prop('SUMMARY', { textMatch: tm('moved earlier') })] }));
  assert.ok(matches(body, f));
  const g = vcal(comp('VEVENT', { timeRange: range('20240803T000000Z', '20240804T000000Z'), propFilters: [prop('SUMMARY', { textMatch: tm('moved', { negate: true }) })] }));
  assert.not.ok(matches(body, g), 'the master has no instance on 08-03');
});

t('collations and filter shape errors', () => {
  assert.is(collationOf(undefined), 'i;ascii-casemap');
  try {
    collationOf('i;basic');
    assert.unreachable();
  } catch (err) {
    assert.is((err as QueryError).condition, 'supported-collation');
  }
  for (const bad of [comp('VEVENT'), comp('VCALENDAR', { timeRange: range('20240101T000000Z', null) }), vcal(comp('VTIMEZONE', { timeRange: range('20240101T000000Z', null) }))]) {
    try {
      checkFilter(bad);
      assert.unreachable();
    } catch (err) {
      assert.is((err as QueryError).condition, 'valid-filter');
    }
  }
});

t('candidate bounds: component type and the time-range of the type or of its VALARM', () => {
  assert.equal(candidateBounds(vcal(comp('VEVENT', { timeRange: range('20240101T000000Z', null) }))), { componentType: 'VEVENT', range: range('20240101T000000Z', null) });
  assert.equal(candidateBounds(vcal(comp('VTODO', { compFilters: [comp('VALARM', { timeRange: range(null, '20240101T000000Z') })] }))).range, range(null, '20240101T000000Z'));
  assert.equal(candidateBounds(vcal()), { componentType: null, range: null });
  assert.equal(candidateBounds(vcal(comp('VEVENT', { isNotDefined: true }))), { componentType: null, range: null });
});

t.run();
