// calendar-query (RFC 4791 §7.8): the members of a calendar (Depth 1) or one object (on the
// object itself) matching a filter (§9.7, time ranges by §9.9 with recurrence), with the asked
// properties and calendar-data (§9.6, incl. expand). Candidates are narrowed in SQL by the
// component-type and first/last-occurrence columns (a superset); only candidates are parsed,
// in batches, and the exact filter decides. A filter needing nothing but the component type is
// answered from the columns alone. Evaluation happens before the first byte is sent, so
// max-instances and friends are a proper 403; the multistatus is then streamed.
import { CALDAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { textOf } from '../../xml/parse.js';
import type { ResponseEntry } from '../../xml/serialize.js';
import type { ComponentType, ObjectMeta, StoredObject } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../context.js';
import { depthOf } from '../depth.js';
import { forbidden, validFilter } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus } from '../multistatus.js';
import { propstatsFor } from '../propstats.js';
import type { Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { candidateBounds, earliestStart, matchesFilter, type CompFilter } from '../../ical/filter.js';
import { QueryObject, type QueryOptions } from '../../ical/query-object.js';
import {
  calendarDataElement, calendarDataExtra, parseCalendarDataRequest, parseFilter, queryErrors, queryOptionsFor,
  renderData, reportPropRequest, wantsCalendarData, zoneOfText,
} from './common.js';
import { propContextFor } from '../methods/propfind.js';

export { parseUtc } from './common.js';

const TYPES: readonly string[] = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];
const BATCH = 100;
/** Bodies of matches kept from the evaluation pass instead of being fetched again. */
const KEEP_BYTES = 16 * 1024 * 1024;

/** True when the component-type column alone decides the filter. */
function typeOnly(filter: CompFilter): boolean {
  if (filter.propFilters.length > 0) return false;
  if (filter.compFilters.length === 0) return true;
  if (filter.compFilters.length !== 1) return false;
  const c = filter.compFilters[0]!;
  return !c.isNotDefined && !c.timeRange && c.propFilters.length === 0 && c.compFilters.length === 0 && TYPES.includes(c.name);
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
  const { componentType, range } = candidateBounds(filter);
  if (target.kind === 'object') {
    const m = await store.getObjectMeta(collectionId, target.name);
    metas = m ? [m] : [];
  } else if (depth === '0') {
    metas = [];
  } else {
    const type = componentType && TYPES.includes(componentType) ? (componentType as ComponentType) : undefined;
    metas = await store.queryObjects(collectionId, { ...(type ? { componentType: type } : {}), start: range?.start ?? null, end: range?.end ?? null });
  }
  if (componentType) metas = metas.filter((m) => m.componentType === componentType); // an object target, or an unknown type

  // Exact pass: parse candidates in batches, keep the names that match (and some bodies).
  const matches: ObjectMeta[] = [];
  const kept = new Map<string, StoredObject | string>();
  let keptBytes = 0;
  const exact = !typeOnly(filter);
  const skipBefore = earliestStart(filter);
  const render = !!dataReq;
  for (let i = 0; i < metas.length && (exact || render); i += BATCH) {
    const batch = metas.slice(i, i + BATCH);
    const objects = await store.getObjects(collectionId, batch.map((m) => m.name));
    for (const obj of objects) {
      if (exact && !evaluate(obj, filter, opts, skipBefore)) continue;
      const { data: _data, ...meta } = obj;
      matches.push(meta);
      if (!withData || keptBytes > KEEP_BYTES) continue;
      const value = render ? renderData(obj, dataReq!, opts) : obj;
      keptBytes += typeof value === 'string' ? value.length : obj.data.length;
      kept.set(obj.name, value);
    }
  }
  if (!exact && !render) matches.push(...metas);
  matches.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  async function* entries(): AsyncGenerator<ResponseEntry> {
    for (let i = 0; i < matches.length; i += BATCH) {
      const batch = matches.slice(i, i + BATCH);
      const missing = withData ? batch.filter((m) => !kept.has(m.name)).map((m) => m.name) : [];
      const fetched = missing.length ? new Map((await store.getObjects(collectionId, missing)).map((o) => [o.name, o])) : new Map<string, StoredObject>();
      for (const meta of batch) {
        const r = objectResource(calendar, meta);
        let extra;
        if (withData) {
          const k = kept.get(meta.name) ?? fetched.get(meta.name);
          if (typeof k === 'string') extra = new Map([[CALDAV.calendarData, k]]);
          else if (k) extra = calendarDataExtra(k, dataReq, opts);
        }
        yield { href: r.href, propstats: await propstatsFor(r, propReq, ctx, { minimal, ...(extra ? { extra } : {}) }) };
      }
    }
  }
  return multistatus(entries());
}

function evaluate(obj: StoredObject, filter: CompFilter, opts: QueryOptions, skipBefore: number | null): boolean {
  let parsed: QueryObject;
  try {
    parsed = new QueryObject(obj.data, { ...opts, skipBefore });
  } catch {
    return false; // not iCalendar (cannot happen for validated objects): matches nothing
  }
  return queryErrors(() => matchesFilter(parsed, filter));
}
