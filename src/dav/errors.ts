// Protocol errors. A handler throws one of these; the error middleware (http/errors.ts) renders
// it as `<d:error>` with the precondition element (RFC 4918 §16, RFC 4791 §1.3) and the status.
// Handlers never build error XML themselves.
import { CALDAV, CARDDAV, DAV } from '../xml/names.js';
import { el, hrefNode, type XmlChild } from '../xml/serialize.js';

export class DavError extends Error {
  override name = 'DavError';
  constructor(
    readonly status: number,
    /** Clark name of the precondition/postcondition element, or null for a bare status. */
    readonly condition: string | null,
    description: string,
    /** Content of the condition element (e.g. the conflicting href of no-uid-conflict). */
    readonly children: XmlChild[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}


export const badRequest = (why: string) => new DavError(400, null, why);
export const notFound = (why = 'No resource at this URL') => new DavError(404, null, why);
export const forbidden = (why: string) => new DavError(403, null, why);
export const conflict = (why: string) => new DavError(409, null, why);
export const preconditionFailed = (why = 'The resource changed (If-Match / If-None-Match)') => new DavError(412, null, why);
export const methodNotAllowed = (allow: string, why = 'Method not allowed on this resource') => new DavError(405, null, why, [], { Allow: allow });
export const unsupportedMediaType = (why: string) => new DavError(415, null, why);
export const payloadTooLarge = (limit: number) => new DavError(413, null, `Request body larger than ${limit} bytes`);

// RFC 4918 §16
export const propfindFiniteDepth = () => new DavError(403, DAV.propfindFiniteDepth, 'PROPFIND with Depth: infinity is not supported');
export const cannotModifyProtectedProperty = () => new DavError(403, DAV.cannotModifyProtectedProperty, 'Protected property');

// RFC 3744 §7.1.1: the privileges the user lacks on the resource.
export function needPrivileges(resourcePath: string, privilege: string): DavError {
  return new DavError(403, DAV.needPrivileges, `You do not have the ${privilege} privilege here`, [
    el(DAV.resource, [hrefNode(resourcePath), el(DAV.privilege, [el(`{DAV:}${privilege}`)])]),
  ]);
}

// RFC 6578 §3.2
export const validSyncToken = () => new DavError(403, DAV.validSyncToken, 'Unknown or expired sync token; synchronize again without a token');
export const numberOfMatchesWithinLimits = (why: string) => new DavError(507, DAV.numberOfMatchesWithinLimits, why);
// RFC 6578 §3.3: sync-level infinite is not served.
export const syncTraversalSupported = () => new DavError(403, DAV.syncTraversalSupported, 'sync-level infinite is not supported; synchronize each calendar with sync-level 1');

// RFC 4791 §5.3.1 (MKCALENDAR), RFC 5689 §3 (extended MKCOL): nothing may exist at the URL.
export const resourceMustBeNull = () => new DavError(403, DAV.resourceMustBeNull, 'Something already exists at this URL');

// RFC 4791 §5.3.2.1, §9
export const validCalendarData = (why: string) => new DavError(403, CALDAV.validCalendarData, why);
export const validCalendarObjectResource = (why: string) => new DavError(403, CALDAV.validCalendarObjectResource, why);
export const supportedCalendarComponent = (why: string) => new DavError(403, CALDAV.supportedCalendarComponent, why);
export const supportedCalendarData = (why: string) => new DavError(403, CALDAV.supportedCalendarData, why);
export const noUidConflict = (existingHref: string) => new DavError(403, CALDAV.noUidConflict, 'Another resource of this calendar has the same UID', [hrefNode(existingHref)]);
export const maxResourceSize = (limit: number) => new DavError(403, CALDAV.maxResourceSize, `Resource larger than ${limit} bytes`);
export const calendarCollectionLocationOk = (why: string) => new DavError(403, CALDAV.calendarCollectionLocationOk, why);
// RFC 6352 §6.3.2.1 (COPY/MOVE of an address book), also for MKCOL of one outside the address-book home.
export const addressbookCollectionLocationOk = (why: string) => new DavError(403, CARDDAV.addressbookCollectionLocationOk, why);
// RFC 6352 §6.3.2.1: the UID is held by another card of the address book (href of that card).
export const cardNoUidConflict = (existingHref: string) => new DavError(403, CARDDAV.noUidConflict, 'Another card of this address book has the same UID', [hrefNode(existingHref)]);
export const validFilter = (why: string) => new DavError(403, CALDAV.validFilter, why);
export const supportedCollation = (why: string) => new DavError(403, CALDAV.supportedCollation, why);
// RFC 4791 §5.2.8 max-instances, also answered when a query would expand past the limit.
export const maxInstances = (why: string) => new DavError(403, CALDAV.maxInstances, why);
// A calendar-multiget or addressbook-multiget naming more hrefs than maxMultigetHrefs. RFC 4791 defines no precondition
// for it; this is the element and status sabre/dav's TooManyMatches (a Forbidden) and Apple's
// CalendarServer answer for "more than the server is willing to send in one answer" (RFC 6578
// §3.2 defines it): 403, so a client splits the request rather than retrying it as is.
export const multigetHrefLimit = (limit: number, sent: number, report = 'calendar-multiget') =>
  new DavError(403, DAV.numberOfMatchesWithinLimits, `At most ${limit} hrefs per ${report} (${sent} sent); ask in smaller batches`);
