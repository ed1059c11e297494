// The calendar-query filter of RFC 4791 §9.7 and its evaluation on one calendar object:
// comp-filter (nested, is-not-defined, time-range), prop-filter (is-not-defined, time-range,
// text-match, param-filter), param-filter (is-not-defined, text-match), text-match with the
// collations of RFC 4790 / RFC 5051 and negate-condition. Time ranges follow §9.9 per instance
// (time-range.ts); each component is tested with the instances it describes, so a master is
// tested with the occurrences not overridden and an override with its own. Text is folded by the
// code CardDAV uses too (text-match-evaluation.ts, unicode-casemap.ts, folded-match.ts), each
// needle once per request and each text once per object; an object with much text has it folded
// in slices first (prepareTextMatches).
import type ICAL from 'ical.js';
import { matchFolded } from '../folded-match.js';
import { foldText, type FoldedTest } from '../text-match-evaluation.js';
import { QueryError } from './query-errors.js';
import type { QueryObject } from './query-object.js';
import {
  alarmTrigger, freebusyOverlaps, instanceOverlaps, propertyOverlaps, triggerTimes, triggersOverlap, type TimeRange,
} from './time-range.js';

export type { TimeRange } from './time-range.js';

/** CALDAV:supported-collation-set (RFC 4791 §7.5.1); the first is the default. */
export const SUPPORTED_COLLATIONS = ['i;ascii-casemap', 'i;octet', 'i;unicode-casemap'] as const;
export type Collation = (typeof SUPPORTED_COLLATIONS)[number];

export type MatchType = 'contains' | 'equals' | 'starts-with' | 'ends-with';

export interface TextMatch {
  value: string;
  collation: Collation;
  negate: boolean;
  /** RFC 4791 text-match is a substring test; `match-type` (RFC 6352 style) is accepted too. */
  matchType: MatchType;
}

export interface ParamFilter {
  name: string;
  isNotDefined: boolean;
  textMatch: TextMatch | null;
}

export interface PropFilter {
  name: string;
  isNotDefined: boolean;
  timeRange: TimeRange | null;
  textMatch: TextMatch | null;
  paramFilters: ParamFilter[];
}

export interface CompFilter {
  name: string;
  isNotDefined: boolean;
  timeRange: TimeRange | null;
  propFilters: PropFilter[];
  compFilters: CompFilter[];
}

/** Components a time-range may be applied to (§9.9). */
export const TIME_RANGE_COMPONENTS = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VALARM', 'VAVAILABILITY', 'AVAILABLE'];

export function collationOf(name: string | undefined): Collation {
  if (name === undefined || name === '') return 'i;ascii-casemap';
  if ((SUPPORTED_COLLATIONS as readonly string[]).includes(name)) return name as Collation;
  throw new QueryError('supported-collation', `Collation ${name} is not supported (supported: ${SUPPORTED_COLLATIONS.join(', ')})`);
}

/**
 * Where each component RFC 5545 (§3.6) and RFC 7953 define may appear: a comp-filter naming one
 * of them under another parent can never match and is an invalid filter (RFC 4791 §9.7.1:
 * VEVENT inside VEVENT, VALARM directly under VCALENDAR). Names not listed (X- and unknown
 * components) are left to match nothing.
 */
const PARENTS: Record<string, readonly string[]> = {
  VEVENT: ['VCALENDAR'], VTODO: ['VCALENDAR'], VJOURNAL: ['VCALENDAR'], VFREEBUSY: ['VCALENDAR'],
  VTIMEZONE: ['VCALENDAR'], VAVAILABILITY: ['VCALENDAR'],
  VALARM: ['VEVENT', 'VTODO'], STANDARD: ['VTIMEZONE'], DAYLIGHT: ['VTIMEZONE'], AVAILABLE: ['VAVAILABILITY'],
};

/**
 * Properties whose values are DATE, DATE-TIME or PERIOD (RFC 5545 §3.8.2, §3.8.4.4, §3.8.5,
 * §3.8.6.3, §3.8.7; RFC 9074 ACKNOWLEDGED): the only ones a prop-filter time-range can test
 * (RFC 4791 §9.9). X- properties may hold dates too and are allowed.
 */
const DATE_PROPERTIES = new Set([
  'DTSTART', 'DTEND', 'DUE', 'COMPLETED', 'CREATED', 'DTSTAMP', 'LAST-MODIFIED', 'RECURRENCE-ID',
  'RDATE', 'EXDATE', 'TRIGGER', 'FREEBUSY', 'ACKNOWLEDGED',
]);

/** Checks the shape rules of §9.7 that the XML grammar alone does not carry. */
export function checkFilter(f: CompFilter): void {
  if (f.name.toUpperCase() !== 'VCALENDAR') throw new QueryError('valid-filter', 'The filter must hold one comp-filter on VCALENDAR');
  if (f.isNotDefined) throw new QueryError('valid-filter', 'VCALENDAR cannot be is-not-defined');
  if (f.timeRange) throw new QueryError('valid-filter', 'time-range cannot apply to VCALENDAR');
  const walk = (c: CompFilter, parent: string, depth: number): void => {
    if (depth > 8) throw new QueryError('valid-filter', 'comp-filters nested too deeply');
    if (!c.name) throw new QueryError('valid-filter', 'comp-filter needs a name');
    const name = c.name.toUpperCase();
    const parents = PARENTS[name];
    if (parents && !parents.includes(parent)) throw new QueryError('valid-filter', `${name} cannot appear inside ${parent}`);
    if (c.timeRange && !TIME_RANGE_COMPONENTS.includes(name)) {
      throw new QueryError('valid-filter', `time-range cannot apply to ${c.name}`);
    }
    for (const p of c.propFilters) {
      if (!p.name) throw new QueryError('valid-filter', 'prop-filter needs a name');
      const prop = p.name.toUpperCase();
      if (p.timeRange && !DATE_PROPERTIES.has(prop) && !prop.startsWith('X-')) {
        throw new QueryError('valid-filter', `time-range cannot apply to ${p.name}, which holds no date or time`);
      }
      for (const pp of p.paramFilters) if (!pp.name) throw new QueryError('valid-filter', 'param-filter needs a name');
    }
    for (const sub of c.compFilters) walk(sub, name, depth + 1);
  };
  for (const sub of f.compFilters) walk(sub, 'VCALENDAR', 1);
}

// --- text-match ------------------------------------------------------------------------------

/**
 * Whether `text` satisfies the text-match (negation included): the prepared strings compared as
 * RFC 4790 §4.2 says, a substring even where it cuts a letter from its accent.
 */
export function textMatches(tm: TextMatch, text: string): boolean {
  return matchFolded(foldText(text, tm.collation), foldText(tm.value, tm.collation), tm.matchType, false) !== tm.negate;
}

/** The text-match with its needle folded, once per request (the options' memo). */
function testOf(obj: QueryObject, tm: TextMatch): FoldedTest {
  let t = obj.textTests.get(tm);
  if (t === undefined) obj.textTests.set(tm, (t = { needle: foldText(tm.value, tm.collation), collation: tm.collation, type: tm.matchType, marks: false }));
  return t;
}

function holdsOn(obj: QueryObject, tm: TextMatch, text: string): boolean {
  return obj.texts.holds(testOf(obj, tm), text) !== tm.negate;
}

/** propertyText, computed once per property of the object (so the same string is folded once). */
function textOfProperty(obj: QueryObject, prop: ICAL.Property): string {
  let t = obj.propertyTexts.get(prop);
  if (t === undefined) obj.propertyTexts.set(prop, (t = propertyText(prop)));
  return t;
}

/** The text a text-match sees: the property's values in iCalendar form, joined by commas. */
function propertyText(prop: ICAL.Property): string {
  let values: unknown[];
  try {
    values = prop.getValues() as unknown[];
  } catch {
    return '';
  }
  return values.map((v) => (v && typeof v === 'object' && 'toICALString' in v && typeof v.toICALString === 'function' ? String(v.toICALString()) : String(v))).join(',');
}

function paramValues(prop: ICAL.Property, name: string): string[] {
  const v: unknown = prop.getParameter(name);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

// --- evaluation ------------------------------------------------------------------------------

/** Whether the object matches the filter (whose root is the VCALENDAR comp-filter). */
export function matchesFilter(obj: QueryObject, filter: CompFilter): boolean {
  if (filter.isNotDefined) return false;
  return filter.propFilters.every((p) => propFilterMatches(obj, p, obj.vcal))
    && filter.compFilters.every((c) => compFilterMatches(obj, c, obj.components(), null));
}

function compFilterMatches(obj: QueryObject, f: CompFilter, candidates: ICAL.Component[], parent: ICAL.Component | null): boolean {
  const name = f.name.toLowerCase();
  const named = candidates.filter((c) => c.name === name);
  if (f.isNotDefined) return named.length === 0;
  return named.some((c) => componentMatches(obj, f, c, parent));
}

function componentMatches(obj: QueryObject, f: CompFilter, comp: ICAL.Component, parent: ICAL.Component | null): boolean {
  if (f.timeRange && !componentInRange(obj, comp, f.timeRange, parent)) return false;
  if (!f.propFilters.every((p) => propFilterMatches(obj, p, comp))) return false;
  return f.compFilters.every((c) => compFilterMatches(obj, c, comp.getAllSubcomponents(), comp));
}

/** §9.9 for one component: any of its instances (or, for VALARM, its parent's) overlaps. */
export function componentInRange(obj: QueryObject, comp: ICAL.Component, r: TimeRange, parent: ICAL.Component | null): boolean {
  const zr = obj.zones;
  const limit = r.end ?? Infinity;
  switch (comp.name) {
    case 'vfreebusy':
      return freebusyOverlaps(comp, r, zr);
    case 'valarm': {
      const trigger = alarmTrigger(comp, zr);
      if (!trigger) return false;
      if (trigger.absolute !== null) return triggersOverlap(triggerTimes(trigger, null), r);
      if (!parent) return false;
      const set = obj.instanceSet(parent);
      // An instance starting after the range end can still fire inside it (negative trigger).
      const early = Math.max(0, -trigger.offset);
      return set.someOf(parent, limit + early, (i) => triggersOverlap(triggerTimes(trigger, i), r));
    }
    case 'vevent':
    case 'vtodo':
    case 'vjournal':
    case 'vavailability':
      return obj.instanceSet(comp).someOf(comp, limit, (i) => instanceOverlaps(i, r, zr));
    default:
      return false;
  }
}

function propFilterMatches(obj: QueryObject, f: PropFilter, comp: ICAL.Component): boolean {
  const props = comp.getAllProperties(f.name.toLowerCase());
  if (f.isNotDefined) return props.length === 0;
  return props.some((p) =>
    (!f.timeRange || propertyOverlaps(p, f.timeRange, obj.zones))
    && (!f.textMatch || holdsOn(obj, f.textMatch, textOfProperty(obj, p)))
    && f.paramFilters.every((pf) => paramFilterMatches(obj, pf, p)));
}

function paramFilterMatches(obj: QueryObject, f: ParamFilter, prop: ICAL.Property): boolean {
  const values = paramValues(prop, f.name.toLowerCase());
  if (f.isNotDefined) return values.length === 0;
  if (values.length === 0) return false;
  return !f.textMatch || values.some((v) => holdsOn(obj, f.textMatch!, v));
}

/**
 * Folds every text the filter's text-matches may read in `obj` — the properties they name in the
 * components their comp-filters name, time ranges not looked at — in slices under the request's
 * budget (text-match-evaluation.ts prepare: a long text piece by piece, once for all the
 * text-matches on it), so that matchesFilter, which is synchronous, folds nothing long. Throws
 * QueryError max-instances once the object has used its time.
 */
export async function prepareTextMatches(obj: QueryObject, filter: CompFilter): Promise<void> {
  const pairs: Array<[FoldedTest, string]> = [];
  const inProps = (f: PropFilter, comp: ICAL.Component): void => {
    if (!f.textMatch && !f.paramFilters.some((pf) => pf.textMatch)) return;
    for (const p of comp.getAllProperties(f.name.toLowerCase())) {
      if (f.textMatch) pairs.push([testOf(obj, f.textMatch), textOfProperty(obj, p)]);
      for (const pf of f.paramFilters) {
        if (pf.textMatch) for (const v of paramValues(p, pf.name.toLowerCase())) pairs.push([testOf(obj, pf.textMatch), v]);
      }
    }
  };
  const inComps = (f: CompFilter, candidates: ICAL.Component[]): void => {
    const name = f.name.toLowerCase();
    for (const c of candidates) {
      if (c.name !== name) continue;
      for (const p of f.propFilters) inProps(p, c);
      for (const sub of f.compFilters) inComps(sub, c.getAllSubcomponents());
    }
  };
  for (const p of filter.propFilters) inProps(p, obj.vcal);
  for (const c of filter.compFilters) inComps(c, obj.components());
  if (pairs.length > 0) await obj.texts.prepare(pairs);
}

/**
 * What the store's columns can narrow (RFC 4791 §9.9 pre-filter): the component type the
 * filter requires and a time range every match must overlap — the type's own time-range, or
 * one of its VALARMs' (the stored bounds include alarm triggers). null fields narrow nothing.
 */
export function candidateBounds(filter: CompFilter): { componentType: string | null; range: TimeRange | null } {
  const types = filter.compFilters.filter((c) => !c.isNotDefined);
  const [comp] = types;
  if (!comp || types.length !== 1) return { componentType: null, range: null };
  const type = comp.name.toUpperCase();
  const alarm = comp.compFilters.find((c) => !c.isNotDefined && c.name.toUpperCase() === 'VALARM' && c.timeRange);
  return { componentType: type, range: comp.timeRange ?? alarm?.timeRange ?? null };
}

/**
 * The earliest time-range start anywhere in the filter, so instance walks may jump ahead to it;
 * null (no jumping) when some time-range is open at the start or none walks instances.
 */
/**
 * The latest end of the filter's comp-filter time-ranges (how far a recurrence walk must go),
 * Infinity when one has no end, null when there is none.
 */
export function latestEnd(filter: CompFilter): number | null {
  let max: number | null = null;
  const walk = (c: CompFilter): void => {
    if (c.timeRange) max = Math.max(max ?? -Infinity, c.timeRange.end ?? Infinity);
    c.compFilters.forEach(walk);
  };
  walk(filter);
  return max;
}

export function earliestStart(filter: CompFilter): number | null {
  let min = Infinity;
  let open = false;
  const walk = (c: CompFilter): void => {
    if (c.timeRange) {
      if (c.timeRange.start === null) open = true;
      else min = Math.min(min, c.timeRange.start);
    }
    c.compFilters.forEach(walk);
  };
  walk(filter);
  return open || !Number.isFinite(min) ? null : min;
}
