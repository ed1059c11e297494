// free-busy-query (RFC 4791 §7.10): the busy time of a calendar (or one object) within a time
// range, answered 200 with a text/calendar VFREEBUSY. Events that are TRANSP:TRANSPARENT or
// STATUS:CANCELLED are free; VFREEBUSY components contribute their FREEBUSY periods; periods of
// one busy type are coalesced. The read privilege is enough. Candidates come from the
// component-type and occurrence columns; only they are parsed, in batches.
import { CALDAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { ObjectMeta } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { badRequest, forbidden } from '../errors.js';
import type { Resource } from '../resources.js';
import { busyPeriodsSliced, freeBusyCalendar, type BusyPeriod } from '../../ical/freebusy.js';
import { QueryObject } from '../../ical/query-object.js';
import { QueryError } from '../../ical/query-errors.js';
import { parseTimeRange } from '../requests/time-range.js';
import { toQueryDavError } from '../query/errors.js';

const BATCH = 100;

export async function freeBusyQuery(_req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  if (target.kind !== 'calendar' && target.kind !== 'object') throw forbidden('free-busy-query is supported on calendars and calendar objects');
  const calendar = target.kind === 'object' ? target.parent : target;
  if (calendar.kind !== 'calendar') throw forbidden('free-busy-query is supported on calendars and calendar objects');
  const trEls = root.children.filter((c) => c.name === CALDAV.timeRange);
  if (trEls.length !== 1) throw badRequest('free-busy-query needs exactly one time-range');
  const tr = parseTimeRange(trEls[0]!, { requireBoth: true });
  const range = { start: tr.start!, end: tr.end! };
  const opts = { ...svc.queries.optionsFor(calendar.collection, svc.config), skipBefore: range.start };
  const store = svc.store;
  const id = calendar.collection.id;

  let metas: ObjectMeta[];
  if (target.kind === 'object') {
    const m = await store.getObjectMeta(id, target.name);
    metas = m && (m.componentType === 'VEVENT' || m.componentType === 'VFREEBUSY') ? [m] : [];
  } else {
    metas = [
      ...(await store.queryObjects(id, { componentType: 'VEVENT', start: range.start, end: range.end })),
      ...(await store.queryObjects(id, { componentType: 'VFREEBUSY', start: range.start, end: range.end })),
    ];
  }
  const periods: BusyPeriod[] = [];
  for (let i = 0; i < metas.length; i += BATCH) {
    for (const obj of await store.getObjects(id, metas.slice(i, i + BATCH).map((m) => m.name))) {
      // Other requests run between objects and between slices of one object's walk (work-budget.ts).
      await opts.budget?.maybePause();
      let parsed: QueryObject;
      try {
        parsed = new QueryObject(obj.data, opts);
      } catch (err) {
        if (err instanceof QueryError) throw toQueryDavError(err); // over the object limits
        continue;
      }
      try {
        periods.push(...await busyPeriodsSliced(parsed, range));
      } catch (err) {
        throw toQueryDavError(err);
      }
    }
  }
  return { status: 200, headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body: freeBusyCalendar(periods, range) };
}
