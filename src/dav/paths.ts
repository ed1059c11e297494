// The URL layout of SPEC "URL layout": parsing request paths into segments and building hrefs.
// Every href the server emits comes from the builders here. Hrefs are decoded paths; xml/serialize
// percent-encodes them when they are written.

export const DAV_ROOT = '/dav/';
export const PRINCIPALS = '/dav/principals/';
export const CALENDARS = '/dav/calendars/';

export const principalHref = (username: string) => `${PRINCIPALS}${username}/`;
export const homeHref = (username: string) => `${CALENDARS}${username}/`;

/** Href of a path below a user's home; collections end in "/". */
export function homeMemberHref(username: string, segments: string[], collection: boolean): string {
  const tail = segments.join('/');
  return homeHref(username) + tail + (collection && segments.length > 0 ? '/' : '');
}

export type ParsedPath =
  | { area: 'root' }
  /** `below`: a path under a principal, where nothing can exist (404, or 403 for other users). */
  | { area: 'principals'; user?: string; below?: true }
  | { area: 'calendars'; user?: string; segments: string[]; trailingSlash: boolean }
  | { area: 'outside' };

/**
 * Splits a raw (still percent-encoded) request path. Returns null for paths that cannot be
 * decoded or that try to climb (".." segments), which callers answer with 400/404.
 */
export function parseDavPath(rawPath: string): ParsedPath | null {
  if (rawPath === '/' || rawPath === '' || rawPath === '/dav' || rawPath === '/dav/') return { area: 'root' };
  if (!rawPath.startsWith('/dav/')) return { area: 'outside' };
  const trailingSlash = rawPath.endsWith('/');
  let parts: string[];
  try {
    parts = rawPath.slice('/dav/'.length).split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
  if (parts.some((p) => p === '.' || p === '..' || p.includes('/') || p.includes('\0'))) return null;
  const [area, user, ...segments] = parts;
  if (area === 'principals') {
    if (user === undefined) return { area: 'principals' };
    return segments.length > 0 ? { area: 'principals', user, below: true } : { area: 'principals', user };
  }
  if (area === 'calendars') return { area: 'calendars', ...(user === undefined ? {} : { user }), segments, trailingSlash };
  return null;
}

/** Path part of an absolute URL or absolute path (Destination header, multiget hrefs). */
export function hrefToPath(href: string, origin: string): string | null {
  try {
    const url = new URL(href, origin + '/');
    if (/^https?:/i.test(href) && url.origin !== new URL(origin).origin) return null;
    return url.pathname;
  } catch {
    return null;
  }
}
