// The URL layout of SPEC "URL layout", in one place: every path the server hands out (principal,
// calendar home, calendars, objects, subscription feeds) is built here, and DAV request paths are
// parsed here. Two forms exist and must not be mixed:
//   - a *path* is decoded ("/dav/principals/bob smith@example.com/"): what DAV resources carry as
//     their href and what xml/serialize percent-encodes once when it writes a <d:href>;
//   - a *URL* is encoded, for places that print or link it (JSON API, Apple profile, CLI):
//     `absoluteUrl(origin, path)`.
// Building a path from an already-encoded name was how calendar-user-address-set came to
// double-encode "@" (issue 12 item 7); builders take raw names only.
import { encodeHref } from './xml/serialize.js';

export const DAV_ROOT = '/dav/';
export const PRINCIPALS = '/dav/principals/';
export const CALENDARS = '/dav/calendars/';
export const FEEDS = '/feeds/';
/** Group principals (issue 15 item 6): an area of their own, so no group name can clash with a user name. */
export const GROUPS = '/dav/groups/';

/** The principal of a user (RFC 5397 current-user-principal, RFC 3744 principal-URL). */
export const principalPath = (username: string) => `${PRINCIPALS}${username}/`;
/** The principal of a group (RFC 3744 §2, calendar-user-type GROUP). */
export const groupPath = (name: string) => `${GROUPS}${name}/`;
/** The calendar home of a user (RFC 4791 §6.2.1 calendar-home-set). */
export const homePath = (username: string) => `${CALENDARS}${username}/`;
/** A calendar (or plain collection) directly in a user's home, by the segment it has there. */
export const calendarPath = (username: string, uri: string) => `${homePath(username)}${uri}/`;
/** An object in a calendar of a user's home. */
export const objectPath = (username: string, calendarUri: string, name: string) => `${calendarPath(username, calendarUri)}${name}`;
/**
 * Segments of every home that belong to the scheduling inbox and outbox (RFC 6638 §2.1–2.2,
 * dav/scheduling-collections.ts): no calendar or collection may take them.
 */
export const SCHEDULING_SEGMENTS: ReadonlySet<string> = new Set(['inbox', 'outbox']);

/** A subscription feed (the token is URL-safe base64, so path and URL agree). */
export const feedPath = (token: string) => `${FEEDS}${token}.ics`;

/** Path of a resource below a user's home by its segments; collections end in "/". */
export function homeMemberPath(username: string, segments: readonly string[], collection: boolean): string {
  return homePath(username) + segments.join('/') + (collection && segments.length > 0 ? '/' : '');
}

/** Percent-encodes a decoded path segment by segment (RFC 3986 §3.3), as hrefs are written. */
export const encodePath = (path: string) => encodeHref(path);

/** An absolute URL for a decoded path: `absoluteUrl('https://h', principalPath('bob'))`. */
export function absoluteUrl(origin: string, path: string): string {
  const base = origin.endsWith('/') ? origin.slice(0, -1) : origin;
  return base + encodePath(path);
}

export type ParsedPath =
  | { area: 'root' }
  /** `below`: a path under a principal, where nothing can exist (404, or 403 for other users). */
  | { area: 'principals'; user?: string; below?: true }
  /** The group principals; `below`: a path under a group principal (nothing there). */
  | { area: 'groups'; group?: string; below?: true }
  | { area: 'calendars'; user?: string; segments: string[]; trailingSlash: boolean }
  /** Under /dav/ but in no area of the layout (e.g. /dav/addressbooks/): nothing there, 404. */
  | { area: 'unknown' }
  | { area: 'outside' };

/**
 * Splits a raw (still percent-encoded) request path. Returns null for paths that cannot be
 * decoded or that try to climb (".." segments), which callers answer with 400.
 */
export function parseDavPath(rawPath: string): ParsedPath | null {
  if (rawPath === '/' || rawPath === '' || rawPath === '/dav' || rawPath === DAV_ROOT) return { area: 'root' };
  if (!rawPath.startsWith(DAV_ROOT)) return { area: 'outside' };
  const trailingSlash = rawPath.endsWith('/');
  let parts: string[];
  try {
    parts = rawPath.slice(DAV_ROOT.length).split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
  if (parts.some((p) => p === '.' || p === '..' || p.includes('/') || p.includes('\0'))) return null;
  const [area, user, ...segments] = parts;
  if (area === 'principals') {
    if (user === undefined) return { area: 'principals' };
    return segments.length > 0 ? { area: 'principals', user, below: true } : { area: 'principals', user };
  }
  if (area === 'groups') {
    if (user === undefined) return { area: 'groups' };
    return segments.length > 0 ? { area: 'groups', group: user, below: true } : { area: 'groups', group: user };
  }
  if (area === 'calendars') return { area: 'calendars', ...(user === undefined ? {} : { user }), segments, trailingSlash };
  return { area: 'unknown' };
}

/** Path part (still encoded) of an absolute URL or absolute path (Destination header, multiget and expand-property hrefs); null for another origin. */
export function hrefToPath(href: string, origin: string): string | null {
  try {
    const url = new URL(href, origin + '/');
    if (/^https?:/i.test(href) && url.origin !== new URL(origin).origin) return null;
    return url.pathname;
  } catch {
    return null;
  }
}
