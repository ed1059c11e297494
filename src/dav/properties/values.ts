// Small builders for property values shared by the definitions.
import { DAV } from '../../xml/names.js';
import type { Access } from '../../store/types.js';

export { el, hrefNode } from '../../xml/serialize.js';

/** RFC 6578 §3.2: the token is a URI; ours carries the global sequence of the last change. */
const TOKEN_PREFIX = 'http://sundial.invalid/sync/';
export const syncTokenOf = (seq: number) => `${TOKEN_PREFIX}${seq}`;

/** The sequence inside one of our tokens, or null for anything else. */
export function parseSyncToken(token: string): number | null {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const rest = token.slice(TOKEN_PREFIX.length);
  if (!/^\d{1,15}$/.test(rest)) return null;
  return Number(rest);
}

/** CalendarServer ctag: any opaque string that changes with the collection (CLIENTS.md §2.3). */
export const ctagOf = (seq: number) => `"${seq}"`;

/**
 * A home's token names the view it was handed out for (issue 16): the account's (the bare
 * sequence) or one device's (`<seq>-d<id>`). A client whose credentials change from one view to
 * another (the account password replaced by a device's app password) then presents a token of
 * the other view, which sync-collection refuses with valid-sync-token, so it starts over instead
 * of missing calendars the two views list differently. The ctag follows.
 */
export const homeSyncTokenOf = (seq: number, deviceId: number | null | undefined) => (deviceId == null ? syncTokenOf(seq) : `${TOKEN_PREFIX}${seq}-d${deviceId}`);
export const homeCtagOf = (seq: number, deviceId: number | null | undefined) => (deviceId == null ? ctagOf(seq) : `"${seq}-d${deviceId}"`);

/** The sequence of a home token if it was handed out for this view (null: the account's), else null. */
export function parseHomeSyncToken(token: string, deviceId: number | null | undefined): number | null {
  const suffix = deviceId == null ? '' : `-d${deviceId}`;
  if (!token.endsWith(suffix)) return null;
  return parseSyncToken(token.slice(0, token.length - suffix.length));
}

/** RFC 7231 §7.1.1.1 IMF-fixdate, for getlastmodified and Last-Modified. */
export const httpDate = (iso: string) => new Date(iso).toUTCString();

/**
 * RFC 3744 §5.4 privileges for an access level. Thunderbird marks a calendar read-only unless
 * one of write, write-content, write-properties or all is present (CLIENTS.md §2.1).
 */
export function privilegesFor(access: Access | 'none'): string[] {
  const read = [DAV.read, DAV.readCurrentUserPrivilegeSet];
  if (access === 'owner') return [...read, DAV.write, DAV.writeContent, DAV.writeProperties, DAV.bind, DAV.unbind];
  // A read-write sharee changes the events, not the owner's name or colour of the calendar:
  // no write (which aggregates write-properties, RFC 3744 §3.2), so PROPPATCH refusals match
  // what clients were told. write-content alone keeps Thunderbird and iOS treating it as writable.
  if (access === 'read-write') return [...read, DAV.writeContent, DAV.bind, DAV.unbind];
  if (access === 'read') return read;
  return [];
}

/**
 * What GET answers on a collection that is not a calendar: such collections have no
 * representation of their own, and a short text keeps browsers and generic WebDAV clients
 * informed. Its length is the DAV:getcontentlength of the collection (RFC 4918 §15.4).
 */
export const collectionPageText = (href: string) => `Sundial WebDAV collection ${href}\n`;
