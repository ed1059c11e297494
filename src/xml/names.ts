// XML namespaces and element names used by Sundial, as Clark names (`{namespace}local`).
// Every name is declared here once so logic compares typed constants, never string literals
// (a typo such as `{urn:ietf:params:xml:ns:carldav}` would otherwise go unnoticed).
// Element names in parsed trees are always `{ns}local`; an element in no namespace is `{}local`.

/** A Clark name: `{namespace}local`, `{}local` for no namespace. */
export type ClarkName = string;

export const DAV_NS = 'DAV:'; // RFC 4918
export const CALDAV_NS = 'urn:ietf:params:xml:ns:caldav'; // RFC 4791, RFC 6638
export const CS_NS = 'http://calendarserver.org/ns/'; // CalendarServer extensions (getctag)
export const APPLE_NS = 'http://apple.com/ns/ical/'; // Apple iCal extensions (colour, order)
export const XML_NS = 'http://www.w3.org/XML/1998/namespace'; // bound to the `xml` prefix (xml:lang)
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'; // reserved for xmlns declarations
// Sundial's own elements; `.invalid` (RFC 2606) keeps the name unique-by-convention and unfetchable.
export const SUNDIAL_NS = 'http://sundial.invalid/ns/';

export const NS = {
  DAV: DAV_NS,
  CALDAV: CALDAV_NS,
  CS: CS_NS,
  APPLE: APPLE_NS,
  ICAL: APPLE_NS,
  XML: XML_NS,
  SUNDIAL: SUNDIAL_NS,
} as const;

/** `sync-token` → `syncToken`, `principal-URL` → `principalURL` (mirrors `camel` below). */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

type NameTable<N extends string, L extends readonly string[]> = {
  readonly [K in L[number] as Camel<K>]: `{${N}}${K}`;
};

function camel(local: string): string {
  return local.replace(/-(.)/g, (_m, c: string) => c.toUpperCase());
}

/** Builds `{ camelKey: '{ns}local' }` so each key is derived from, and cannot drift from, its value. */
function names<const N extends string, const L extends readonly string[]>(ns: N, locals: L): NameTable<N, L> {
  const table: Record<string, string> = {};
  for (const local of locals) table[camel(local)] = `{${ns}}${local}`;
  return Object.freeze(table) as NameTable<N, L>;
}

export const DAV = names(DAV_NS, [
  // RFC 4918 §14 request/response elements
  'propfind', 'prop', 'allprop', 'propname', 'include', 'multistatus', 'response', 'href',
  'propstat', 'status', 'error', 'responsedescription', 'location', 'propertyupdate', 'set',
  'remove', 'owner',
  // RFC 4918 §15 properties
  'resourcetype', 'collection', 'displayname', 'getetag', 'getcontenttype', 'getcontentlength',
  'getcontentlanguage', 'getlastmodified', 'creationdate', 'lockdiscovery', 'supportedlock',
  // RFC 4918 §16 preconditions
  'propfind-finite-depth', 'cannot-modify-protected-property',
  // RFC 6578 collection synchronization
  'sync-token', 'sync-collection', 'sync-level', 'limit', 'nresults', 'valid-sync-token',
  'number-of-matches-within-limits', 'sync-traversal-supported',
  // RFC 5397 current principal, RFC 3744 ACL
  'current-user-principal', 'current-user-privilege-set', 'privilege', 'read', 'write',
  'write-content', 'write-properties', 'bind', 'unbind', 'all', 'read-acl', 'write-acl', 'unlock',
  'read-current-user-privilege-set', 'supported-privilege-set', 'supported-privilege',
  'description', 'principal-URL', 'principal', 'need-privileges', 'resource',
  'principal-collection-set', 'unauthenticated', 'authenticated', 'acl', 'ace', 'grant',
  // RFC 3253 §3.1.5 supported-report-set, §3.8 expand-property
  'supported-report-set', 'supported-report', 'report', 'expand-property', 'property',
  // RFC 5689 extended MKCOL
  'mkcol', 'mkcol-response', 'valid-resourcetype', 'resource-must-be-null',
  // RFC 4331 quota
  'quota-available-bytes', 'quota-used-bytes',
  // RFC 5995 POST add-member, RFC 5842 resource-id
  'add-member', 'resource-id',
  // RFC 3744 §4 group principals, §9 principal reports (issue 15: people search, groups)
  'group-member-set', 'group-membership', 'principal-match', 'self', 'principal-property',
  'principal-property-search', 'property-search', 'match', 'apply-to-principal-collection-set',
  'principal-search-property-set', 'principal-search-property',
] as const);

export const CALDAV = names(CALDAV_NS, [
  // RFC 4791 §4–§5 resource types and collection properties
  'calendar', 'calendar-description', 'calendar-timezone', 'supported-calendar-component-set',
  'comp', 'allcomp', 'supported-calendar-data', 'calendar-data', 'max-resource-size',
  'min-date-time', 'max-date-time', 'max-instances', 'max-attendees-per-instance',
  'supported-collation-set', 'supported-collation',
  // RFC 4791 §5.3.1 MKCALENDAR
  'mkcalendar', 'mkcalendar-response',
  // RFC 4791 §6 principal properties
  'calendar-home-set', 'calendar-user-address-set',
  // RFC 4791 §7, §9 reports and their elements
  'calendar-multiget', 'calendar-query', 'free-busy-query', 'filter', 'comp-filter',
  'prop-filter', 'param-filter', 'text-match', 'time-range', 'is-not-defined', 'expand',
  'limit-recurrence-set', 'limit-freebusy-set', 'timezone', 'allprop', 'prop',
  // RFC 4791 §5.3.2, §7.7 preconditions
  'valid-calendar-data', 'valid-calendar-object-resource', 'supported-calendar-component',
  'no-uid-conflict', 'calendar-collection-location-ok', 'supported-filter', 'valid-filter',
  // RFC 6638 scheduling
  'schedule-inbox-URL', 'schedule-outbox-URL', 'schedule-calendar-transp', 'opaque',
  'transparent', 'calendar-user-type',
] as const);

export const CS = names(CS_NS, [
  'getctag',
  // CalendarServer's principal search (what Apple Calendar's attendee field sends) and the
  // principal properties its clients ask for with it
  'calendarserver-principal-search', 'search-token', 'limit', 'nresults', 'email-address-set', 'email-address',
  'record-type', 'first-name', 'last-name',
] as const);

/** RFC 6638 (CalDAV scheduling) names beyond the CALDAV table: resource types, properties, preconditions, the POST response. */
export const SCHED = names(CALDAV_NS, [
  'schedule-inbox', 'schedule-outbox', 'schedule-default-calendar-URL', 'schedule-tag',
  'valid-scheduling-message', 'valid-organizer', 'same-organizer-in-all-components',
  'allowed-organizer-scheduling-object-change', 'allowed-attendee-scheduling-object-change',
  'unique-scheduling-object-resource', 'originator-allowed', 'recipient-specified', 'max-recipients',
  'schedule-response', 'response', 'recipient', 'request-status', 'schedule-deliver', 'schedule-send',
  'organizer-allowed', 'supported-calendar-data',
] as const);

export const APPLE = names(APPLE_NS, ['calendar-color', 'calendar-order'] as const);
/** Apple's namespace is conventionally written with the `ical` prefix. */
export const ICAL = APPLE;

/** Sundial's own elements; `message` carries a human-readable description inside `<d:error>`. */
export const SUNDIAL = names(SUNDIAL_NS, ['message'] as const);

/** Clark name of `local` in namespace `ns`; no namespace gives `{}local`. */
export function clark(ns: string, local: string): ClarkName {
  return `{${ns}}${local}`;
}

/** Splits a Clark name; a name without braces (e.g. an unprefixed attribute) has namespace ''. */
export function splitClark(name: ClarkName): { ns: string; local: string } {
  if (!name.startsWith('{')) return { ns: '', local: name };
  const end = name.lastIndexOf('}'); // local names cannot contain '}', namespace URIs might
  if (end < 0) throw new TypeError(`Malformed Clark name: ${name}`);
  return { ns: name.slice(1, end), local: name.slice(end + 1) };
}
