// The directory behind the principal reports (RFC 3744 §9.3–9.5, CalendarServer's
// calendarserver-principal-search): every user and group as a principal resource with the values
// searches compare. Bounded work (docs/security.md): the directory is read once per request (two
// small tables), every comparison is a case-insensitive substring test (String.includes on
// lower-cased text — no regular expression is ever built from a search string), match strings
// and the number of conditions are capped, and at most MAX_RESULTS principals are answered; more
// matches end the multistatus with a 507 response for the request-URI carrying
// DAV:number-of-matches-within-limits (RFC 3744 §9.4 postcondition; CalendarServer does the same).
import { CALDAV, CS, DAV } from '../xml/names.js';
import { textOf, type XmlElement } from '../xml/parse.js';
import type { Store, User } from '../store/types.js';
import { DavError, badRequest } from './errors.js';
import { reportsOn, type ReportName } from './reports/supported.js';
import { groupHref, homeHref, principalHref } from './paths.js';
import type { Resource } from './resources.js';
import { propstatsFor, type PropRequest } from './propstats.js';
import type { PropContext } from './properties/index.js';
import type { ResponseEntry } from '../xml/serialize.js';

/** Principals answered by one search at most (clients ask for 50; CalendarServer's default is 500). */
export const MAX_RESULTS = 100;
/** Longest match string or search token, in characters. */
export const MAX_MATCH_LENGTH = 256;
/** Most property-search elements, or search tokens, in one request. */
export const MAX_CONDITIONS = 16;

export type MatchType = 'contains' | 'starts-with' | 'ends-with' | 'equals';

export interface DirectoryEntry {
  resource: Extract<Resource, { kind: 'principal' | 'group' }>;
  /** Searchable values by property (Clark name), already lower-cased. */
  values: Map<string, string[]>;
  /** For calendarserver-principal-search: names and addresses, lower-cased. */
  tokens: string[];
}

const lower = (s: string) => s.toLowerCase();

/** First and last word of a display name: Apple's attendee search asks first-name and last-name. */
function nameParts(displayName: string): { first: string[]; last: string[] } {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  return { first: words.length > 0 ? [words[0]!] : [], last: words.length > 1 ? [words[words.length - 1]!] : [] };
}

/** Every user and group of the store as seen by `viewer`. */
export async function readDirectory(store: Store, viewer: User, which: { users: boolean; groups: boolean }): Promise<DirectoryEntry[]> {
  const out: DirectoryEntry[] = [];
  if (which.users) {
    for (const p of await store.listPeople()) {
      const display = p.displayName || p.username;
      const emails = p.addresses.length === 0 && p.username.includes('@') ? [p.username] : p.addresses;
      const { first, last } = nameParts(display);
      const user: User = { id: p.id, username: p.username, displayName: p.displayName, email: p.email, isAdmin: p.isAdmin, createdAt: p.createdAt };
      const values = new Map<string, string[]>([
        [DAV.displayname, [display]],
        [CALDAV.calendarUserAddressSet, [...emails.map((e) => `mailto:${e}`), principalHref(p.username)]],
        [CS.emailAddressSet, emails],
        [CALDAV.calendarUserType, ['INDIVIDUAL']],
        [CS.recordType, ['users']],
        [CS.firstName, first],
        [CS.lastName, last],
        // Thunderbird looks for its own principal by its calendar home (CLIENTS.md §2.2): only
        // the viewer's home is theirs to know, so only their principal can match it.
        [CALDAV.calendarHomeSet, p.id === viewer.id ? [homeHref(p.username)] : []],
      ].map(([k, v]) => [k as string, (v as string[]).map(lower)]));
      out.push({ resource: { kind: 'principal', user, viewer, href: principalHref(p.username) }, values, tokens: [display, p.username, ...emails].map(lower) });
    }
  }
  if (which.groups) {
    for (const g of await store.listGroups()) {
      const display = g.displayName || g.name;
      const emails = g.email ? [g.email] : [];
      const values = new Map<string, string[]>([
        [DAV.displayname, [display]],
        [CALDAV.calendarUserAddressSet, [...emails.map((e) => `mailto:${e}`), groupHref(g.name)]],
        [CS.emailAddressSet, emails],
        [CALDAV.calendarUserType, ['GROUP']],
        [CS.recordType, ['groups']],
      ].map(([k, v]) => [k as string, (v as string[]).map(lower)]));
      out.push({ resource: { kind: 'group', user: viewer, group: g, href: groupHref(g.name) }, values, tokens: [display, g.name, ...emails].map(lower) });
    }
  }
  return out;
}

/** Whether `value` (lower-cased) matches `needle` (lower-cased) by `type`. Linear in their lengths. */
export function matches(value: string, needle: string, type: MatchType): boolean {
  switch (type) {
    case 'starts-with': return value.startsWith(needle);
    case 'ends-with': return value.endsWith(needle);
    case 'equals': return value === needle;
    default: return value.includes(needle);
  }
}

/** A match string or search token from the body: trimmed, lower-cased, within MAX_MATCH_LENGTH. */
export function needleOf(el: XmlElement, what: string): string {
  const text = textOf(el).trim();
  if (text.length > MAX_MATCH_LENGTH) throw badRequest(`${what} longer than ${MAX_MATCH_LENGTH} characters`);
  return lower(text);
}

/** The client's result limit (`<limit><nresults>N</nresults></limit>`, RFC 5323 §5.17 / CalendarServer), capped at MAX_RESULTS. */
export function resultLimit(root: XmlElement, limitName: string, nresultsName: string): number {
  const limit = root.children.find((c) => c.name === limitName);
  if (!limit) return MAX_RESULTS;
  const n = limit.children.find((c) => c.name === nresultsName);
  const text = n ? textOf(n).trim() : '';
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw badRequest('limit: nresults must be a positive integer');
  return Math.min(Number(text), MAX_RESULTS);
}

/**
 * The 207 of a principal search: each matched principal with the requested properties (as
 * PROPFIND computes them), then, when more matched than `limit`, a 507 response for the
 * request-URI with DAV:number-of-matches-within-limits (RFC 3744 §9.4).
 */
export async function principalResults(
  matched: readonly DirectoryEntry[], limit: number, requestHref: string, propReq: PropRequest, ctx: PropContext,
): Promise<ResponseEntry[]> {
  const entries: ResponseEntry[] = [];
  for (const e of matched.slice(0, limit)) entries.push({ href: e.resource.href, propstats: await propstatsFor(e.resource, propReq, ctx) });
  if (matched.length > limit) entries.push({ href: requestHref, status: 507, error: { name: DAV.numberOfMatchesWithinLimits }, description: `more than ${limit} principals match; refine the search` });
  return entries;
}

/** The principal reports answer only where supported-report-set announces them (RFC 3253 §3.6). */
export function requireAnnounced(report: ReportName, target: Resource): void {
  if (!reportsOn(target.kind).includes(report)) throw new DavError(403, DAV.supportedReport, 'This report is answered on the principal collections (principal-collection-set)');
}
