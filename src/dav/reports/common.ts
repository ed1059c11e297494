// Pieces shared by the REPORTs: the <prop> of the request, calendar-data as an extra property
// (RFC 4791 §9.6, with comp/prop selection, expand, limit-recurrence-set, limit-freebusy-set),
// the XML of CALDAV:filter (§9.7) and time-range (§9.9) read into the ical/ models, and the zone
// floating times are read in (CALDAV:timezone, else the calendar's calendar-timezone, else UTC).
import { CALDAV, DAV } from '../../xml/names.js';
import { textOf, type XmlElement } from '../../xml/parse.js';
import type { Collection, StoredObject } from '../../store/types.js';
import type { Config } from '../../config.js';
import { etagDerivedDefs, type PropContent } from '../properties/index.js';
import type { PropRequest } from '../propstats.js';
import { parsePropRequest } from '../methods/propfind.js';
import { DavError, maxInstances, supportedCalendarData, supportedCollation, validFilter } from '../errors.js';
import { checkFilter, collationOf, type CompFilter, type MatchType, type ParamFilter, type PropFilter, type TextMatch } from '../../ical/filter.js';
import { isWholeObject, renderCalendarData, renderCalendarDataSliced, type CalendarDataRequest, type CompSelection } from '../../ical/expand.js';
import { QueryError } from '../../ical/query-errors.js';
import type { QueryOptions } from '../../ical/query-object.js';
import { zoneOfCalendarTimezone } from '../../ical/query-object.js';
import type { TimeRange } from '../../ical/time-range.js';
import { UTC_ZONE, type Zone } from '../../ical/zones.js';
import { WorkBudget } from '../../ical/work-budget.js';
import { propertyBytes } from '../../xml/serialize.js';
import { LRUCache } from 'lru-cache';
import { boundedCache } from '../../bounded-cache.js';

/** The report's <prop>/<allprop>/<propname>, read like a PROPFIND body; none means allprop. */
export function reportPropRequest(root: XmlElement): PropRequest {
  const relevant = root.children.filter((c) => c.name === DAV.prop || c.name === DAV.allprop || c.name === DAV.propname);
  if (relevant.length === 0) return { type: 'prop', names: [DAV.getetag] };
  return parsePropRequest({ ...root, name: DAV.propfind, children: relevant });
}

export function wantsCalendarData(req: PropRequest): boolean {
  return req.type === 'prop' && req.names.includes(CALDAV.calendarData);
}

/** Maps evaluation errors of ical/ to their CalDAV preconditions; anything else passes through. */
export function toQueryDavError(err: unknown): unknown {
  if (!(err instanceof QueryError)) return err;
  switch (err.condition) {
    case 'valid-filter':
      return validFilter(err.message);
    case 'supported-collation':
      return supportedCollation(err.message);
    case 'supported-calendar-data':
      return supportedCalendarData(err.message);
    case 'max-instances':
      return maxInstances(err.message);
  }
}

/** Runs `fn`, turning QueryErrors into DavErrors. */
export function queryErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toQueryDavError(err);
  }
}

// --- time-range (§9.9) ---------------------------------------------------------------------

/** RFC 5545 §3.3.5 UTC date-time "YYYYMMDDTHHMMSSZ" → epoch ms. */
export function parseUtc(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw validFilter(`time-range values must be UTC date-times, got "${value}"`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Number.isNaN(ms) || +m[2]! < 1 || +m[2]! > 12 || +m[3]! < 1 || +m[3]! > 31 || +m[4]! > 23 || +m[5]! > 59 || +m[6]! > 60) {
    throw validFilter(`Invalid date-time "${value}"`);
  }
  return ms;
}

/** A time-range element: start and/or end (not neither), end after start. */
export function parseTimeRange(el: XmlElement, opts: { requireBoth?: boolean } = {}): TimeRange {
  const start = parseUtc(el.attrs.start);
  const end = parseUtc(el.attrs.end);
  if (start === null && end === null) throw validFilter(`${el.local} needs a start or an end`);
  if (opts.requireBoth && (start === null || end === null)) throw validFilter(`${el.local} needs both start and end`);
  if (start !== null && end !== null && end <= start) throw validFilter(`${el.local} end must be after its start`);
  return { start, end };
}

// --- filter (§9.7) ---------------------------------------------------------------------------

function unexpected(el: XmlElement, where: string): DavError {
  return validFilter(`${el.local} is not allowed in ${where}`);
}

function nameAttr(el: XmlElement): string {
  const name = (el.attrs.name ?? '').trim();
  if (!name) throw validFilter(`${el.local} needs a name attribute`);
  return name;
}

function parseTextMatch(el: XmlElement): TextMatch {
  const negate = (el.attrs['negate-condition'] ?? 'no').trim().toLowerCase();
  if (negate !== 'yes' && negate !== 'no') throw validFilter('negate-condition must be "yes" or "no"');
  const matchType = (el.attrs['match-type'] ?? 'contains').trim().toLowerCase();
  if (!['contains', 'equals', 'starts-with', 'ends-with'].includes(matchType)) throw validFilter(`Unknown match-type ${matchType}`);
  if (el.children.length > 0) throw validFilter('text-match holds text only');
  return { value: textOf(el).trim(), collation: queryErrors(() => collationOf(el.attrs.collation)), negate: negate === 'yes', matchType: matchType as MatchType };
}

function parseParamFilter(el: XmlElement): ParamFilter {
  const f: ParamFilter = { name: nameAttr(el), isNotDefined: false, textMatch: null };
  for (const c of el.children) {
    if (c.name === CALDAV.isNotDefined && el.children.length === 1) f.isNotDefined = true;
    else if (c.name === CALDAV.textMatch && !f.textMatch) f.textMatch = parseTextMatch(c);
    else throw unexpected(c, 'param-filter');
  }
  return f;
}

function parsePropFilter(el: XmlElement): PropFilter {
  const f: PropFilter = { name: nameAttr(el), isNotDefined: false, timeRange: null, textMatch: null, paramFilters: [] };
  for (const c of el.children) {
    if (c.name === CALDAV.isNotDefined && el.children.length === 1) f.isNotDefined = true;
    else if (c.name === CALDAV.timeRange && !f.timeRange && !f.textMatch) f.timeRange = parseTimeRange(c);
    else if (c.name === CALDAV.textMatch && !f.timeRange && !f.textMatch) f.textMatch = parseTextMatch(c);
    else if (c.name === CALDAV.paramFilter) f.paramFilters.push(parseParamFilter(c));
    else throw unexpected(c, 'prop-filter');
  }
  return f;
}

function parseCompFilter(el: XmlElement, depth: number): CompFilter {
  if (depth > 8) throw validFilter('comp-filters nested too deeply');
  const f: CompFilter = { name: nameAttr(el).toUpperCase(), isNotDefined: false, timeRange: null, propFilters: [], compFilters: [] };
  for (const c of el.children) {
    if (c.name === CALDAV.isNotDefined && el.children.length === 1) f.isNotDefined = true;
    else if (c.name === CALDAV.timeRange && !f.timeRange) f.timeRange = parseTimeRange(c);
    else if (c.name === CALDAV.propFilter) f.propFilters.push(parsePropFilter(c));
    else if (c.name === CALDAV.compFilter) f.compFilters.push(parseCompFilter(c, depth + 1));
    else throw unexpected(c, 'comp-filter');
  }
  return f;
}

/** CALDAV:filter → the VCALENDAR comp-filter; 403 valid-filter / supported-collation on bad input. */
export function parseFilter(filter: XmlElement | undefined): CompFilter {
  if (!filter) throw validFilter('calendar-query needs a filter');
  if (filter.children.length !== 1 || filter.children[0]!.name !== CALDAV.compFilter) throw validFilter('The filter must hold exactly one comp-filter (on VCALENDAR)');
  const root = parseCompFilter(filter.children[0]!, 0);
  queryErrors(() => checkFilter(root));
  return root;
}

// --- calendar-data (§9.6) --------------------------------------------------------------------

function parseSelection(el: XmlElement, depth: number): CompSelection {
  if (depth > 8) throw badCalendarData('comp elements nested too deeply');
  const name = (el.attrs.name ?? '').trim();
  if (!name) throw badCalendarData('comp needs a name attribute');
  const sel: CompSelection = { name: name.toUpperCase(), allProps: false, props: [], allComps: false, comps: [] };
  for (const c of el.children) {
    if (c.name === CALDAV.allprop) sel.allProps = true;
    else if (c.name === CALDAV.allcomp) sel.allComps = true;
    else if (c.name === CALDAV.prop) {
      const pname = (c.attrs.name ?? '').trim();
      if (!pname) throw badCalendarData('prop needs a name attribute');
      sel.props.push({ name: pname.toUpperCase(), novalue: (c.attrs.novalue ?? 'no').trim().toLowerCase() === 'yes' });
    } else if (c.name === CALDAV.comp) sel.comps.push(parseSelection(c, depth + 1));
    else throw badCalendarData(`${c.local} is not allowed in comp`);
  }
  return sel;
}

function badCalendarData(why: string): DavError {
  return new DavError(400, null, `calendar-data: ${why}`);
}

/** The CALDAV:calendar-data element inside the report's DAV:prop, if any. */
export function calendarDataElement(root: XmlElement): XmlElement | undefined {
  for (const prop of root.children) {
    if (prop.name !== DAV.prop) continue;
    const el = prop.children.find((c) => c.name === CALDAV.calendarData);
    if (el) return el;
  }
  return undefined;
}

/** Reads a calendar-data request element (§9.6); null for a plain <C:calendar-data/>. */
export function parseCalendarDataRequest(el: XmlElement | undefined): CalendarDataRequest | null {
  if (!el) return null;
  const type = (el.attrs['content-type'] ?? 'text/calendar').trim().toLowerCase();
  const version = (el.attrs.version ?? '2.0').trim();
  if (type !== 'text/calendar' || version !== '2.0') throw supportedCalendarData(`calendar-data ${type} version ${version} is not supported; use text/calendar 2.0`);
  const req: CalendarDataRequest = { select: null, expand: null, limitRecurrence: null, limitFreebusy: null };
  for (const c of el.children) {
    if (c.name === CALDAV.comp && !req.select) {
      req.select = parseSelection(c, 0);
      if (req.select.name !== 'VCALENDAR') throw badCalendarData('the outer comp must be VCALENDAR');
    } else if (c.name === CALDAV.expand && !req.expand && !req.limitRecurrence) req.expand = parseTimeRange(c, { requireBoth: true });
    else if (c.name === CALDAV.limitRecurrenceSet && !req.expand && !req.limitRecurrence) req.limitRecurrence = parseTimeRange(c, { requireBoth: true });
    else if (c.name === CALDAV.limitFreebusySet && !req.limitFreebusy) req.limitFreebusy = parseTimeRange(c, { requireBoth: true });
    else throw badCalendarData(`unexpected ${c.local}`);
  }
  return isWholeObject(req) ? null : req;
}

// --- zones and rendering ---------------------------------------------------------------------

const zoneCache = new Map<string, Zone | null>();

/** The zone of a calendar-timezone / CALDAV:timezone text, cached by text. */
export function zoneOfText(text: string | null | undefined): Zone | null {
  if (!text) return null;
  let z = zoneCache.get(text);
  if (z === undefined) {
    z = zoneOfCalendarTimezone(text);
    if (zoneCache.size > 256) zoneCache.clear();
    zoneCache.set(text, z);
  }
  return z;
}

/**
 * How floating times and expansion limits apply to objects of `collection` (RFC 4791 §9.9), with
 * this request's processor-time account (one per call: call it once per request).
 */
export function queryOptionsFor(collection: Collection, config: Config, override?: Zone | null): QueryOptions {
  return {
    floatingZone: override ?? zoneOfText(collection.timezone) ?? UTC_ZONE, maxInstances: config.maxInstances,
    budget: new WorkBudget(config.maxEvaluationMs),
    limits: { maxComponents: config.maxObjectComponents, maxProperties: config.maxObjectProperties, maxRules: config.maxRecurrenceRules, maxRecurrenceDates: config.maxRecurrenceDates },
  };
}

// --- caches of query results -----------------------------------------------------------------
//
// A stored object never changes under its etag (a PUT writes a new one), so what a query
// computes from one object is a function of (collection, name, etag) and of the request:
// the filter or calendar-data request, the zone floating times are read in, max-instances.
// Clients repeat the same queries (the month on screen, at every refresh), so both the
// filter verdicts and the rendered calendar-data (expand, selections) are kept, bounded.

const zoneKeys = new WeakMap<Zone, number>();
let nextZoneKey = 1;

function zoneKey(z: Zone): number {
  let k = zoneKeys.get(z);
  if (k === undefined) zoneKeys.set(z, (k = nextZoneKey++));
  return k;
}

const requestKeys = new Map<string, number>();
let nextRequestKey = 1;

/**
 * A short key for a request's query-dependent inputs: `what` (the filter or the calendar-data
 * request, as JSON) and the options. Equal inputs get equal keys.
 */
export function queryKey(what: unknown, opts: QueryOptions): string {
  const text = `${JSON.stringify(what)}\u0000${zoneKey(opts.floatingZone)}\u0000${opts.maxInstances}`;
  let k = requestKeys.get(text);
  if (k === undefined) {
    if (requestKeys.size >= 4096) requestKeys.clear(); // old keys then simply miss
    requestKeys.set(text, (k = nextRequestKey++));
  }
  return String(k);
}

/** The identity of one stored version of an object, under a query key. */
export function objectKey(o: { collectionId: number; name: string; etag: string; busyView?: true }, key: string): string {
  // A sharee's busy view of a confidential object keeps its etag (dav/sharee-view.ts): own keys.
  return `${key}\u0000${o.collectionId}\u0000${o.etag}\u0000${o.name}${o.busyView ? '\u0000busy' : ''}`;
}

/** Filter verdicts (calendar-query, §9.7) by objectKey. */
export const verdictCache = boundedCache<string, boolean>(50_000);

/**
 * Rendered calendar-data elements (`<cal:calendar-data>…</cal:calendar-data>`, escaped, UTF-8),
 * and whole responses holding them (`responseCacheKey`), by objectKey; bounded by bytes. Kept
 * encoded so that a repeated query copies each one into the body instead of rendering, escaping
 * and encoding it again (xml/chunked-writer.ts).
 */
const renderCache = new LRUCache<string, Buffer>({
  maxSize: 16 * 1024 * 1024,
  sizeCalculation: (v) => Math.max(1, v.length),
});

/** A cached rendering of `obj` under `dataReq` (whose queryKey is `key`), if there is one. */
export function cachedCalendarData(obj: { collectionId: number; name: string; etag: string }, key: string): PropContent | undefined {
  return renderCache.get(objectKey(obj, key));
}

/**
 * calendar-data as an extra property of a response (RFC 4791 §9.6): the stored bytes, or the
 * object transformed by `dataReq` (selection, expand, limits).
 */
export function calendarDataExtra(obj: StoredObject, dataReq: CalendarDataRequest | null = null, opts?: QueryOptions): Map<string, PropContent> {
  if (isWholeObject(dataReq) || !opts) return new Map([[CALDAV.calendarData, obj.data.toString('utf8')]]);
  return new Map([[CALDAV.calendarData, renderedData(obj, dataReq!, opts)]]);
}

/**
 * calendar-data of `obj` under `dataReq` as XML content, from the cache or rendered (and then
 * cached); max-instances becomes 403, an unreadable object is returned as stored.
 */
export function renderedData(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions, reqKey = queryKey(dataReq, opts)): PropContent {
  const key = objectKey(obj, reqKey);
  let v = renderCache.get(key);
  if (!v) {
    v = freshRenderedData(obj, dataReq, opts);
    renderCache.set(key, v);
  }
  return v;
}

/** calendar-data of `obj` under `dataReq`, rendered now and not cached (the caller caches what holds it). */
export function freshRenderedData(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions): Buffer {
  return propertyBytes(CALDAV.calendarData, renderData(obj, dataReq, opts));
}

/**
 * For a report whose responses hold transformed calendar-data (expand, selections), the key
 * under which whole responses of `parentHref`'s members may be cached next to the renderings:
 * when every other property asked derives from the etag alone (getetag), so a response is a
 * function of (object version, request, href). Null when something else is asked (a dead or
 * an access-dependent property can change without the etag).
 */
export function responseCacheKey(propReq: PropRequest, renderKey: string, parentHref: string): string | null {
  if (propReq.type !== 'prop' || !etagDerivedDefs(propReq.names, CALDAV.calendarData)) return null;
  return `${renderKey}\u0001${propReq.names.join(' ')}\u0001${parentHref}`;
}

/** A cached whole response (`responseBytes`) of this object version under a responseCacheKey. */
export function cachedResponse(obj: { collectionId: number; name: string; etag: string }, key: string): Buffer | undefined {
  return renderCache.get(objectKey(obj, key));
}

export function cacheResponse(obj: { collectionId: number; name: string; etag: string }, key: string, bytes: Buffer): void {
  renderCache.set(objectKey(obj, key), bytes);
}

/**
 * renderedData with the recurrence walk done in slices that let other requests run (and the
 * request's budget paused between objects): what calendar-query uses before streaming.
 */
export async function renderedDataSliced(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions, reqKey = queryKey(dataReq, opts)): Promise<PropContent> {
  const key = objectKey(obj, reqKey);
  let v = renderCache.get(key);
  if (!v) {
    v = await freshRenderedDataSliced(obj, dataReq, opts);
    renderCache.set(key, v);
  }
  return v;
}

/** freshRenderedData with the walk in slices. */
export async function freshRenderedDataSliced(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions): Promise<Buffer> {
  await opts.budget?.maybePause();
  let text: string;
  try {
    text = await renderCalendarDataSliced(obj.data, dataReq, opts);
  } catch (err) {
    if (err instanceof QueryError) throw toQueryDavError(err);
    text = obj.data.toString('utf8');
  }
  return propertyBytes(CALDAV.calendarData, text);
}

/** Renders calendar-data; max-instances becomes 403, an unreadable object is returned as stored. */
export function renderData(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions): string {
  try {
    return renderCalendarData(obj.data, dataReq, opts);
  } catch (err) {
    if (err instanceof QueryError) throw toQueryDavError(err);
    return obj.data.toString('utf8');
  }
}
