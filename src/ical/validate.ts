// PUT/COPY/MOVE validation of a calendar object resource (RFC 4791 §4.1, §5.3.2.1) and the
// facts the store keeps in columns (UID, component type, first/last instance) so that queries
// need not parse the object again.
import ICAL from 'ical.js';
import { occurrenceBounds } from './bounds.js';
import { CalendarDataError, asCalendarData } from './errors.js';
import { exactSingleEvent } from './instances.js';
import { DEFAULT_OBJECT_LIMITS, checkObjectLimits, type ObjectLimits } from './limits.js';
import { decodeCalendarText, parseCalendar } from './parse.js';
import { ZoneTable, tzidOf, wallClockMs } from './offset-ranges.js';

export { CalendarDataError, type CalendarDataCondition } from './errors.js';

export const COMPONENT_TYPES = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export interface CalendarObjectInfo {
  uid: string;
  componentType: ComponentType;
  /**
   * Epoch ms bounds of all instances, for the time-range pre-filter only: a superset (floating
   * and DATE values widened by ±14 h, alarms included), never exact. null = unbounded on that
   * side (infinite RRULE, expansion cap hit, or no dates: "matches any range").
   */
  firstStart: number | null;
  lastEnd: number | null;
  /**
   * A non-recurring VEVENT with exact UTC times: its one instance's start and the end the
   * RFC 4791 §9.9 test uses (instances.ts `exactSingleEvent`); null otherwise. Exact, unlike
   * the bounds above: calendar-query decides a plain VEVENT time-range from these alone.
   * Present only with the `exactInstance` option.
   */
  instanceStart?: number | null;
  instanceEnd?: number | null;
}

export interface ValidateOptions {
  /** The collection's supported-calendar-component-set, e.g. ['VEVENT', 'VTODO']. */
  allowedComponents: readonly string[];
  /** Inner RRULE iteration budget; past it the last end counts as unbounded. */
  maxInstancesScan?: number;
  /** Also compute `instanceStart`/`instanceEnd` (the store's exact-instance columns). */
  exactInstance?: boolean;
  /** What one object may contain (limits.ts); the defaults when absent. */
  limits?: ObjectLimits;
}

const DEFAULT_MAX_INSTANCES_SCAN = 100_000;

function isComponentType(name: string): name is ComponentType {
  return (COMPONENT_TYPES as readonly string[]).includes(name);
}

function objectResource(message: string): CalendarDataError {
  return new CalendarDataError('valid-calendar-object-resource', message);
}

function uidOf(comp: ICAL.Component): string {
  const uids = new Set(comp.getAllProperties('uid').map((p) => String(p.getFirstValue() ?? '')));
  uids.delete('');
  const [uid, other] = [...uids];
  if (uid === undefined) throw objectResource(`${comp.name.toUpperCase()} without UID`);
  if (other !== undefined) throw objectResource('more than one UID');
  return uid;
}

function timeOf(comp: ICAL.Component, name: string): { t: ICAL.Time; tzid: string | null } | null {
  const prop = comp.getFirstProperty(name);
  if (!prop) return null;
  const t = asCalendarData(`invalid ${name.toUpperCase()}`, () => prop.getFirstValue());
  return t instanceof ICAL.Time ? { t, tzid: tzidOf(prop) } : null;
}

/**
 * RFC 5545 §3.6.1: a VEVENT has a DTSTART when the calendar has no METHOD (and METHOD is
 * refused above); DTEND is later than DTSTART (§3.8.2.2) and DUE not earlier (§3.8.2.3). Equal
 * values are accepted: clients write zero-length events that way. Times in different zones are
 * compared by their possible instants and refused only when every reading is backwards.
 */
function checkDates(comp: ICAL.Component, zones: ZoneTable): void {
  const name = comp.name.toUpperCase();
  const start = timeOf(comp, 'dtstart');
  if (name === 'VEVENT' && !start) throw new CalendarDataError('valid-calendar-data', 'VEVENT without DTSTART (RFC 5545 §3.6.1)');
  const endName = name === 'VTODO' ? 'due' : name === 'VEVENT' ? 'dtend' : null;
  const end = endName ? timeOf(comp, endName) : null;
  if (!start || !end) return;
  const backwards = start.tzid === end.tzid && start.t.zone === end.t.zone
    ? wallClockMs(end.t) < wallClockMs(start.t)
    : zones.instant(end.t, end.tzid).hi < zones.instant(start.t, start.tzid).lo;
  if (backwards) throw new CalendarDataError('valid-calendar-data', `${endName!.toUpperCase()} is before DTSTART`);
}

function inspect(vcal: ICAL.Component, opts: ValidateOptions): CalendarObjectInfo {
  // A missing PRODID or VERSION is tolerated; another VERSION (vCalendar 1.0) is a different format.
  const version = vcal.getFirstPropertyValue('version');
  if (version !== null && String(version).trim() !== '2.0') {
    throw new CalendarDataError('valid-calendar-data', `unsupported VERSION ${String(version)}`);
  }
  // §4.1: scheduling messages (iTIP) are not stored as calendar object resources.
  if (vcal.hasProperty('method')) throw objectResource('METHOD is not allowed in a calendar object resource');

  const vtimezones = vcal.getAllSubcomponents('vtimezone');
  const zones = ZoneTable.takeFrom(vcal);
  const components = vcal.getAllSubcomponents();
  const [first] = components;
  if (!first) throw objectResource('no calendar component');
  const name = first.name.toUpperCase();
  // §4.1: one component type per resource, VTIMEZONE aside.
  if (components.some((c) => c.name !== first.name)) throw objectResource('more than one component type');
  const allowed = opts.allowedComponents.some((c) => c.toUpperCase() === name);
  if (!isComponentType(name) || !allowed) {
    throw new CalendarDataError('supported-calendar-component', `${name} is not supported here`);
  }
  // §4.1: one UID per resource, shared by the master and its RECURRENCE-ID overrides.
  for (const c of components) checkDates(c, zones);
  const uids = new Set(components.map(uidOf));
  const [uid] = uids;
  if (uid === undefined || uids.size > 1) throw objectResource('more than one UID');

  const budget = opts.maxInstancesScan ?? DEFAULT_MAX_INSTANCES_SCAN;
  const info: CalendarObjectInfo = { uid, componentType: name, ...occurrenceBounds(components, zones, budget) };
  if (opts.exactInstance) {
    const exact = exactSingleEvent(components, vtimezones);
    info.instanceStart = exact?.start ?? null;
    info.instanceEnd = exact?.end ?? null;
  }
  return info;
}

/**
 * Validates one calendar object resource and extracts what the store indexes.
 * Throws CalendarDataError (and nothing else) on bad input.
 */
export function validateCalendarObject(data: Buffer | string, opts: ValidateOptions): CalendarObjectInfo {
  return asCalendarData('invalid iCalendar', () => {
    const text = decodeCalendarText(data);
    checkObjectLimits(text, opts.limits);
    return inspect(parseCalendar(text), opts);
  });
}

/** Largest CALDAV:calendar-timezone accepted (real VTIMEZONEs are a few KB). */
const MAX_TIMEZONE_TEXT = 100_000;

/**
 * CALDAV:calendar-timezone (RFC 4791 §5.2.2, PROPPATCH and MKCALENDAR): a complete iCalendar
 * object (VERSION 2.0 and PRODID, RFC 5545 §3.6) holding exactly one VTIMEZONE and nothing else,
 * with a TZID and at least one STANDARD or DAYLIGHT rule. Throws CalendarDataError.
 */
export function checkCalendarTimezone(text: string): void {
  const bad = (why: string) => new CalendarDataError('valid-calendar-data', `calendar-timezone ${why}`);
  if (text.length > MAX_TIMEZONE_TEXT) throw bad(`longer than ${MAX_TIMEZONE_TEXT} characters`);
  asCalendarData('calendar-timezone: invalid iCalendar', () => {
    checkObjectLimits(text, { ...DEFAULT_OBJECT_LIMITS, maxComponents: 100 });
    const vcal = parseCalendar(text); // nesting (depth, unclosed components) checked there
    const version = vcal.getFirstPropertyValue('version');
    if (version === null || String(version).trim() !== '2.0') throw bad('needs VERSION:2.0');
    if (!vcal.hasProperty('prodid')) throw bad('needs a PRODID');
    const comps = vcal.getAllSubcomponents();
    if (comps.length !== 1 || comps[0]!.name !== 'vtimezone') throw bad('must hold exactly one VTIMEZONE and no other component');
    const vtz = comps[0]!;
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid !== 'string' || tzid.trim() === '') throw bad('VTIMEZONE needs a TZID');
    const rules = vtz.getAllSubcomponents();
    if (rules.length === 0 || rules.some((r) => r.name !== 'standard' && r.name !== 'daylight')) throw bad('VTIMEZONE must hold STANDARD or DAYLIGHT rules only');
    for (const r of rules) {
      if (!(r.getFirstPropertyValue('dtstart') instanceof ICAL.Time) || !(r.getFirstPropertyValue('tzoffsetto') instanceof ICAL.UtcOffset)) {
        throw bad(`${r.name.toUpperCase()} needs DTSTART and TZOFFSETTO`);
      }
    }
  });
}
