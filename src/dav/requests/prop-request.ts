// What a request asks for in <prop>/<allprop>/<propname>: of a PROPFIND body (RFC 4918 §9.1,
// §14.20) and of a REPORT body (RFC 4791 §7.8–7.9, RFC 6578 §3.2), read into one PropRequest.
import { CALDAV, DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { badRequest } from '../errors.js';
import type { PropRequest } from '../propstats.js';
import { expectRoot } from '../xml-body.js';

/** A PROPFIND body; none (null) means allprop (RFC 4918 §9.1). */
export function parsePropRequest(root: XmlElement | null): PropRequest {
  if (root === null) return { type: 'allprop', include: [] };
  expectRoot(root, DAV.propfind, 'DAV:propfind');
  const kinds = root.children.filter((c) => c.name === DAV.prop || c.name === DAV.allprop || c.name === DAV.propname);
  if (kinds.length !== 1) throw badRequest('propfind must hold exactly one of prop, allprop, propname');
  const kind = kinds[0]!;
  if (kind.name === DAV.propname) return { type: 'propname' };
  if (kind.name === DAV.allprop) {
    const include = root.children.find((c) => c.name === DAV.include);
    return { type: 'allprop', include: include ? include.children.map((c) => c.name) : [] };
  }
  return { type: 'prop', names: [...new Set(kind.children.map((c) => c.name))] };
}

/** The report's <prop>/<allprop>/<propname>, read like a PROPFIND body; none means getetag. */
export function reportPropRequest(root: XmlElement): PropRequest {
  const relevant = root.children.filter((c) => c.name === DAV.prop || c.name === DAV.allprop || c.name === DAV.propname);
  if (relevant.length === 0) return { type: 'prop', names: [DAV.getetag] };
  return parsePropRequest({ ...root, name: DAV.propfind, children: relevant });
}

export function wantsCalendarData(req: PropRequest): boolean {
  return req.type === 'prop' && req.names.includes(CALDAV.calendarData);
}
