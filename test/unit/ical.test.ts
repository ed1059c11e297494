import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CalendarDataError,
  type CalendarDataCondition,
  type CalendarObjectInfo,
  type ValidateOptions,
  validateCalendarObject,
} from '../../src/ical/validate.js';

const ALL: ValidateOptions = { allowedComponents: ['VEVENT', 'VTODO', 'VJOURNAL'] };
const HOUR = 3_600_000;
const at = (iso: string): number => Date.parse(iso);

const BERLIN = `BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE`;

/** A VCALENDAR around `body`, with CRLF line ends as clients send them. */
function cal(body: string, head = 'VERSION:2.0\nPRODID:-//Sundial//Test//EN'): string {
  return `BEGIN:VCALENDAR\n${head}\n${body.trim()}\nEND:VCALENDAR\n`.replace(/\n/g, '\r\n');
}

function event(props: string, extra = ''): string {
  return `BEGIN:VEVENT\nUID:ev-1\nDTSTAMP:20240101T000000Z\n${props.trim()}\n${extra}END:VEVENT\n`;
}

function ok(data: string | Buffer, opts = ALL): CalendarObjectInfo {
  return validateCalendarObject(data, opts);
}

function fails(condition: CalendarDataCondition, data: string | Buffer, opts = ALL): void {
  try {
    validateCalendarObject(data, opts);
  } catch (err) {
    assert.instance(err, CalendarDataError);
    assert.is((err as CalendarDataError).condition, condition, (err as Error).message);
    return;
  }
  assert.unreachable(`expected ${condition}`);
}

// --- valid objects -------------------------------------------------------------------------

test('valid event', () => {
  const info = ok(cal(event('SUMMARY:Lunch\nDTSTART:20240115T120000Z\nDTEND:20240115T130000Z')));
  assert.equal(info, {
    uid: 'ev-1',
    componentType: 'VEVENT',
    firstStart: at('2024-01-15T12:00:00Z'),
    lastEnd: at('2024-01-15T13:00:00Z'),
  });
});

test('valid todo', () => {
  const info = ok(cal('BEGIN:VTODO\nUID:td-1\nDTSTAMP:20240101T000000Z\nSUMMARY:Taxes\nEND:VTODO'));
  assert.is(info.uid, 'td-1');
  assert.is(info.componentType, 'VTODO');
});

test('valid journal', () => {
  const info = ok(cal('BEGIN:VJOURNAL\nUID:jo-1\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240115\nEND:VJOURNAL'));
  assert.is(info.componentType, 'VJOURNAL');
  assert.is(info.firstStart, at('2024-01-15T00:00:00Z') - 14 * HOUR);
  assert.is(info.lastEnd, at('2024-01-16T00:00:00Z') + 14 * HOUR);
});

test('missing PRODID and VERSION are tolerated; a BOM and Buffer input are accepted', () => {
  const text = cal(event('DTSTART:20240115T120000Z'), 'CALSCALE:GREGORIAN');
  assert.is(ok(Buffer.from(`\uFEFF${text}`, 'utf8')).uid, 'ev-1');
});

test('master with RECURRENCE-ID overrides of the same UID is one resource', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY;COUNT=3') +
    event('RECURRENCE-ID:20240102T100000Z\nDTSTART:20240102T120000Z')));
  assert.is(info.uid, 'ev-1');
});

// --- valid-calendar-data -------------------------------------------------------------------

test('not UTF-8', () => {
  const text = cal(event('DTSTART:20240115T120000Z\nSUMMARY:Caf\u00e9'));
  fails('valid-calendar-data', Buffer.from(text, 'latin1'));
});

test('garbage bytes', () => {
  fails('valid-calendar-data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  fails('valid-calendar-data', 'hello world');
  fails('valid-calendar-data', 'hello:world');
  fails('valid-calendar-data', '');
  fails('valid-calendar-data', 'END:VCALENDAR\r\n');
});

test('not a VCALENDAR', () => {
  fails('valid-calendar-data', event('DTSTART:20240115T120000Z').replace(/\n/g, '\r\n'));
});

test('unbalanced BEGIN/END', () => {
  fails('valid-calendar-data', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VTODO\r\nEND:VCALENDAR\r\n');
  fails('valid-calendar-data', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\n');
});

test('VERSION other than 2.0', () => {
  fails('valid-calendar-data', cal(event('DTSTART:20240115T120000Z'), 'VERSION:1.0'));
});

test('unreadable date and rule values', () => {
  fails('valid-calendar-data', cal(event('DTSTART:garbage')));
  fails('valid-calendar-data', cal(event('DTSTART:20240115T120000Z\nRRULE:FREQ=YEARLY;BYMONTH=13')));
  fails('valid-calendar-data', cal(event('DTSTART:20240115T120000Z\nDURATION:soon')));
});

// --- valid-calendar-object-resource (RFC 4791 §4.1) -----------------------------------------

test('METHOD present', () => {
  fails('valid-calendar-object-resource', cal(event('DTSTART:20240115T120000Z'), 'VERSION:2.0\nMETHOD:REQUEST'));
});

test('two UIDs', () => {
  const second = event('DTSTART:20240116T120000Z').replace('UID:ev-1', 'UID:ev-2');
  fails('valid-calendar-object-resource', cal(event('DTSTART:20240115T120000Z') + second));
});

test('two UID properties in one component', () => {
  fails('valid-calendar-object-resource', cal(event('UID:ev-2\nDTSTART:20240115T120000Z')));
});

test('override whose UID differs from the master', () => {
  const override = event('RECURRENCE-ID:20240102T100000Z\nDTSTART:20240102T120000Z').replace('UID:ev-1', 'UID:other');
  fails('valid-calendar-object-resource', cal(event('DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY') + override));
});

test('component without UID', () => {
  fails('valid-calendar-object-resource', cal(event('DTSTART:20240115T120000Z').replace('UID:ev-1\n', '')));
  fails('valid-calendar-object-resource', cal(event('DTSTART:20240115T120000Z').replace('UID:ev-1', 'UID:')));
});

test('mixed component types', () => {
  const todo = 'BEGIN:VTODO\nUID:ev-1\nDTSTAMP:20240101T000000Z\nEND:VTODO\n';
  fails('valid-calendar-object-resource', cal(event('DTSTART:20240115T120000Z') + todo));
});

test('no component at all, or only a VTIMEZONE', () => {
  fails('valid-calendar-object-resource', cal(''));
  fails('valid-calendar-object-resource', cal(BERLIN));
});

test('two VCALENDARs in one resource', () => {
  const one = cal(event('DTSTART:20240115T120000Z'));
  fails('valid-calendar-object-resource', one + one);
});

// --- supported-calendar-component ----------------------------------------------------------

test('type not in the supported set', () => {
  const journal = cal('BEGIN:VJOURNAL\nUID:jo-1\nDTSTAMP:20240101T000000Z\nEND:VJOURNAL');
  fails('supported-calendar-component', journal, { allowedComponents: ['VEVENT', 'VTODO'] });
  assert.is(ok(journal, { allowedComponents: ['vjournal'] }).componentType, 'VJOURNAL');
  fails('supported-calendar-component', cal('BEGIN:X-THING\nUID:x\nEND:X-THING'));
});

// --- time zones ----------------------------------------------------------------------------

test('single timed event with TZID and its VTIMEZONE (Europe/Berlin)', () => {
  const info = ok(cal(BERLIN + '\n' +
    event('DTSTART;TZID=Europe/Berlin:20240115T100000\nDTEND;TZID=Europe/Berlin:20240115T110000')));
  // True instance 09:00Z-10:00Z; the zone declares +01/+02, so the start may be read 1 h early.
  assert.is(info.firstStart, at('2024-01-15T08:00:00Z'));
  assert.is(info.lastEnd, at('2024-01-15T10:00:00Z'));
});

test('missing VTIMEZONE for a TZID is tolerated and read as floating', () => {
  const info = ok(cal(event('DTSTART;TZID=Mars/Olympus_Mons:20240115T100000\nDTEND;TZID=Mars/Olympus_Mons:20240115T110000')));
  assert.is(info.firstStart, at('2024-01-15T10:00:00Z') - 14 * HOUR);
  assert.is(info.lastEnd, at('2024-01-15T11:00:00Z') + 14 * HOUR);
});

test('a hostile VTIMEZONE rule is never expanded', () => {
  const hostile = BERLIN.replace('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'RRULE:FREQ=SECONDLY');
  const started = Date.now();
  const info = ok(cal(hostile + '\n' + event('DTSTART;TZID=Europe/Berlin:20240115T100000')));
  assert.ok(Date.now() - started < 1000);
  assert.is(info.firstStart, at('2024-01-15T08:00:00Z'));
});

// --- first / last instance -----------------------------------------------------------------

test('all-day multi-day event is widened by 14 h on both sides', () => {
  const info = ok(cal(event('DTSTART;VALUE=DATE:20240301\nDTEND;VALUE=DATE:20240304')));
  assert.is(info.firstStart, at('2024-02-29T10:00:00Z'));
  assert.is(info.lastEnd, at('2024-03-04T14:00:00Z'));
});

test('all-day event without DTEND lasts one day', () => {
  const info = ok(cal(event('DTSTART;VALUE=DATE:20240301')));
  assert.is(info.lastEnd, at('2024-03-02T14:00:00Z'));
});

test('DURATION gives the end', () => {
  const info = ok(cal(event('DTSTART:20240115T100000Z\nDURATION:PT90M')));
  assert.is(info.lastEnd, at('2024-01-15T11:30:00Z'));
});

test('RRULE with COUNT', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5')));
  assert.is(info.firstStart, at('2024-01-01T10:00:00Z'));
  assert.is(info.lastEnd, at('2024-01-05T11:00:00Z'));
});

test('RRULE with UNTIL', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=WEEKLY;UNTIL=20240301T000000Z')));
  assert.is(info.lastEnd, at('2024-02-26T11:00:00Z'));
});

test('RRULE UNTIL in UTC against a zoned DTSTART keeps the last instance', () => {
  // The last instance, Jan 10 10:00 Berlin, is 09:00Z: exactly UNTIL, so it is included.
  const info = ok(cal(BERLIN + '\n' + event(
    'DTSTART;TZID=Europe/Berlin:20240101T100000\nDTEND;TZID=Europe/Berlin:20240101T110000\n' +
      'RRULE:FREQ=DAILY;UNTIL=20240110T090000Z')));
  const trueLastEnd = at('2024-01-10T10:00:00Z');
  assert.ok(info.lastEnd !== null && info.lastEnd >= trueLastEnd && info.lastEnd <= trueLastEnd + 2 * 24 * HOUR);
});

test('infinite RRULE has no last end', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE')));
  assert.is(info.firstStart, at('2024-01-01T10:00:00Z'));
  assert.is(info.lastEnd, null);
});

test('expansion cap reached counts as unbounded', () => {
  const body = event('DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY;BYHOUR=10;COUNT=1000');
  assert.is(ok(cal(body), { ...ALL, maxInstancesScan: 100 }).lastEnd, null);
  assert.is(ok(cal(body)).lastEnd, at('2026-09-26T10:00:00Z'));
});

test('rules without BYxxx parts are computed, not iterated, and agree with iteration', () => {
  const last = (rule: string): number | null =>
    ok(cal(event(`DTSTART;TZID=Europe/Berlin:20240101T100000\nRRULE:${rule}`, '') + BERLIN), { ...ALL, maxInstancesScan: 10 }).lastEnd;
  const iterated = (rule: string): number | null =>
    ok(cal(event(`DTSTART;TZID=Europe/Berlin:20240101T100000\nRRULE:${rule}`, '') + BERLIN)).lastEnd;
  assert.is(last('FREQ=DAILY;INTERVAL=3;COUNT=100000'), at('2845-05-13T09:00:00Z'));
  assert.is(last('FREQ=WEEKLY;UNTIL=20240610T080000Z'), iterated('FREQ=WEEKLY;BYDAY=MO;UNTIL=20240610T080000Z'));
  assert.is(last('FREQ=HOURLY;INTERVAL=5;COUNT=40'), iterated('FREQ=HOURLY;INTERVAL=5;BYMINUTE=0;COUNT=40'));
});

test('a rule that never matches does not hang', () => {
  const started = Date.now();
  const info = ok(cal(event('DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3')),
    { ...ALL, maxInstancesScan: 5000 });
  assert.ok(Date.now() - started < 2000);
  assert.is(info.firstStart, at('2024-01-01T10:00:00Z'));
  assert.is(info.lastEnd, null);
});

test('RDATE before DTSTART and an RDATE period after the rule', () => {
  const info = ok(cal(event('DTSTART:20240110T100000Z\nDTEND:20240110T110000Z\nRRULE:FREQ=DAILY;COUNT=2\n' +
    'RDATE:20240105T100000Z\nRDATE;VALUE=PERIOD:20240201T080000Z/PT5H')));
  assert.is(info.firstStart, at('2024-01-05T10:00:00Z'));
  assert.is(info.lastEnd, at('2024-02-01T13:00:00Z'));
});

test('EXDATE never narrows the bounds', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20240103T100000Z')));
  assert.is(info.lastEnd, at('2024-01-03T11:00:00Z'));
});

test('override moved later than the last rule instance', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=3') +
    event('RECURRENCE-ID:20240102T100000Z\nDTSTART:20240110T150000Z\nDTEND:20240110T160000Z')));
  assert.is(info.firstStart, at('2024-01-01T10:00:00Z'));
  assert.is(info.lastEnd, at('2024-01-10T16:00:00Z'));
});

test('RANGE=THISANDFUTURE shifts the remaining instances', () => {
  const info = ok(cal(event('DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5') +
    event('RECURRENCE-ID;RANGE=THISANDFUTURE:20240103T100000Z\nDTSTART:20240103T140000Z\nDTEND:20240103T150000Z')));
  assert.is(info.lastEnd, at('2024-01-05T15:00:00Z'));
});

test('VTODO without dates matches any range', () => {
  const info = ok(cal('BEGIN:VTODO\nUID:td-1\nDTSTAMP:20240101T000000Z\nEND:VTODO'));
  assert.is(info.firstStart, null);
  assert.is(info.lastEnd, null);
});

test('VTODO per the RFC 4791 §9.9 table', () => {
  const todo = (props: string): CalendarObjectInfo =>
    ok(cal(`BEGIN:VTODO\nUID:td-1\nDTSTAMP:20240101T000000Z\n${props}\nEND:VTODO`));
  assert.equal(todo('DTSTART:20240110T100000Z\nDUE:20240112T100000Z'),
    { uid: 'td-1', componentType: 'VTODO', firstStart: at('2024-01-10T10:00:00Z'), lastEnd: at('2024-01-12T10:00:00Z') });
  const due = todo('DUE:20240112T100000Z');
  assert.is(due.firstStart, at('2024-01-12T10:00:00Z'));
  assert.is(due.lastEnd, at('2024-01-12T10:00:00Z'));
  const both = todo('CREATED:20240101T100000Z\nCOMPLETED:20240105T100000Z');
  assert.is(both.firstStart, at('2024-01-01T10:00:00Z'));
  assert.is(both.lastEnd, at('2024-01-05T10:00:00Z'));
  const created = todo('CREATED:20240101T100000Z');
  assert.is(created.firstStart, at('2024-01-01T10:00:00Z'));
  assert.is(created.lastEnd, null);
});

test('alarm one day before the start widens the first start', () => {
  const alarm = 'BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:Soon\nTRIGGER:-P1D\nEND:VALARM\n';
  const info = ok(cal(event('DTSTART:20240115T100000Z\nDTEND:20240115T110000Z', alarm)));
  assert.is(info.firstStart, at('2024-01-14T10:00:00Z'));
  assert.is(info.lastEnd, at('2024-01-15T11:00:00Z'));
});

test('absolute and repeating alarms', () => {
  const alarms =
    'BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER;VALUE=DATE-TIME:20240110T080000Z\nEND:VALARM\n' +
    'BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:y\nTRIGGER;RELATED=END:PT0S\nREPEAT:2\nDURATION:PT15M\nEND:VALARM\n';
  const info = ok(cal(event('DTSTART:20240115T100000Z\nDTEND:20240115T110000Z', alarms)));
  assert.is(info.firstStart, at('2024-01-10T08:00:00Z'));
  assert.is(info.lastEnd, at('2024-01-15T11:30:00Z'));
});

// --- robustness ----------------------------------------------------------------------------

test('every truncation of a valid object throws only CalendarDataError', () => {
  const text = cal(BERLIN + '\n' + event(
    'DTSTART;TZID=Europe/Berlin:20240101T100000\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\nRDATE;VALUE=PERIOD:20240201T080000Z/PT5H',
    'BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER:-PT15M\nEND:VALARM\n'));
  for (let i = 0; i < text.length; i += 3) {
    for (const cut of [text.slice(0, i), text.slice(0, i) + text.slice(i + 7)]) {
      try {
        validateCalendarObject(cut, ALL);
      } catch (err) {
        if (!(err instanceof CalendarDataError)) assert.unreachable(`cut at ${i}: ${String(err)}`);
      }
    }
  }
});

test.run();
