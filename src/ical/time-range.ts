// RFC 4791 §9.9 CALDAV:time-range: when an instance of a VEVENT, VTODO or VJOURNAL, a VFREEBUSY,
// a VALARM (by its trigger times) or a DATE/DATE-TIME property overlaps [start, end). Times are
// epoch ms (UTC); a missing start is -infinity and a missing end +infinity. Instances come from
// instances.ts, so DATE and floating values have already been read in the calendar's zone.
import ICAL from 'ical.js';
import { durationParts, type Instance } from './instances.js';
import { tzidOf } from './offset-ranges.js';
import type { ZoneResolver } from './zones.js';

export interface TimeRange {
  start: number | null;
  end: number | null;
}

const DAY = 86_400_000;

const lt = (a: number | null, b: number) => a === null || a < b; // start < X
const le = (a: number | null, b: number) => a === null || a <= b; // start <= X
const gt = (a: number | null, b: number) => a === null || a > b; // end > X
const ge = (a: number | null, b: number) => a === null || a >= b; // end >= X

/** VEVENT table of §9.9 (and a zero-length DTEND/DTSTART pair read like a point in time). */
export function eventOverlaps(i: Instance, r: TimeRange): boolean {
  const s = i.start;
  if (s === null) return false;
  if (i.end !== null && i.endKind !== 'none') {
    return i.end > s ? lt(r.start, i.end) && gt(r.end, s) : le(r.start, s) && gt(r.end, s);
  }
  if (i.isDate && i.dayEnd !== null) return lt(r.start, i.dayEnd) && gt(r.end, s);
  return le(r.start, s) && gt(r.end, s);
}

function timeOf(comp: ICAL.Component, name: string, zr: ZoneResolver): number | null {
  try {
    const prop = comp.getFirstProperty(name);
    const t = prop?.getFirstValue();
    return prop && t instanceof ICAL.Time ? zr.utc(t, zr.zoneOfProp(prop, t)) : null;
  } catch {
    return null;
  }
}

/** VTODO table of §9.9. */
export function todoOverlaps(i: Instance, r: TimeRange, zr: ZoneResolver): boolean {
  const s = i.start;
  if (s !== null && i.endKind === 'duration' && i.end !== null) {
    return le(r.start, i.end) && (gt(r.end, s) || ge(r.end, i.end));
  }
  if (s !== null && i.endKind === 'due' && i.end !== null) {
    return (lt(r.start, i.end) || le(r.start, s)) && (gt(r.end, s) || ge(r.end, i.end));
  }
  if (s !== null) return le(r.start, s) && gt(r.end, s);
  if (i.endKind === 'due' && i.end !== null) return lt(r.start, i.end) && ge(r.end, i.end);
  const completed = timeOf(i.owner, 'completed', zr);
  const created = timeOf(i.owner, 'created', zr);
  if (completed !== null && created !== null) {
    return (le(r.start, created) || le(r.start, completed)) && (ge(r.end, created) || ge(r.end, completed));
  }
  if (completed !== null) return le(r.start, completed) && ge(r.end, completed);
  if (created !== null) return gt(r.end, created);
  return true;
}

/** VJOURNAL rules of §9.9: a point in time, or the whole day of a DATE start. */
export function journalOverlaps(i: Instance, r: TimeRange): boolean {
  const s = i.start;
  if (s === null) return false;
  if (i.isDate && i.dayEnd !== null) return lt(r.start, i.dayEnd) && gt(r.end, s);
  return le(r.start, s) && gt(r.end, s);
}

export function instanceOverlaps(i: Instance, r: TimeRange, zr: ZoneResolver): boolean {
  switch (i.owner.name) {
    case 'vtodo':
      return todoOverlaps(i, r, zr);
    case 'vjournal':
      return journalOverlaps(i, r);
    default:
      return eventOverlaps(i, r);
  }
}

/** FREEBUSY periods of a property as [start, end) epoch ms, with the property's FBTYPE. */
export function freebusyPeriods(prop: ICAL.Property, zr: ZoneResolver): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let values: unknown[];
  try {
    values = prop.getValues() as unknown[];
  } catch {
    return out;
  }
  const tzid = tzidOf(prop);
  for (const v of values) {
    if (!(v instanceof ICAL.Period)) continue;
    try {
      const end = v.getEnd();
      out.push({ start: zr.utc(v.start, zr.zoneOf(v.start, tzid)), end: zr.utc(end, zr.zoneOf(end, tzid)) });
    } catch {
      // an unreadable period is skipped
    }
  }
  return out;
}

/** VFREEBUSY table of §9.9 (DURATION ignored). */
export function freebusyOverlaps(comp: ICAL.Component, r: TimeRange, zr: ZoneResolver): boolean {
  const s = timeOf(comp, 'dtstart', zr);
  const e = timeOf(comp, 'dtend', zr);
  if (s !== null && e !== null) return le(r.start, e) && gt(r.end, s);
  const props = comp.getAllProperties('freebusy');
  if (props.length === 0) return false;
  return props.some((p) => freebusyPeriods(p, zr).some((fb) => lt(r.start, fb.end) && gt(r.end, fb.start)));
}

/** Trigger offsets of a relative VALARM: [first, last] after its base, and the base. */
export interface AlarmTrigger {
  /** Absolute trigger (epoch ms) or null when relative. */
  absolute: number | null;
  /** Relative offset in ms from START or END of the instance. */
  offset: number;
  related: 'START' | 'END';
  /** REPEAT count and DURATION between repetitions (RFC 5545 §3.8.6.2, §3.8.2.5). */
  repeat: number;
  every: number;
}

export function alarmTrigger(alarm: ICAL.Component, zr: ZoneResolver): AlarmTrigger | null {
  try {
    const prop = alarm.getFirstProperty('trigger');
    if (!prop) return null;
    const v = prop.getFirstValue();
    const repeatValue = alarm.getFirstPropertyValue('repeat');
    const dur = alarm.getFirstPropertyValue('duration');
    const every = dur instanceof ICAL.Duration ? (({ days, ms }) => days * DAY + ms)(durationParts(dur)) : 0;
    const repeat = typeof repeatValue === 'number' && repeatValue > 0 && every > 0 ? Math.min(repeatValue, 10_000) : 0;
    if (v instanceof ICAL.Time) return { absolute: zr.utc(v, zr.zoneOfProp(prop, v)), offset: 0, related: 'START', repeat, every };
    if (v instanceof ICAL.Duration) {
      const related = String(prop.getParameter('related') ?? 'START').toUpperCase() === 'END' ? 'END' : 'START';
      return { absolute: null, offset: v.toSeconds() * 1000, related, repeat, every };
    }
  } catch {
    // an unreadable TRIGGER never fires
  }
  return null;
}

/** Trigger times of an alarm for one instance of its parent (RFC 5545 §3.8.6.3). */
export function triggerTimes(t: AlarmTrigger, i: Instance | null): number[] {
  let first: number | null = t.absolute;
  if (first === null && i) {
    const base = t.related === 'END' ? (i.end ?? (i.isDate ? i.dayEnd : i.start)) : i.start;
    first = base === null ? null : base + t.offset;
  }
  if (first === null) return [];
  const out = [first];
  for (let k = 1; k <= t.repeat; k++) out.push(first + k * t.every);
  return out;
}

/** VALARM rule of §9.9: some trigger time t with start <= t < end. */
export function triggersOverlap(times: number[], r: TimeRange): boolean {
  return times.some((t) => le(r.start, t) && gt(r.end, t));
}

/**
 * time-range inside a prop-filter (§9.7.2, §9.9): a DATE-TIME value is a point
 * (start <= v < end), a DATE value its whole day, a PERIOD its span.
 */
export function propertyOverlaps(prop: ICAL.Property, r: TimeRange, zr: ZoneResolver): boolean {
  let values: unknown[];
  try {
    values = prop.getValues() as unknown[];
  } catch {
    return false;
  }
  const tzid = tzidOf(prop);
  return values.some((v) => {
    if (v instanceof ICAL.Period) {
      try {
        const e = v.getEnd();
        const s = zr.utc(v.start, zr.zoneOf(v.start, tzid));
        return lt(r.start, zr.utc(e, zr.zoneOf(e, tzid))) && gt(r.end, s);
      } catch {
        return false;
      }
    }
    if (!(v instanceof ICAL.Time)) return false;
    const zone = zr.zoneOf(v, tzid);
    const s = zr.utc(v, zone);
    if (v.isDate) {
      const dayEnd = zr.utc(v.clone(), zone) + DAY;
      return lt(r.start, dayEnd) && gt(r.end, s);
    }
    return le(r.start, s) && gt(r.end, s);
  });
}
