// calendar-query (RFC 4791 §7.8): the members of a calendar (Depth 1) or one object (on the
// object itself) matching a filter (§9.7, time ranges by §9.9 with recurrence), with the asked
// properties and calendar-data (§9.6, incl. expand). Candidates are narrowed in SQL by the
// component-type and first/last-occurrence columns (a superset, cached per sync token). A
// plain VEVENT time-range is decided from the exact-instance columns for non-recurring events
// with exact times; other candidates by the verdict cached for their etag and this filter, or
// else parsed, in batches, and evaluated; the resulting matches are cached per sync token and
// filter too. A filter needing nothing but the component type is answered from the columns
// alone. Evaluation and rendering (from the caches of common.ts: calendar-data renderings, and
// whole responses when the other properties derive from the etag) happen before the first byte
// is sent, so max-instances and friends are a proper 403; the multistatus is then streamed.
import { LRUCache } from 'lru-cache';
import { CALDAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { textOf } from '../../xml/parse.js';
import { responseBytes, type ResponseEntry } from '../../xml/serialize.js';
import type { ComponentType, ObjectMeta, StoredObject } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../context.js';
import { depthOf } from '../depth.js';
import { forbidden, validFilter } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus } from '../multistatus.js';
import { propstatsFor } from '../propstats.js';
import type { Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { candidateBounds, earliestStart, latestEnd, matchesFilter, type CompFilter } from '../../ical/filter.js';
import { exactEventOverlaps } from '../../ical/instances.js';
import type { PropContent } from '../properties/index.js';
import { QueryObject, type QueryOptions } from '../../ical/query-object.js';
import { QueryError } from '../../ical/query-errors.js';
import {
  cacheResponse, cachedCalendarData, cachedResponse, calendarDataElement, freshRenderedDataSliced, objectKey,
  parseCalendarDataRequest, parseFilter, queryErrors, queryKey, toQueryDavError, queryOptionsFor, renderedDataSliced, reportPropRequest,
  responseCacheKey, verdictCache, wantsCalendarData, zoneOfText,
} from './common.js';
import { propContextFor } from '../methods/propfind.js';
import { isSharee, visibleMetas, visibleObjects } from '../sharee-view.js';

export { parseUtc } from './common.js';

const TYPES: readonly string[] = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];
const BATCH = 100;
/** Bodies of matches kept from the evaluation pass instead of being fetched again. */
const KEEP_BYTES = 16 * 1024 * 1024;

/**
 * Candidate lists of time-range queries by (collection, sync token, type, range), and their
 * matches under a filter by the same key plus the filter's; shared and never modified; bounded
 * by the number of entries they hold in total. Every write moves the sync token.
 */
const candidateCache = new LRUCache<string, ObjectMeta[]>({ maxSize: 20_000, sizeCalculation: (v) => v.length + 1 });

/** True when the component-type column alone decides the filter. */
function typeOnly(filter: CompFilter): boolean {
  if (filter.propFilters.length > 0) return false;
  if (filter.compFilters.length === 0) return true;
  if (filter.compFilters.length !== 1) return false;
  const c = filter.compFilters[0]!;
  return !c.isNotDefined && !c.timeRange && c.propFilters.length === 0 && c.compFilters.length === 0 && TYPES.includes(c.name);
}

/**
 * For a filter that is nothing but one VEVENT comp-filter with a time-range (what clients send
 * for a calendar view), the test of an object from its exact-instance columns; it answers
 * undefined for objects without them (recurring, floating, …).
 */
function columnTest(filter: CompFilter): ((m: ObjectMeta) => boolean | undefined) | null {
  if (filter.propFilters.length > 0 || filter.compFilters.length !== 1) return null;
  const c = filter.compFilters[0]!;
  if (c.name !== 'VEVENT' || c.isNotDefined || !c.timeRange || c.propFilters.length > 0 || c.compFilters.length > 0) return null;
  const range = c.timeRange;
  return (m) => (m.componentType === 'VEVENT' && m.instanceStart != null && m.instanceEnd != null ? exactEventOverlaps(m.instanceStart, m.instanceEnd, range) : undefined);
}

export async function calendarQuery(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  if (target.kind !== 'calendar' && target.kind !== 'object') throw forbidden('calendar-query is supported on calendars and calendar objects');
  const filter = parseFilter(root.children.find((c) => c.name === CALDAV.filter));
  const propReq = reportPropRequest(root);
  const withData = wantsCalendarData(propReq);
  const dataReq = withData ? parseCalendarDataRequest(calendarDataElement(root)) : null;
  // §9.8 CALDAV:timezone in the request overrides the calendar's zone for floating times.
  const tzEl = root.children.find((c) => c.name === CALDAV.timezone);
  const tzOverride = tzEl ? zoneOfText(textOf(tzEl)) : null;
  if (tzEl && !tzOverride) throw validFilter('CALDAV:timezone must hold a VCALENDAR with one VTIMEZONE');

  const calendar = target.kind === 'object' ? target.parent : target;
  if (calendar.kind !== 'calendar') throw forbidden('calendar-query is supported on calendars and calendar objects');
  const opts: QueryOptions = queryOptionsFor(calendar.collection, svc.config, tzOverride);
  const minimal = wantsMinimal(req);
  const ctx = await propContextFor(svc, []);
  const store = svc.store;
  const collectionId = calendar.collection.id;

  // Depth 0 on the calendar addresses the collection, which is no calendar object (§7.8).
  // A missing Depth is taken as 1, as clients mean (RFC 3253's default 0 would answer nothing).
  const depth = target.kind === 'calendar' ? depthOf(req, '1') : '0';
  let metas: ObjectMeta[];
  let cacheKey: string | null = null;
  const { componentType, range } = candidateBounds(filter);
  if (target.kind === 'object') {
    const m = await store.getObjectMeta(collectionId, target.name);
    metas = m ? [m] : [];
  } else if (depth === '0') {
    metas = [];
  } else {
    const type = componentType && TYPES.includes(componentType) ? (componentType as ComponentType) : undefined;
    const q = { ...(type ? { componentType: type } : {}), start: range?.start ?? null, end: range?.end ?? null };
    // Every write in the collection moves its sync token, so candidates are kept under it.
    cacheKey = range ? `${collectionId}\u0000${calendar.collection.syncSeq}\u0000${type ?? ''}\u0000${q.start}\u0000${q.end}` : null;
    const cached = cacheKey ? candidateCache.get(cacheKey) : undefined;
    metas = cached ?? await store.queryObjects(collectionId, q);
    if (cacheKey && !cached) candidateCache.set(cacheKey, metas);
  }
  if (componentType) metas = metas.filter((m) => m.componentType === componentType); // an object target, or an unknown type
  // A sharee: no private objects; confidential ones are matched and rendered as their busy view,
  // so a text-match cannot probe hidden details (sharee-view.ts). Cached candidates stay whole.
  const sharee = isSharee(calendar);
  metas = visibleMetas(sharee, metas);

  // Exact pass. Unless this filter was answered over these candidates before, a candidate is
  // decided, in this order, from its exact-instance columns (a plain VEVENT time-range on a
  // non-recurring event with exact times), from the verdict cached for its etag under this
  // filter, or by parsing it (in batches) and evaluating the filter.
  const exact = !typeOnly(filter);
  const render = !!dataReq;
  const filterKey = exact ? queryKey(filter, opts) : '';
  // The answer to the same filter over the same candidates (same sync token) is the same list.
  const matchesKey = cacheKey && exact ? `${cacheKey}\u0000${filterKey}${sharee ? '\u0000sharee' : ''}` : null;
  const knownMatches = matchesKey ? candidateCache.get(matchesKey) : undefined;
  const matches: ObjectMeta[] = [];
  const kept = new Map<string, PropContent>();
  let keptBytes = 0;
  const renderKey = render ? queryKey(dataReq, opts) : '';
  // With transformed calendar-data, whole responses are cached per object version (then the
  // rendering alone is not): a repeated query copies bytes instead of assembling responses.
  const responseKey = render ? responseCacheKey(propReq, renderKey, calendar.href) : null;
  const encoded = new Map<string, Buffer>();
  /** The whole response of `obj` with this calendar-data, or null if a property needs the store. */
  const encode = (obj: ObjectMeta, value: PropContent): Buffer | null => {
    const r = objectResource(calendar, obj);
    const propstats = propstatsFor(r, propReq, ctx, { minimal, extra: new Map([[CALDAV.calendarData, value]]) });
    return propstats instanceof Promise ? null : responseBytes({ href: r.href, propstats });
  };
  const keep = async (obj: StoredObject): Promise<void> => {
    if (!withData || keptBytes > KEEP_BYTES) return;
    let value: PropContent;
    if (responseKey) {
      // Encoded at once, so the rendering is garbage as soon as it is copied into the response.
      value = await freshRenderedDataSliced(obj, dataReq!, opts);
      const bytes = encode(obj, value);
      if (bytes) {
        cacheResponse(obj, responseKey, bytes);
        encoded.set(obj.name, bytes);
        keptBytes += bytes.length;
        return;
      }
    } else {
      value = render ? await renderedDataSliced(obj, dataReq!, opts, renderKey) : obj.data.toString('utf8');
    }
    keptBytes += typeof value === 'string' || Buffer.isBuffer(value) ? value.length : 0;
    kept.set(obj.name, value);
  };
  if (knownMatches) {
    matches.push(...knownMatches);
  } else if (exact) {
    const fromColumns = columnTest(filter);
    const key = filterKey;
    const skipBefore = earliestStart(filter);
    const until = latestEnd(filter);
    const pending: ObjectMeta[] = [];
    for (const m of metas) {
      const verdict = fromColumns?.(m) ?? verdictCache.get(objectKey(m, key));
      if (verdict === undefined) pending.push(m);
      else if (verdict) matches.push(m);
    }
    for (let i = 0; i < pending.length; i += BATCH) {
      const objects = visibleObjects(sharee, await store.getObjects(collectionId, pending.slice(i, i + BATCH).map((m) => m.name)));
      for (const obj of objects) {
        const hit = await evaluate(obj, filter, opts, skipBefore, until);
        verdictCache.set(objectKey(obj, key), hit);
        if (!hit) continue;
        const { data: _data, ...meta } = obj;
        matches.push(meta);
        await keep(obj);
      }
    }
  } else {
    matches.push(...metas);
  }
  // Renderings (expand, selections) happen here too, not while streaming, so that
  // max-instances is still a proper 403: from the cache, else from the fetched bodies.
  if (render) {
    const missing: string[] = [];
    for (const m of matches) {
      if (kept.has(m.name) || encoded.has(m.name)) continue;
      const response = responseKey ? cachedResponse(m, responseKey) : undefined;
      if (response !== undefined) {
        encoded.set(m.name, response);
        continue;
      }
      const cached = cachedCalendarData(m, renderKey);
      if (cached !== undefined) kept.set(m.name, cached);
      else missing.push(m.name);
    }
    for (let i = 0; i < missing.length && keptBytes <= KEEP_BYTES; i += BATCH) {
      for (const obj of visibleObjects(sharee, await store.getObjects(collectionId, missing.slice(i, i + BATCH)))) await keep(obj);
    }
  }
  if (!knownMatches) {
    matches.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (matchesKey) candidateCache.set(matchesKey, [...matches]);
  }

  // Streamed in pages of BATCH responses; a page whose properties are all at hand (getetag and
  // kept calendar-data, what clients ask) is built without a promise per response.
  async function* pages(): AsyncGenerator<ResponseEntry[]> {
    for (let i = 0; i < matches.length; i += BATCH) {
      const batch = matches.slice(i, i + BATCH);
      const missing = withData ? batch.filter((m) => !kept.has(m.name) && !encoded.has(m.name)).map((m) => m.name) : [];
      const fetched = missing.length ? new Map(visibleObjects(sharee, await store.getObjects(collectionId, missing)).map((o) => [o.name, o])) : null;
      const page: ResponseEntry[] = [];
      for (const meta of batch) {
        const r = objectResource(calendar, meta);
        const done = encoded.get(meta.name);
        if (done !== undefined) {
          page.push({ href: r.href, encoded: done });
          continue;
        }
        let extra;
        const value = withData ? kept.get(meta.name) : undefined;
        if (value !== undefined) extra = new Map([[CALDAV.calendarData, value]]);
        else if (withData) {
          const obj = fetched?.get(meta.name);
          if (obj) extra = new Map([[CALDAV.calendarData, dataReq ? await freshRenderedDataSliced(obj, dataReq, opts) : obj.data.toString('utf8')]]);
        }
        const propstats = propstatsFor(r, propReq, ctx, { minimal, ...(extra ? { extra } : {}) });
        page.push({ href: r.href, propstats: propstats instanceof Promise ? await propstats : propstats });
      }
      yield page;
    }
  }
  return multistatus(pages());
}

/**
 * The filter's verdict on one object. The recurrence walk up to the filter's latest time-range
 * end is done first, in slices between which other requests run (work-budget.ts); the request's
 * budget also pauses between objects.
 */
async function evaluate(obj: StoredObject, filter: CompFilter, opts: QueryOptions, skipBefore: number | null, until: number | null): Promise<boolean> {
  await opts.budget?.maybePause();
  let parsed: QueryObject;
  try {
    parsed = new QueryObject(obj.data, { ...opts, skipBefore });
  } catch (err) {
    if (err instanceof QueryError) throw toQueryDavError(err); // over the object limits
    return false; // not iCalendar (cannot happen for validated objects): matches nothing
  }
  try {
    if (until !== null) await parsed.prepare(until);
  } catch (err) {
    throw toQueryDavError(err);
  }
  return queryErrors(() => matchesFilter(parsed, filter));
}
