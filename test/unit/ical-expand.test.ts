// calendar-data transformations (RFC 4791 §9.6): expand (§9.6.5), limit-recurrence-set
// (§9.6.6), limit-freebusy-set (§9.6.7), comp/prop selection (§9.6.1–§9.6.4); and the busy time
// of free-busy-query (§7.10).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ICAL from 'ical.js';
import { renderCalendarData, renderCalendarDataSliced, isWholeObject, type CalendarDataRequest, type CompSelection } from '../../src/ical/calendar-data.js';
import { busyPeriods, freeBusyCalendar, mergePeriods } from '../../src/ical/freebusy.js';
import { QueryObject, zoneOfCalendarTimezone, type QueryOptions } from '../../src/ical/query-object.js';
import { QueryError } from '../../src/ical/query-errors.js';
import { UTC_ZONE } from '../../src/ical/zones.js';
import { WorkBudget } from '../../src/ical/work-budget.js';
import { fixtures } from '../fixtures/query/corpus.js';

const t = suite('ical-expand');
const OPTS: QueryOptions = { floatingZone: UTC_ZONE, maxInstances: 10_000 };
const FIX = fixtures();
const at = (iso: string) => Date.parse(iso);
const range = (s: string, e: string) => ({ start: at(s), end: at(e) });
const NONE: CalendarDataRequest = { select: null, expand: null, limitRecurrence: null, limitFreebusy: null };

function parse(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text) as unknown[]);
}
function props(comp: ICAL.Component, name: string): string[] {
  return comp.getAllProperties(name).map((p) => p.toICALString());
}
function expand(name: string, s: string, e: string): { text: string; events: ICAL.Component[] } {
  const text = renderCalendarData(FIX.get(name)!, { ...NONE, expand: range(s, e) }, OPTS);
  return { text, events: parse(text).getAllSubcomponents() };
}

t('expand: DST-crossing instances in UTC, RECURRENCE-ID set, no RRULE and no VTIMEZONE', () => {
  const { text, events } = expand('berlin-dst', '2024-03-31T00:00:00Z', '2024-05-01T00:00:00Z');
  assert.is(events.length, 2);
  assert.equal(events.map((e) => props(e, 'dtstart')[0]), ['DTSTART:20240401T080000Z', 'DTSTART:20240408T080000Z']);
  assert.equal(events.map((e) => props(e, 'dtend')[0]), ['DTEND:20240401T090000Z', 'DTEND:20240408T090000Z']);
  assert.equal(events.map((e) => props(e, 'recurrence-id')[0]), ['RECURRENCE-ID:20240401T080000Z', 'RECURRENCE-ID:20240408T080000Z']);
  assert.not.match(text, /RRULE|EXDATE|RDATE|VTIMEZONE|TZID/);
  assert.match(text, /^BEGIN:VCALENDAR\r\n/);
  assert.match(text, /VERSION:2\.0/);
});

t('expand: EXDATE instances are left out', () => {
  const { events } = expand('exdate', '2024-05-01T00:00:00Z', '2024-05-06T00:00:00Z');
  assert.equal(events.map((e) => e.getFirstPropertyValue('dtstart')!.toString()), ['2024-05-01T09:00:00Z', '2024-05-02T09:00:00Z', '2024-05-04T09:00:00Z', '2024-05-05T09:00:00Z']);
});

t('expand: THISANDFUTURE moves later instances and gives them the override\'s properties', () => {
  const { events } = expand('thisandfuture', '2024-07-01T00:00:00Z', '2024-07-25T00:00:00Z');
  assert.equal(events.map((e) => e.getFirstPropertyValue('dtstart')!.toString()), ['2024-07-03T10:00:00Z', '2024-07-10T10:00:00Z', '2024-07-17T14:00:00Z', '2024-07-24T14:00:00Z']);
  assert.equal(events.map((e) => e.getFirstPropertyValue('recurrence-id')!.toString()), ['2024-07-03T10:00:00Z', '2024-07-10T10:00:00Z', '2024-07-17T10:00:00Z', '2024-07-24T10:00:00Z']);
  assert.match(String(events[3]!.getFirstPropertyValue('summary')), /afternoons/);
  assert.ok(events.every((e) => !e.getFirstProperty('recurrence-id')!.getParameter('range')));
});

t('expand: only instances overlapping the range; a moved instance appears where it went', () => {
  const { events } = expand('moved-out', '2024-08-03T00:00:00Z', '2024-08-21T00:00:00Z');
  assert.equal(events.map((e) => e.getFirstPropertyValue('dtstart')!.toString()), ['2024-08-04T12:00:00Z', '2024-08-05T12:00:00Z', '2024-08-20T12:00:00Z']);
  assert.equal(String(events[2]!.getFirstPropertyValue('recurrence-id')), '2024-08-03T12:00:00Z');
});

t('expand: all-day values stay DATE; a non-recurring event gets no RECURRENCE-ID', () => {
  const allDay = expand('allday-multiday', '2024-06-01T00:00:00Z', '2024-07-01T00:00:00Z');
  assert.equal(props(allDay.events[0]!, 'dtstart'), ['DTSTART;VALUE=DATE:20240610']);
  assert.equal(props(allDay.events[0]!, 'dtend'), ['DTEND;VALUE=DATE:20240613']);
  assert.equal(props(allDay.events[0]!, 'recurrence-id'), []);
  const daily = renderCalendarData(
    'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;VALUE=DATE:20240101\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    { ...NONE, expand: range('2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z') }, OPTS);
  assert.match(daily, /RECURRENCE-ID;VALUE=DATE:20240102/);
  assert.is((daily.match(/BEGIN:VEVENT/g) ?? []).length, 1);
});

t('expand: a floating event is converted with the calendar timezone', () => {
  const berlin = zoneOfCalendarTimezone(FIX.get('berlin-dst')!.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/, ''))!;
  const out = renderCalendarData(
    'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240701T100000\r\nDTEND:20240701T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    { ...NONE, expand: range('2024-07-01T00:00:00Z', '2024-07-02T00:00:00Z') }, { ...OPTS, floatingZone: berlin });
  assert.match(out, /DTSTART:20240701T080000Z/);
  assert.match(out, /DTEND:20240701T090000Z/);
});

t('expand: a resource holding only an override keeps its RECURRENCE-ID', () => {
  const { events } = expand('only-overrides', '2024-08-05T00:00:00Z', '2024-08-06T00:00:00Z');
  assert.is(events.length, 1);
  assert.equal(props(events[0]!, 'recurrence-id'), ['RECURRENCE-ID:20240805T090000Z']);
});

t('expand past max-instances throws max-instances', () => {
  const body = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nRRULE:FREQ=HOURLY;BYMINUTE=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  try {
    renderCalendarData(body, { ...NONE, expand: range('2024-01-01T00:00:00Z', '2024-12-31T00:00:00Z') }, { ...OPTS, maxInstances: 500 });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, QueryError);
    assert.is((err as QueryError).condition, 'max-instances');
  }
});

t('limit-recurrence-set keeps the master and only overrides that overlap', () => {
  const away = parse(renderCalendarData(FIX.get('moved-out')!, { ...NONE, limitRecurrence: range('2024-08-01T00:00:00Z', '2024-08-02T00:00:00Z') }, OPTS));
  assert.is(away.getAllSubcomponents('vevent').length, 1);
  assert.not.ok(away.getFirstSubcomponent('vevent')!.hasProperty('recurrence-id'));
  const there = parse(renderCalendarData(FIX.get('moved-out')!, { ...NONE, limitRecurrence: range('2024-08-20T00:00:00Z', '2024-08-21T00:00:00Z') }, OPTS));
  assert.is(there.getAllSubcomponents('vevent').length, 2);
  const tz = parse(renderCalendarData(FIX.get('berlin-dst')!, { ...NONE, limitRecurrence: range('2024-04-01T00:00:00Z', '2024-04-02T00:00:00Z') }, OPTS));
  assert.is(tz.getAllSubcomponents('vtimezone').length, 1, 'VTIMEZONE kept without expand');
  assert.match(tz.toString(), /RRULE:FREQ=WEEKLY;COUNT=3/);
});

t('limit-freebusy-set keeps only overlapping FREEBUSY periods', () => {
  const body = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VFREEBUSY\r\nUID:fb\r\nDTSTAMP:20240101T000000Z\r\nFREEBUSY:20240101T100000Z/PT1H,20240102T100000Z/PT1H\r\nFREEBUSY;FBTYPE=BUSY-TENTATIVE:20240105T100000Z/PT1H\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n';
  const out = renderCalendarData(body, { ...NONE, limitFreebusy: range('2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z') }, OPTS);
  const fb = parse(out).getFirstSubcomponent('vfreebusy')!;
  assert.is(fb.getAllProperties('freebusy').length, 1);
  assert.equal(fb.getFirstProperty('freebusy')!.getValues().map(String), ['2024-01-02T10:00:00Z/PT1H']);
});

function sel(name: string, extra: Partial<CompSelection> = {}): CompSelection {
  return { name, allProps: false, props: [], allComps: false, comps: [], ...extra };
}

t('component and property selection (comp, prop, allprop, allcomp, novalue)', () => {
  const select = sel('VCALENDAR', { props: [{ name: 'VERSION', novalue: false }], comps: [sel('VEVENT', { props: [{ name: 'SUMMARY', novalue: false }, { name: 'UID', novalue: false }, { name: 'DTSTART', novalue: true }] })] });
  const text = renderCalendarData(FIX.get('alarm-before')!, { ...NONE, select }, OPTS);
  assert.match(text, /\r\nDTSTART:\r\n/, 'novalue: the property without its value');
  const out = parse(text);
  assert.equal(out.getAllProperties().map((p) => p.name), ['version']);
  const ev = out.getFirstSubcomponent('vevent')!;
  assert.equal(ev.getAllProperties().map((p) => p.name).sort(), ['dtstart', 'summary', 'uid']);
  assert.is(ev.getAllSubcomponents().length, 0, 'VALARM not asked for');
  const all = parse(renderCalendarData(FIX.get('alarm-before')!, { ...NONE, select: sel('VCALENDAR', { allProps: true, comps: [sel('VEVENT', { allProps: true, allComps: true })] }) }, OPTS));
  assert.is(all.getFirstSubcomponent('vevent')!.getAllSubcomponents('valarm').length, 1);
  assert.ok(all.hasProperty('prodid'));
  const tz = parse(renderCalendarData(FIX.get('berlin-dst')!, { ...NONE, select: sel('VCALENDAR', { allComps: true }) }, OPTS));
  assert.is(tz.getAllSubcomponents('vtimezone').length, 1);
  assert.is(tz.getAllProperties().length, 0);
});

t('a plain calendar-data request is the whole object', () => {
  assert.ok(isWholeObject(null));
  assert.ok(isWholeObject(NONE));
  assert.not.ok(isWholeObject({ ...NONE, select: sel('VCALENDAR') }));
});

// --- free-busy -------------------------------------------------------------------------------

function cal(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR'].join('\r\n') + '\r\n';
}
function event(uid: string, s: string, e: string, ...extra: string[]): string {
  return cal('BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', `DTSTART:${s}`, `DTEND:${e}`, ...extra, 'END:VEVENT');
}

t('free-busy: busy, tentative, unavailable; transparent and cancelled are free; clipped and merged', () => {
  const r = range('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z');
  const objs = [
    event('a', '20240101T090000Z', '20240101T100000Z'),
    event('b', '20240101T093000Z', '20240101T110000Z'),
    event('c', '20240101T120000Z', '20240101T130000Z', 'STATUS:TENTATIVE'),
    event('d', '20240101T140000Z', '20240101T150000Z', 'TRANSP:TRANSPARENT'),
    event('e', '20240101T160000Z', '20240101T170000Z', 'STATUS:CANCELLED'),
    event('f', '20231231T230000Z', '20240101T010000Z'),
    event('g', '20240101T200000Z', '20240101T200000Z'),
    cal('BEGIN:VFREEBUSY', 'UID:h', 'DTSTAMP:20240101T000000Z', 'FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240101T180000Z/PT1H', 'FREEBUSY;FBTYPE=FREE:20240101T190000Z/PT1H', 'END:VFREEBUSY'),
    cal('BEGIN:VEVENT', 'UID:i', 'DTSTAMP:20240101T000000Z', 'DTSTART:20231225T220000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY', 'END:VEVENT'),
  ];
  const periods = objs.flatMap((o) => busyPeriods(new QueryObject(o, { ...OPTS, skipBefore: r.start }), r));
  const merged = mergePeriods(periods).map((p) => `${p.type} ${new Date(p.start).toISOString().slice(11, 16)}-${new Date(p.end).toISOString().slice(11, 16)}`);
  assert.equal(merged, ['BUSY 00:00-01:00', 'BUSY 09:00-11:00', 'BUSY 22:00-23:00', 'BUSY-TENTATIVE 12:00-13:00', 'BUSY-UNAVAILABLE 18:00-19:00']);
  const text = freeBusyCalendar(periods, r, at('2024-01-01T00:00:00Z'));
  assert.match(text, /BEGIN:VFREEBUSY\r\n/);
  assert.match(text, /DTSTART:20240101T000000Z\r\nDTEND:20240102T000000Z\r\n/);
  assert.match(text, /FREEBUSY;FBTYPE=BUSY:20240101T090000Z\/20240101T110000Z\r\n/);
});

t('expand in slices (what the REPORTs call) writes the same text as in one piece, with and without a selection', async () => {
  const select: CompSelection = { name: 'VCALENDAR', allProps: true, props: [], allComps: false, comps: [{ name: 'VEVENT', allProps: false, props: [{ name: 'DTSTART', novalue: false }, { name: 'RECURRENCE-ID', novalue: false }], allComps: false, comps: [] }] };
  let compared = 0;
  for (const [name, text] of FIX) {
    for (const sel of [null, select]) {
      const req = { ...NONE, select: sel, expand: range('2000-01-01T00:00:00Z', '2040-01-01T00:00:00Z') };
      let whole: string;
      try {
        whole = renderCalendarData(text, req, OPTS);
      } catch {
        continue; // max-instances and the like: not what this compares
      }
      // A 0 ms slice: the sliced path pauses at every opportunity.
      const sliced = await renderCalendarDataSliced(text, req, { ...OPTS, budget: new WorkBudget(60_000, 0) });
      assert.is(sliced, whole, name);
      compared++;
    }
  }
  assert.ok(compared > 10, `${compared} renderings compared`);
});

t.run();
