// Pieces shared by the REPORTs: the <prop> of the request, calendar-data as an extra property,
// and object resources built from stored rows.
import { CALDAV, DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { StoredObject } from '../../store/types.js';
import type { PropContent } from '../properties/index.js';
import type { PropRequest } from '../propstats.js';
import { parsePropRequest } from '../methods/propfind.js';

/** The report's <prop>/<allprop>/<propname>, read like a PROPFIND body; none means allprop. */
export function reportPropRequest(root: XmlElement): PropRequest {
  const relevant = root.children.filter((c) => c.name === DAV.prop || c.name === DAV.allprop || c.name === DAV.propname);
  if (relevant.length === 0) return { type: 'prop', names: [DAV.getetag] };
  return parsePropRequest({ ...root, name: DAV.propfind, children: relevant });
}

export function wantsCalendarData(req: PropRequest): boolean {
  return req.type === 'prop' && req.names.includes(CALDAV.calendarData);
}

/** calendar-data as an extra property of a response (RFC 4791 §9.6). */
export function calendarDataExtra(obj: StoredObject): Map<string, PropContent> {
  return new Map([[CALDAV.calendarData, obj.data.toString('utf8')]]);
}
