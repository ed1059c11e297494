// First instance start and last instance end of a calendar object: the candidate pre-filter
// for time-range queries (RFC 4791 §9.9). The result must be a SUPERSET of every instance the
// exact filter can find, so each uncertainty (floating time, unknown zone, DST, capped
// expansion) widens the bounds and never narrows them. EXDATE is ignored on purpose: it only
// removes instances, and ignoring it cannot make the bounds too narrow.
import ICAL from 'ical.js';
import { CalendarDataError, asCalendarData } from './errors.js';
import { lastRuleStart, type ScanBudget } from './rule-last-start.js';
import { FLOATING, type Instant, type ZoneTable, instantOf, tzidOf, wallClockMs } from './offset-ranges.js';

const DAY = 86_400_000;

/** Epoch ms; -Infinity / Infinity when unbounded on that side. */
interface Span {
  lo: number;
  hi: number;
  /** Latest possible start of an instance (for RANGE=THISANDFUTURE shifts). */
  lastStartHi: number;
}

const UNBOUNDED: Span = { lo: -Infinity, hi: Infinity, lastStartHi: Infinity };

interface DateValue {
  t: ICAL.Time;
  tzid: string | null;
  inst: Instant;
}

function readValue(comp: ICAL.Component, name: string): { prop: ICAL.Property; value: unknown } | null {
  return asCalendarData(`invalid ${name.toUpperCase()}`, () => {
    const prop = comp.getFirstProperty(name);
    return prop ? { prop, value: prop.getFirstValue() } : null;
  });
}

function dateValue(comp: ICAL.Component, name: string, zones: ZoneTable): DateValue | null {
  const r = readValue(comp, name);
  if (!r) return null;
  if (!(r.value instanceof ICAL.Time)) {
    throw new CalendarDataError('valid-calendar-data', `${name.toUpperCase()} is not a DATE or DATE-TIME`);
  }
  const tzid = tzidOf(r.prop);
  return { t: r.value, tzid, inst: zones.instant(r.value, tzid) };
}

function durationMs(comp: ICAL.Component, name: string): number | null {
  const r = readValue(comp, name);
  if (!r) return null;
  if (!(r.value instanceof ICAL.Duration)) {
    throw new CalendarDataError('valid-calendar-data', `${name.toUpperCase()} is not a DURATION`);
  }
  // Days and weeks count as 24 h; their DST drift is inside the local time's offset range.
  return r.value.toSeconds() * 1000;
}

/** Any real zone moves its clocks by at most 2 h (Antarctica/Troll); floating times share one zone. */
const MAX_DST_SHIFT = 2 * 3_600_000;

interface Length {
  /** Range the exact length of every instance lies in (RFC 5545 §3.6.1, §3.6.2, §3.8.2.5). */
  lo: number;
  hi: number;
  /** End of the DTSTART instance itself. */
  end: Instant;
}

function lengthOf(comp: ICAL.Component, start: DateValue, zones: ZoneTable): Length {
  const end = dateValue(comp, comp.name === 'vtodo' ? 'due' : 'dtend', zones);
  const dur = durationMs(comp, 'duration'); // both present is invalid; honour either reading
  let lo = Infinity;
  let hi = -Infinity;
  let endLo = Infinity;
  let endHi = -Infinity;
  if (end) {
    const range = zones.rangeOf(start.t, start.tzid);
    if (range === zones.rangeOf(end.t, end.tzid) && end.tzid === start.tzid) {
      // Same zone: the wall-clock length, give or take one offset change.
      const drift = range === FLOATING ? MAX_DST_SHIFT : range.max - range.min;
      const wall = wallClockMs(end.t) - wallClockMs(start.t);
      lo = wall - drift;
      hi = wall + drift;
    } else {
      lo = end.inst.lo - start.inst.hi;
      hi = end.inst.hi - start.inst.lo;
    }
    endLo = end.inst.lo;
    endHi = end.inst.hi;
  }
  if (dur === null && !end) {
    lo = hi = start.t.isDate ? DAY : 0; // a DATE start alone lasts one day (RFC 4791 §9.9)
  }
  if (dur !== null || !end) {
    // Days and weeks are nominal, so the end is a local time in the start's zone.
    const d = dur ?? lo;
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
    endLo = Math.min(endLo, start.inst.lo + d);
    endHi = Math.max(endHi, start.inst.hi + d);
  }
  return { lo, hi, end: { lo: endLo, hi: endHi } };
}

/** Master or override with a start: DTSTART, RDATE and RRULE instances (RFC 5545 §3.8.5). */
function recurringSpan(comp: ICAL.Component, start: DateValue, zones: ZoneTable, budget: ScanBudget): Span {
  const len = lengthOf(comp, start, zones);
  let lo = Math.min(start.inst.lo, len.end.lo);
  let lastStartHi = start.inst.hi;
  let hi = Math.max(start.inst.hi, len.end.hi);
  // A negative length (end before start) still spans both ends.
  const addInstance = (s: Instant, e: Instant): void => {
    lo = Math.min(lo, s.lo, e.lo);
    lastStartHi = Math.max(lastStartHi, s.hi);
    hi = Math.max(hi, s.hi, e.hi);
  };

  for (const prop of comp.getAllProperties('rdate')) {
    const tzid = tzidOf(prop);
    const values = asCalendarData('invalid RDATE', () => prop.getValues()) as unknown[];
    for (const v of values) {
      if (v instanceof ICAL.Period) {
        const end = asCalendarData('invalid RDATE period', () => v.getEnd()); // own length
        addInstance(zones.instant(v.start, tzid), zones.instant(end, tzid));
      } else if (v instanceof ICAL.Time) {
        const s = zones.instant(v, tzid);
        addInstance(s, { lo: s.lo + len.lo, hi: s.hi + len.hi });
      }
    }
  }

  const range = zones.rangeOf(start.t, start.tzid);
  for (const prop of comp.getAllProperties('rrule')) {
    const rule = asCalendarData('invalid RRULE', () => prop.getFirstValue());
    if (!(rule instanceof ICAL.Recur)) continue;
    const last = lastRuleStart(rule, start.t, budget);
    if (last === 'unbounded') return { lo, hi: Infinity, lastStartHi: Infinity };
    if (last !== null) {
      const s = instantOf(last, range);
      addInstance(s, { lo: s.lo + len.lo, hi: s.hi + len.hi });
    }
  }
  return { lo, hi, lastStartHi };
}

function pointSpan(...values: DateValue[]): Span {
  const lo = Math.min(...values.map((v) => v.inst.lo));
  const hi = Math.max(...values.map((v) => v.inst.hi));
  return { lo, hi, lastStartHi: hi };
}

/** Span of one component before alarms, following the RFC 4791 §9.9 table per type. */
function componentSpan(comp: ICAL.Component, zones: ZoneTable, budget: ScanBudget): Span {
  const dtstart = dateValue(comp, 'dtstart', zones) ?? dateValue(comp, 'recurrence-id', zones);
  switch (comp.name) {
    case 'vevent':
    case 'vjournal':
      return dtstart ? recurringSpan(comp, dtstart, zones, budget) : UNBOUNDED;
    case 'vtodo': {
      if (dtstart) return recurringSpan(comp, dtstart, zones, budget);
      const due = dateValue(comp, 'due', zones);
      if (due) return pointSpan(due);
      const completed = dateValue(comp, 'completed', zones);
      const created = dateValue(comp, 'created', zones);
      if (completed && created) return pointSpan(completed, created);
      if (completed) return pointSpan(completed);
      // CREATED alone matches every range ending after it; no dates at all matches any range.
      return created ? { lo: created.inst.lo, hi: Infinity, lastStartHi: Infinity } : UNBOUNDED;
    }
    case 'vfreebusy': {
      const values = [dtstart, dateValue(comp, 'dtend', zones)].filter((v) => v !== null);
      for (const prop of comp.getAllProperties('freebusy')) {
        const tzid = tzidOf(prop);
        for (const p of asCalendarData('invalid FREEBUSY', () => prop.getValues()) as unknown[]) {
          if (!(p instanceof ICAL.Period)) continue;
          const end = asCalendarData('invalid FREEBUSY period', () => p.getEnd());
          for (const t of [p.start, end]) values.push({ t, tzid, inst: zones.instant(t, tzid) });
        }
      }
      return values.length > 0 ? pointSpan(...values) : UNBOUNDED;
    }
    default:
      return UNBOUNDED; // VAVAILABILITY (RFC 7953): its AVAILABLE blocks may recur; not bounded
  }
}

/**
 * Alarms fire relative to an instance's start or end, or at an absolute time, then REPEAT
 * times DURATION apart (RFC 5545 §3.6.6, §3.8.6.3); a VALARM time-range filter (RFC 4791
 * §9.9) must still find the object, so the span grows to cover every trigger.
 */
function widenForAlarms(comp: ICAL.Component, span: Span, zones: ZoneTable): Span {
  let { lo, hi } = span;
  for (const alarm of comp.getAllSubcomponents('valarm')) {
    const trigger = readValue(alarm, 'trigger');
    if (!trigger) continue;
    const repeat = readValue(alarm, 'repeat')?.value;
    const every = durationMs(alarm, 'duration') ?? 0;
    const extra = typeof repeat === 'number' && repeat > 0 ? repeat * every : 0;
    if (trigger.value instanceof ICAL.Duration) {
      const d = trigger.value.toSeconds() * 1000;
      lo += Math.min(0, d, d + extra); // stays ±Infinity when unbounded
      hi += Math.max(0, d, d + extra);
    } else if (trigger.value instanceof ICAL.Time) {
      const at = zones.instant(trigger.value, tzidOf(trigger.prop));
      lo = Math.min(lo, at.lo + Math.min(0, extra));
      hi = Math.max(hi, at.hi + Math.max(0, extra));
    }
  }
  return { lo, hi, lastStartHi: span.lastStartHi };
}

/**
 * RANGE=THISANDFUTURE (RFC 5545 §3.8.4.4) moves every later master instance by the override's
 * shift and gives it the override's length.
 */
function shiftedFuture(override: ICAL.Component, masterLastStartHi: number, zones: ZoneTable): Span | null {
  const r = readValue(override, 'recurrence-id');
  if (!r || String(r.prop.getParameter('range') ?? '').toUpperCase() !== 'THISANDFUTURE') return null;
  const rid = dateValue(override, 'recurrence-id', zones);
  const start = dateValue(override, 'dtstart', zones) ?? rid;
  if (!rid || !start) return null;
  const len = lengthOf(override, start, zones);
  return {
    lo: rid.inst.lo + Math.min(0, start.inst.lo - rid.inst.hi) + Math.min(0, len.lo),
    hi: masterLastStartHi + Math.max(0, start.inst.hi - rid.inst.lo) + Math.max(0, len.hi),
    lastStartHi: masterLastStartHi + Math.max(0, start.inst.hi - rid.inst.lo),
  };
}

/** Epoch-ms bounds of all instances of `components` (master and overrides of one UID). */
export function occurrenceBounds(
  components: ICAL.Component[],
  zones: ZoneTable,
  steps: number,
  /** Processor time the rule walks of this object may take in all; past it ends are unbounded. */
  scanMs = 30,
): { firstStart: number | null; lastEnd: number | null } {
  const budget: ScanBudget = { steps, deadline: performance.now() + scanMs };
  let lo = Infinity;
  let hi = -Infinity;
  let masterLastStartHi = -Infinity;
  const spans: Span[] = [];
  for (const comp of components) {
    const span = widenForAlarms(comp, componentSpan(comp, zones, budget), zones);
    if (!comp.hasProperty('recurrence-id')) masterLastStartHi = Math.max(masterLastStartHi, span.lastStartHi);
    spans.push(span);
  }
  const masters = components.filter((c) => !c.hasProperty('recurrence-id'));
  for (const comp of components) {
    let shifted = masterLastStartHi > -Infinity ? shiftedFuture(comp, masterLastStartHi, zones) : null;
    // Shifted instances may carry the override's alarms or the master's: allow for both.
    for (const source of [comp, ...masters]) if (shifted) shifted = widenForAlarms(source, shifted, zones);
    if (shifted) spans.push(shifted);
  }
  for (const s of spans) {
    lo = Math.min(lo, s.lo);
    hi = Math.max(hi, s.hi);
  }
  return { firstStart: Number.isFinite(lo) ? lo : null, lastEnd: Number.isFinite(hi) ? hi : null };
}
