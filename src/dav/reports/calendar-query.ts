// calendar-query (RFC 4791 §7.8): the members of a calendar (Depth 1) or one object (on the
// object itself) matching a filter (§9.7, time ranges by §9.9 with recurrence), with the asked
// properties and calendar-data (§9.6, incl. expand). It reads parse → match → render →
// multistatus:
// - parse: the request's filter, prop and calendar-data elements (dav/requests/);
// - match: candidates narrowed in SQL by the component-type and first/last-occurrence columns,
//   then decided from columns, cached verdicts or evaluation (dav/query/match.ts);
// - render: calendar-data renderings and whole responses, from the engine's caches or fresh
//   (dav/query/responses.ts), before the first byte is sent, so max-instances and friends are a
//   proper 403;
// - multistatus: the responses streamed in pages.
// The caches are the store's query engine (svc.queries, dav/query/engine.ts).
import { CALDAV } from '../../xml/names.js';
import { textOf, type XmlElement } from '../../xml/parse.js';
import type { CompFilter } from '../../ical/filter.js';
import type { CalendarDataRequest } from '../../ical/calendar-data.js';
import type { Zone } from '../../ical/zones.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { depthOf } from '../depth.js';
import { forbidden, validFilter } from '../errors.js';
import { multistatus } from '../multistatus.js';
import { propContextFor, type PropRequest } from '../propstats.js';
import type { Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { parseFilter } from '../requests/filter.js';
import { calendarDataElement, parseCalendarDataRequest } from '../requests/calendar-data.js';
import { reportPropRequest, wantsCalendarData } from '../requests/prop-request.js';
import { matchObjects, type MatchScope } from '../query/match.js';
import { QueryResponses } from '../query/responses.js';
import type { QueryEngine } from '../query/engine.js';

export { parseUtc } from '../requests/time-range.js';

interface CalendarQuery {
  filter: CompFilter;
  propReq: PropRequest;
  dataReq: CalendarDataRequest | null;
  /** §9.8 CALDAV:timezone: overrides the calendar's zone for floating times. */
  timezone: Zone | null;
}

function parseCalendarQuery(root: XmlElement, engine: QueryEngine): CalendarQuery {
  const filter = parseFilter(root.children.find((c) => c.name === CALDAV.filter));
  const propReq = reportPropRequest(root);
  const dataReq = wantsCalendarData(propReq) ? parseCalendarDataRequest(calendarDataElement(root)) : null;
  const tzEl = root.children.find((c) => c.name === CALDAV.timezone);
  const timezone = tzEl ? engine.zoneOfText(textOf(tzEl)) : null;
  if (tzEl && !timezone) throw validFilter('CALDAV:timezone must hold a VCALENDAR with one VTIMEZONE');
  return { filter, propReq, dataReq, timezone };
}

/** What the query addresses: one object, or the calendar's members by Depth. */
function scopeOf(req: DavRequest, target: Resource): MatchScope {
  if (target.kind === 'object' && target.parent.kind === 'calendar') return { calendar: target.parent, members: { name: target.name } };
  if (target.kind !== 'calendar') throw forbidden('calendar-query is supported on calendars and calendar objects');
  // Depth 0 on the calendar addresses the collection, which is no calendar object (§7.8).
  // A missing Depth is taken as 1, as clients mean (RFC 3253's default 0 would answer nothing).
  return { calendar: target, members: depthOf(req, '1') === '0' ? 'none' : 'all' };
}

export async function calendarQuery(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  if (target.kind !== 'calendar' && target.kind !== 'object') throw forbidden('calendar-query is supported on calendars and calendar objects');
  const engine = svc.queries;
  const query = parseCalendarQuery(root, engine);
  const scope = scopeOf(req, target);
  const opts = engine.optionsFor(scope.calendar.collection, svc.config, query.timezone);
  const responses = new QueryResponses(engine, svc.store, {
    calendar: scope.calendar, propReq: query.propReq, dataReq: query.dataReq, opts, ctx: await propContextFor(svc, []), minimal: wantsMinimal(req),
  });
  const matches = await matchObjects(engine, svc.store, scope, query.filter, opts, responses.keep);
  await responses.render(matches);
  return multistatus(responses.pages(matches));
}
