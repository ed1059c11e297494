// The address-book paths the page, API and CLI hand out (SPEC "URL layout"), until src/urls.ts
// carries them (helper cd-core adds addressbookHomePath/addressbookPath there for the DAV side;
// this file then goes and its callers import from urls.ts). Same rules as urls.ts: decoded paths.
export const ADDRESSBOOKS_AREA = '/dav/addressbooks/';
/** The address-book home of a user (RFC 6352 §7.1.1 addressbook-home-set). */
export const addressbookHomePath = (username: string) => `${ADDRESSBOOKS_AREA}${username}/`;
/** An address book directly in a user's address-book home, by the segment it has there. */
export const addressbookPath = (username: string, uri: string) => `${addressbookHomePath(username)}${uri}/`;
