// calendar-query (RFC 4791 §7.8) — the subset clients use to list a calendar: a comp-filter on
// VCALENDAR holding one comp-filter on a component type, optionally with a time-range
// (tsdav's fetchCalendarObjects, DAVx5 with a past-days limit). Candidates are narrowed in SQL
// by the component-type and first/last-occurrence columns. Other filter elements are refused
// with supported-filter until the full filter engine lands.
import { CALDAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { ResponseEntry } from '../../xml/serialize.js';
import type { ComponentType } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../context.js';
import { DavError, forbidden, validFilter } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus } from '../multistatus.js';
import { propstatsFor } from '../propstats.js';
import type { Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { calendarDataExtra, reportPropRequest, wantsCalendarData } from './common.js';
import { propContextFor } from '../methods/propfind.js';

const TYPES: readonly string[] = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];

/** RFC 5545 §3.3.5 UTC date-time "YYYYMMDDTHHMMSSZ" → epoch ms. */
export function parseUtc(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw validFilter(`time-range values must be UTC date-times, got "${value}"`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function unsupported(what: string): DavError {
  return new DavError(403, CALDAV.supportedFilter, `${what} is not supported yet`);
}

export async function calendarQuery(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  if (target.kind !== 'calendar') throw forbidden('calendar-query is supported on calendars');
  const filter = root.children.find((c) => c.name === CALDAV.filter);
  if (!filter) throw validFilter('calendar-query needs a filter');
  const top = filter.children;
  if (top.length !== 1 || top[0]!.name !== CALDAV.compFilter || (top[0]!.attrs.name ?? '').toUpperCase() !== 'VCALENDAR') throw validFilter('The filter must hold one comp-filter on VCALENDAR');
  const vcal = top[0]!;
  let componentType: ComponentType | undefined;
  let start: number | null = null;
  let end: number | null = null;
  if (vcal.children.length > 1) throw unsupported('More than one comp-filter below VCALENDAR');
  const comp = vcal.children[0];
  if (comp) {
    if (comp.name !== CALDAV.compFilter) throw unsupported(`${comp.local} below VCALENDAR`);
    const name = (comp.attrs.name ?? '').toUpperCase();
    if (!TYPES.includes(name)) throw validFilter(`Unknown component ${name}`);
    componentType = name as ComponentType;
    for (const c of comp.children) {
      if (c.name !== CALDAV.timeRange) throw unsupported(`${c.local} in a comp-filter`);
      start = parseUtc(c.attrs.start);
      end = parseUtc(c.attrs.end);
      if (start === null && end === null) throw validFilter('time-range needs start or end');
      if (start !== null && end !== null && end <= start) throw validFilter('time-range end must be after start');
    }
  }
  const propReq = reportPropRequest(root);
  const withData = wantsCalendarData(propReq);
  const minimal = wantsMinimal(req);
  const ctx = await propContextFor(svc, []);
  const metas = await svc.store.queryObjects(target.collection.id, { ...(componentType ? { componentType } : {}), start, end });
  const store = svc.store;
  const calendar = target;
  async function* entries(): AsyncGenerator<ResponseEntry> {
    for (let i = 0; i < metas.length; i += 100) {
      const batch = metas.slice(i, i + 100);
      const data = withData ? new Map((await store.getObjects(calendar.collection.id, batch.map((m) => m.name))).map((o) => [o.name, o])) : null;
      for (const meta of batch) {
        const r = objectResource(calendar, meta);
        const obj = data?.get(meta.name);
        yield { href: r.href, propstats: await propstatsFor(r, propReq, ctx, { minimal, ...(obj ? { extra: calendarDataExtra(obj) } : {}) }) };
      }
    }
  }
  return multistatus(entries());
}
