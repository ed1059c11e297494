// calendar-data in REPORT responses (RFC 4791 §9.6): component and property selection
// (§9.6.1–§9.6.4, comp / prop / allcomp / allprop, novalue), expand (§9.6.5: one component per
// instance overlapping the range, times in UTC, RECURRENCE-ID set, no RRULE/RDATE/EXDATE and no
// VTIMEZONE), limit-recurrence-set (§9.6.6) and limit-freebusy-set (§9.6.7).
import ICAL from 'ical.js';
import type { Instance } from './instances.js';
import { QueryObject, type QueryOptions } from './query-object.js';
import { freebusyPeriods, instanceOverlaps, type TimeRange } from './time-range.js';
import { tzidOf } from './offset-ranges.js';
import type { WorkBudget } from './work-budget.js';

export interface CompSelection {
  name: string;
  allProps: boolean;
  props: { name: string; novalue: boolean }[];
  allComps: boolean;
  comps: CompSelection[];
}

export interface CalendarDataRequest {
  /** null: the whole object. */
  select: CompSelection | null;
  expand: TimeRange | null;
  limitRecurrence: TimeRange | null;
  limitFreebusy: TimeRange | null;
}

export const WHOLE_OBJECT: CalendarDataRequest = { select: null, expand: null, limitRecurrence: null, limitFreebusy: null };

/** True when the stored bytes can be returned as they are (SPEC: byte for byte). */
export function isWholeObject(req: CalendarDataRequest | null): boolean {
  return !req || (!req.select && !req.expand && !req.limitRecurrence && !req.limitFreebusy);
}

const RECURRENCE_PROPS = ['rrule', 'rdate', 'exdate', 'exrule'];

function utcTime(ms: number): ICAL.Time {
  const d = new Date(ms);
  return ICAL.Time.fromData(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), isDate: false },
    ICAL.Timezone.utcTimezone,
  );
}

function dateTime(wall: number): ICAL.Time {
  const d = new Date(wall);
  return ICAL.Time.fromData({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), isDate: true });
}

function setTime(comp: ICAL.Component, name: string, value: ICAL.Time): void {
  comp.removeAllProperties(name);
  const prop = new ICAL.Property(name, comp);
  prop.setValue(value);
  comp.addProperty(prop);
}

/** Every DATE-TIME value with a TZID (or floating) rewritten in UTC (§9.6.5). */
function toUtcValues(comp: ICAL.Component, obj: QueryObject): void {
  for (const prop of [...comp.getAllProperties()]) {
    let values: unknown[];
    try {
      values = prop.getValues() as unknown[];
    } catch {
      continue;
    }
    if (!values.some((v) => v instanceof ICAL.Time && !v.isDate && v.zone !== ICAL.Timezone.utcTimezone)) continue;
    const tzid = tzidOf(prop);
    const converted = values.map((v) => (v instanceof ICAL.Time && !v.isDate ? utcTime(obj.zones.utc(v, obj.zones.zoneOf(v, tzid))) : v));
    prop.removeParameter('tzid');
    if (converted.length === 1) prop.setValue(converted[0] as ICAL.Time);
    else prop.setValues(converted as ICAL.Time[]);
  }
  for (const sub of [...comp.getAllSubcomponents()]) toUtcValues(sub, obj);
}

/** An instance's DATE or UTC DATE-TIME value in jCal form (as ICAL.Time would write it). */
function jcalTime(ms: number, isDate: boolean): [string, string] | null {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return null;
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${String(y).padStart(4, '0')}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return isDate ? ['date', date] : ['date-time', `${date}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`];
}

/** setTime for an instance value, without building an ICAL.Time when it need not. */
function setInstanceTime(comp: ICAL.Component, name: string, ms: number, isDate: boolean): void {
  const v = jcalTime(ms, isDate);
  if (!v) {
    setTime(comp, name, isDate ? dateTime(ms) : utcTime(ms));
    return;
  }
  comp.removeAllProperties(name);
  comp.addProperty(new ICAL.Property([name, {}, v[0], v[1]]));
}

/**
 * The owner of an instance with its recurrence properties dropped and its values in UTC, as
 * jCal: the same for every instance it describes, so it is built once per owner (`templates`).
 */
function instanceTemplate(owner: ICAL.Component, obj: QueryObject, templates: Map<ICAL.Component, string>): string {
  let tpl = templates.get(owner);
  if (tpl === undefined) {
    const comp = new ICAL.Component(JSON.parse(JSON.stringify(owner.toJSON())) as unknown[]);
    for (const p of RECURRENCE_PROPS) comp.removeAllProperties(p);
    toUtcValues(comp, obj);
    tpl = JSON.stringify(comp.toJSON());
    templates.set(owner, tpl);
  }
  return tpl;
}

function instanceComponent(i: Instance, recurring: boolean, obj: QueryObject, templates: Map<ICAL.Component, string>): ICAL.Component {
  const comp = new ICAL.Component(JSON.parse(instanceTemplate(i.owner, obj, templates)) as unknown[]);
  const hadEnd = i.owner.hasProperty(i.owner.name === 'vtodo' ? 'due' : 'dtend');
  if (i.start !== null && i.startWall !== null) {
    setInstanceTime(comp, 'dtstart', i.isDate ? i.startWall : i.start, i.isDate);
    if (hadEnd && i.end !== null && i.endWall !== null) {
      setInstanceTime(comp, i.owner.name === 'vtodo' ? 'due' : 'dtend', i.isDate ? i.endWall : i.end, i.isDate);
    }
  }
  comp.removeAllProperties('recurrence-id');
  if (recurring && i.rid !== null && i.ridWall !== null) setInstanceTime(comp, 'recurrence-id', i.isDate ? i.ridWall : i.rid, i.isDate);
  return comp;
}

/** The instances of the object overlapping `range`, each its own component (§9.6.5). */
/** The components of an expansion (§9.6.5), one at a time, so that a sliced caller can pause between them. */
function* expandedComponents(obj: QueryObject, range: TimeRange): Generator<ICAL.Component> {
  for (const group of obj.groups()) {
    const first = group[0]!;
    if (!['vevent', 'vtodo', 'vjournal'].includes(first.name)) {
      for (const c of group) {
        const copy = new ICAL.Component(JSON.parse(JSON.stringify(c.toJSON())) as unknown[]);
        toUtcValues(copy, obj);
        yield copy;
      }
      continue;
    }
    const set = obj.instanceSet(first);
    const hits = set.list(range.end ?? Infinity).filter((i) => instanceOverlaps(i, range, obj.zones));
    hits.sort((a, b) => (a.start ?? -Infinity) - (b.start ?? -Infinity));
    const templates = new Map<ICAL.Component, string>();
    for (const i of hits) yield instanceComponent(i, set.recurring, obj, templates);
  }
}

function expandInto(out: ICAL.Component, obj: QueryObject, range: TimeRange): void {
  for (const c of expandedComponents(obj, range)) out.addSubcomponent(c);
}

/**
 * §9.6.6: the masters stay; an override stays when its own instance overlaps the range, or when
 * it is THISANDFUTURE and starts before the range ends (it then shapes later instances).
 */
function limitRecurrence(obj: QueryObject, range: TimeRange): void {
  for (const c of obj.components()) {
    if (!c.hasProperty('recurrence-id') || !['vevent', 'vtodo', 'vjournal'].includes(c.name)) continue;
    const set = obj.instanceSet(c);
    let keep = false;
    set.someOf(c, range.end ?? Infinity, (i) => {
      keep = instanceOverlaps(i, range, obj.zones)
        || (String(c.getFirstProperty('recurrence-id')!.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE' && i.owner === c && (range.end === null || (i.rid ?? Infinity) < range.end));
      return keep;
    });
    if (!keep) obj.vcal.removeSubcomponent(c);
  }
}

/** §9.6.7: FREEBUSY periods outside the range are dropped (and properties left empty). */
function limitFreebusy(obj: QueryObject, range: TimeRange): void {
  for (const fb of obj.vcal.getAllSubcomponents('vfreebusy')) {
    for (const prop of fb.getAllProperties('freebusy')) {
      let values: unknown[];
      try {
        values = prop.getValues() as unknown[];
      } catch {
        continue;
      }
      const periods = freebusyPeriods(prop, obj.zones);
      if (periods.length !== values.length) continue;
      const keep = values.filter((_v, k) => {
        const p = periods[k]!;
        return (range.start === null || range.start < p.end) && (range.end === null || range.end > p.start);
      });
      if (keep.length === 0) fb.removeProperty(prop);
      else if (keep.length !== values.length) prop.setValues(keep as ICAL.Period[]);
    }
  }
}

/** Keeps what the selection names (§9.6.1–§9.6.4); an empty prop/comp list keeps none. */
function applySelection(comp: ICAL.Component, sel: CompSelection): void {
  if (!sel.allProps) {
    const wanted = new Map(sel.props.map((p) => [p.name.toLowerCase(), p.novalue]));
    for (const prop of [...comp.getAllProperties()]) {
      const novalue = wanted.get(prop.name);
      if (novalue === undefined) comp.removeProperty(prop);
      else if (novalue) {
        // The property's default value type, so no VALUE= parameter appears beside the empty value.
        const design = (ICAL.design.icalendar.property as Record<string, { defaultType?: string } | undefined>)[prop.name];
        const empty = new ICAL.Property([prop.name, prop.toJSON()[1] as Record<string, unknown>, design?.defaultType ?? 'unknown', ''], comp);
        comp.removeProperty(prop);
        comp.addProperty(empty);
      }
    }
  }
  for (const sub of [...comp.getAllSubcomponents()]) {
    const subSel = sel.comps.find((c) => c.name.toLowerCase() === sub.name);
    if (subSel) applySelection(sub, subSel);
    else if (!sel.allComps) comp.removeSubcomponent(sub);
  }
}

function queryObjectFor(text: string | Buffer, req: CalendarDataRequest, opts: QueryOptions): QueryObject {
  const range = req.expand ?? req.limitRecurrence ?? req.limitFreebusy;
  return new QueryObject(text, { ...opts, skipBefore: range?.start ?? null });
}

/** The calendar-data text for one object under `req` (not a whole-object request). */
export function renderCalendarData(text: string | Buffer, req: CalendarDataRequest, opts: QueryOptions): string {
  return renderFrom(queryObjectFor(text, req, opts), req);
}

/**
 * renderCalendarData with the recurrence walk done first in slices that let other requests run
 * (opts.budget, work-budget.ts): what the REPORTs call.
 */
export async function renderCalendarDataSliced(text: string | Buffer, req: CalendarDataRequest, opts: QueryOptions): Promise<string> {
  const obj = queryObjectFor(text, req, opts);
  const range = req.expand ?? req.limitRecurrence;
  if (range) await obj.prepare(range.end ?? Infinity);
  if (req.expand && opts.budget) return renderExpandedSliced(obj, req, req.expand, opts.budget);
  return renderFrom(obj, req);
}

/** Components built or written between two looks at the budget's slice. */
const PAUSE_EVERY = 64;

/**
 * renderFrom for an expand, with pauses between components while they are built and while they
 * are written: an expansion of thousands of instances (up to max-instances) took seconds of
 * building and stringifying in one piece after the walk itself had been sliced. Same text as
 * renderFrom: the VCALENDAR's own lines, then each component, then END:VCALENDAR.
 */
async function renderExpandedSliced(obj: QueryObject, req: CalendarDataRequest, range: TimeRange, budget: WorkBudget): Promise<string> {
  const vcal = new ICAL.Component('vcalendar');
  for (const p of obj.vcal.getAllProperties()) vcal.addProperty(new ICAL.Property(JSON.parse(JSON.stringify(p.toJSON())) as unknown[]));
  let n = 0;
  for (const c of expandedComponents(obj, range)) {
    vcal.addSubcomponent(c);
    if (++n % PAUSE_EVERY === 0) await budget.maybePause();
  }
  if (req.select) applySelection(vcal, req.select);
  const subs = [...vcal.getAllSubcomponents()];
  vcal.removeAllSubcomponents();
  const shell = vcal.toString();
  const end = shell.lastIndexOf('END:VCALENDAR');
  const parts = [shell.slice(0, end)];
  for (let i = 0; i < subs.length; i++) {
    parts.push(subs[i]!.toString(), '\r\n');
    if ((i + 1) % PAUSE_EVERY === 0) await budget.maybePause();
  }
  parts.push(shell.slice(end));
  return parts.join('').replace(/\r?\n/g, '\r\n') + '\r\n';
}

function renderFrom(obj: QueryObject, req: CalendarDataRequest): string {
  let vcal: ICAL.Component;
  if (req.expand) {
    vcal = new ICAL.Component('vcalendar');
    for (const p of obj.vcal.getAllProperties()) vcal.addProperty(new ICAL.Property(JSON.parse(JSON.stringify(p.toJSON())) as unknown[]));
    expandInto(vcal, obj, req.expand);
  } else {
    if (req.limitRecurrence) limitRecurrence(obj, req.limitRecurrence);
    if (req.limitFreebusy) limitFreebusy(obj, req.limitFreebusy);
    vcal = obj.vcal;
    const rest = [...vcal.getAllSubcomponents()]; // ical.js's own array without a name
    vcal.removeAllSubcomponents();
    for (const z of obj.vtimezones) vcal.addSubcomponent(z);
    for (const c of rest) vcal.addSubcomponent(c);
  }
  if (req.select) applySelection(vcal, req.select);
  return vcal.toString().replace(/\r?\n/g, '\r\n') + '\r\n';
}

