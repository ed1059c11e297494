// DAV:principal-search-property-set (RFC 3744 §9.5): the properties principal-property-search can
// match, each with a description. Apple asks for it at account setup to build its delegate and
// attendee search (CLIENTS.md §1.2 step 4; CalendarServer's iOS_5/startup_principals_report.request).
// The answer is a 200 with the set as its body, not a multistatus.
import { CALDAV, CS, DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { el, xmlDocument } from '../../xml/serialize.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { badRequest } from '../errors.js';
import type { Resource } from '../resources.js';
import { requireAnnounced } from '../principal-search.js';

/** What principal-property-search can match (principal-search.ts computes the same values). */
export const SEARCHABLE: readonly [string, string][] = [
  [DAV.displayname, 'Display name'],
  [CALDAV.calendarUserAddressSet, 'Calendar user addresses (mailto: and principal URL)'],
  [CS.emailAddressSet, 'E-mail addresses'],
  [CALDAV.calendarUserType, 'Calendar user type (INDIVIDUAL or GROUP)'],
  [CS.firstName, 'First name (the first word of the display name)'],
  [CS.lastName, 'Last name (the last word of the display name)'],
];

export async function principalSearchPropertySet(_req: DavRequest, _svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  requireAnnounced(DAV.principalSearchPropertySet, target);
  // §9.5: the body is the empty element.
  if (root.children.length > 0) throw badRequest('principal-search-property-set takes an empty body element');
  const doc = el(DAV.principalSearchPropertySet, SEARCHABLE.map(([name, description]) =>
    el(DAV.principalSearchProperty, [el(DAV.prop, [el(name)]), el(DAV.description, description, { '{http://www.w3.org/XML/1998/namespace}lang': 'en' })])));
  return { status: 200, headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body: xmlDocument(doc) };
}
