// The report half of the dispatch table: which REPORTs each kind of resource announces in
// DAV:supported-report-set (RFC 3253 §3.1.5). methods/report.ts maps exactly these names to their
// handlers (its table is typed by this one), so a report cannot be dispatched without being
// announced, nor announced without a handler. Kept free of handler imports so the property
// registry can read it without an import cycle.
// Thunderbird switches to token sync when sync-collection is listed (CLIENTS.md §2.2); Apple
// sends expand-property to principals (RFC 4791 §7.1 requires it).
import { CALDAV, CS, DAV } from '../../xml/names.js';
import type { Resource } from '../resources.js';

type Kind = Resource['kind'];
const EXISTING: readonly Kind[] = ['root', 'principals', 'groups', 'calendars', 'principal', 'group', 'home', 'calendar', 'collection', 'object'];

export const REPORT_KINDS = {
  [CALDAV.calendarMultiget]: ['calendar'],
  [CALDAV.calendarQuery]: ['calendar', 'object'],
  [CALDAV.freeBusyQuery]: ['calendar', 'object'],
  [DAV.syncCollection]: ['calendar', 'home', 'collection'],
  [DAV.expandProperty]: EXISTING,
  // RFC 3744 §9 and CalendarServer's search on the principal collections (issue 15 item 2)
  [DAV.principalPropertySearch]: ['principals', 'groups', 'principal', 'group'],
  [DAV.principalSearchPropertySet]: ['principals', 'groups'],
  [DAV.principalMatch]: ['principals', 'groups', 'home'],
  [CS.calendarserverPrincipalSearch]: ['principals', 'groups'],
} as const satisfies Record<string, readonly Kind[]>;

export type ReportName = keyof typeof REPORT_KINDS;

const NAMES = Object.keys(REPORT_KINDS) as ReportName[];

export function isReportName(name: string): name is ReportName {
  return Object.hasOwn(REPORT_KINDS, name);
}

/** The reports announced on a kind of resource, in table order. */
export function reportsOn(kind: Kind): ReportName[] {
  return NAMES.filter((n) => (REPORT_KINDS[n] as readonly Kind[]).includes(kind));
}
