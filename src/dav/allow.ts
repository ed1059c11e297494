// Which methods each kind of resource answers, and the DAV compliance classes (RFC 4918 §18,
// RFC 4791 §5.1, RFC 5689 §3, RFC 3744 §7.2). No class 2: LOCK is not implemented, and Apple
// clients do not need it (CLIENTS.md §1.2 step 2).
// METHOD_KINDS is the method half of the dispatch table: handler.ts maps exactly these methods to
// their handlers (the types force the two to list the same methods), and the Allow header of
// OPTIONS, of 405s and of 501s is derived from it, so a method cannot be dispatched without being
// announced or announced without a handler.
import type { Resource } from './resources.js';

// calendar-auto-schedule (RFC 6638 §2): the server schedules (Thunderbird then leaves iTIP to it,
// CLIENTS.md §2.2); calendar-schedule as well, as CalendarServer announces both (CLIENTS.md §1.2
// step 2): Apple clients of the draft era look for it before offering availability lookups, and
// Thunderbird reads calendar-auto-schedule first, so it never switches to client scheduling.
// calendarserver-principal-search tells Apple clients to search attendees with that report
// (CalendarServer's client simulator switches on the same token).
// `addressbook`: RFC 6352 §6.1, which DAVx5 looks for before it accepts a CardDAV service.
export const DAV_CLASSES = '1, 3, access-control, calendar-access, addressbook, extended-mkcol, calendar-auto-schedule, calendar-schedule, calendarserver-principal-property-search, calendarserver-principal-search';

type Kind = Resource['kind'];
const EXISTING: readonly Kind[] = ['root', 'principals', 'groups', 'calendars', 'addressbooks', 'principal', 'group', 'home', 'calendar', 'addressbook', 'collection', 'object'];
const MEMBERS: readonly Kind[] = ['calendar', 'addressbook', 'collection', 'object'];

/** Method → the kinds of resource it applies to, in the order Allow lists them. */
export const METHOD_KINDS = {
  OPTIONS: [...EXISTING, 'missing'],
  GET: EXISTING,
  HEAD: EXISTING,
  PROPFIND: EXISTING,
  REPORT: EXISTING,
  PROPPATCH: EXISTING,
  PUT: ['object', 'missing'],
  DELETE: MEMBERS,
  COPY: MEMBERS,
  MOVE: MEMBERS,
  MKCOL: ['home', 'missing'],
  MKCALENDAR: ['home', 'missing'],
} as const satisfies Record<string, readonly Kind[]>;

export type DavMethod = keyof typeof METHOD_KINDS;

export const DAV_METHODS = Object.keys(METHOD_KINDS) as DavMethod[];

export function isDavMethod(method: string): method is DavMethod {
  return Object.hasOwn(METHOD_KINDS, method);
}

export function allowedMethods(r: Resource | Kind): DavMethod[] {
  const kind = typeof r === 'string' ? r : r.kind;
  return DAV_METHODS.filter((m) => (METHOD_KINDS[m] as readonly Kind[]).includes(kind));
}

/**
 * The Allow header of a resource: its methods, less MKCALENDAR in the address-book home, where
 * calendars cannot be made (RFC 6352 §5.2; MKCALENDAR there is still dispatched and answers 403
 * `calendar-collection-location-ok`, RFC 4791 §5.3.1). DAVx5 and macOS read Allow to decide what
 * to offer, so the home does not announce a method it always refuses.
 */
export function allowHeader(r: Resource): string {
  const inAddressbookHome = r.kind === 'home' ? r.home === 'addressbooks' : r.kind === 'missing' && r.parent?.kind === 'home' && r.parent.home === 'addressbooks';
  const methods = allowedMethods(r);
  return (inAddressbookHome ? methods.filter((m) => m !== 'MKCALENDAR') : methods).join(', ');
}

/** Every method some resource answers: the Allow of an OPTIONS before login. */
export const ANY_RESOURCE_ALLOW = DAV_METHODS.join(', ');
