// The request shapes of real CardDAV clients for the address-book run (issue 14 item 7), as
// data, with the exact bodies (declaration, prefixes, whitespace, property order). Sources:
//
//   Thunderbird  mozilla/releases-comm-central mailnews/addrbook/modules/CardDAVDirectory.sys.mjs:
//                fetchAllFromServer (PROPFIND Depth 1 resourcetype + getetag + cs:getctag, then ONE
//                addressbook-multiget naming every href it listed, then PROPFIND Depth 0
//                displayname + getctag + sync-token), updateAllFromServerV2 every 30 minutes
//                (sync-collection getetag + card:address-data, Depth 1); NAMESPACE_STRING binds
//                card:, cs: and d: on every root element.
//   DAVx5        bitfireAT/dav4jvm DavAddressBook.multiget (getcontenttype, getetag,
//                address-data content-type="text/vcard" version="4.0" when the server lists vCard
//                4.0 in supported-address-data; Depth 0) in batches of 10
//                (SyncManager.MAX_MULTIGET_RESOURCES); sync-collection as for calendars
//                (test/fixtures/transcripts/davx5-setup-and-sync.http, dav4jvm's serialisation).
//   iOS/macOS    CoreDAV writes CardDAV requests like its CalDAV ones (scripts/bench/variants.ts:
//                the ctag PROPFIND, the Depth 1 getcontenttype + getetag listing, sync-collection);
//                the addressbook-multiget shape is an Apple client's as captured against fruux
//                (`<B:addressbook-multiget xmlns:B=…><A:prop xmlns:A="DAV:"><A:getetag/>
//                <B:address-data/></A:prop><A:href xmlns:A="DAV:">…`); batches of 50 as for
//                calendars **(inference: no capture of the batch size for contacts)**.
//   bench        addressbook-query as RFC 6352 §8.6.4's example (anyof FN / EMAIL contains): none of
//                the three clients sends addressbook-query when it syncs (they list and multiget);
//                it is what a web client or a search field would send.
import { DAVX5_FETCH_CONCURRENCY, type Shape } from './variants.js';

export type BookKind = 'listing' | 'initial-sync' | 'poll' | 'incremental' | 'query';

export interface BookVariant {
  name: string;
  client: 'Thunderbird' | 'iOS/macOS' | 'DAVx5' | 'bench';
  kind: BookKind;
  what: string;
  request: Shape;
  /** Initial sync: the multiget; `batch` 0 means one request naming every href (Thunderbird). */
  fetch?: Shape;
  /** Initial sync: a request after the multigets (Thunderbird reads the token). */
  after?: Shape;
  /** Local names every listed member must carry. */
  memberProps: string[];
  /** Query: whether address-data is returned (and compared with the stored card). */
  withData?: boolean;
  /** As Variant.reference: reported without a target, for what it tracks. */
  reference?: string;
}

const TEXT_XML = 'text/xml; charset=utf-8';
const APP_XML = 'application/xml; charset=utf-8';

// --- Thunderbird (template literals as written, indentation included)
const TB_NS = 'xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/" xmlns:d="DAV:"';
const TB_LIST = `<propfind xmlns="DAV:" ${TB_NS}>\n      <prop>\n        <resourcetype/>\n        <getetag/>\n        <cs:getctag/>\n      </prop>\n    </propfind>`;
const TB_TOKEN = `<propfind xmlns="DAV:" ${TB_NS}>\n      <prop>\n         <displayname/>\n         <cs:getctag/>\n         <sync-token/>\n      </prop>\n    </propfind>`;
const TB_SYNC = `<sync-collection xmlns="DAV:" ${TB_NS}>\n      <sync-token>{{token}}</sync-token>\n      <sync-level>1</sync-level>\n      <prop>\n        <getetag/>\n        <card:address-data/>\n      </prop>\n    </sync-collection>`;
const TB_MULTIGET: Shape = {
  method: 'REPORT', depth: '1', contentType: TEXT_XML, batch: 0, hrefJoin: '\n', href: '      <d:href>{{href}}</d:href>',
  body: `<?xml version="1.0" encoding="utf-8"?>\n    <card:addressbook-multiget ${TB_NS}>\n      <d:prop>\n        <d:getetag/>\n        <card:address-data/>\n      </d:prop>\n      {{hrefs}}\n    </card:addressbook-multiget>`,
};

// --- iOS / macOS (CoreDAV)
const APPLE_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const APPLE_CTAG = `${APPLE_DECL}<A:propfind xmlns:A="DAV:">\n  <A:prop>\n    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>\n    <A:sync-token/>\n  </A:prop>\n</A:propfind>\n`;
const APPLE_D1 = `${APPLE_DECL}<A:propfind xmlns:A="DAV:">\n  <A:prop>\n    <A:getcontenttype/>\n    <A:getetag/>\n  </A:prop>\n</A:propfind>\n`;
const APPLE_SYNC = (token: string) => `${APPLE_DECL}<A:sync-collection xmlns:A="DAV:">\n  <A:sync-token>${token}</A:sync-token>\n  <A:sync-level>1</A:sync-level>\n  <A:prop>\n    <A:getcontenttype/>\n    <A:getetag/>\n  </A:prop>\n</A:sync-collection>`;
const APPLE_MULTIGET: Shape = {
  method: 'REPORT', depth: '1', contentType: TEXT_XML, batch: 50, hrefJoin: '\n', href: '  <A:href xmlns:A="DAV:">{{href}}</A:href>',
  body: `${APPLE_DECL}<B:addressbook-multiget xmlns:B="urn:ietf:params:xml:ns:carddav">\n  <A:prop xmlns:A="DAV:">\n    <A:getetag/>\n    <B:address-data/>\n  </A:prop>\n{{hrefs}}\n</B:addressbook-multiget>\n`,
};

// --- DAVx5 (dav4jvm)
const DAVX5_DECL = "<?xml version='1.0' encoding='UTF-8' ?>";
const DAVX5_SYNC = (token: string) => `${DAVX5_DECL}<sync-collection xmlns="DAV:">${token}<sync-level>1</sync-level><prop><getetag /></prop></sync-collection>`;
const DAVX5_MULTIGET: Shape = {
  method: 'REPORT', depth: '0', contentType: APP_XML, batch: 10, concurrency: DAVX5_FETCH_CONCURRENCY, pipelined: true, hrefJoin: '', href: '<href>{{href}}</href>',
  body: `${DAVX5_DECL}<CARD:addressbook-multiget xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getcontenttype /><getetag /><CARD:address-data content-type="text/vcard" version="4.0" /></prop>{{hrefs}}</CARD:addressbook-multiget>`,
};

// --- the bench's addressbook-query (RFC 6352 §8.6.4's shape)
const QUERY = (prop: string) => '<?xml version="1.0" encoding="utf-8" ?>\n<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">\n'
  + `  <D:prop>\n    <D:getetag/>\n${prop}  </D:prop>\n  <C:filter test="anyof">\n    <C:prop-filter name="FN">\n      <C:text-match collation="i;unicode-casemap" match-type="contains">{{term}}</C:text-match>\n    </C:prop-filter>\n`
  + '    <C:prop-filter name="EMAIL">\n      <C:text-match collation="i;unicode-casemap" match-type="contains">{{term}}</C:text-match>\n    </C:prop-filter>\n  </C:filter>\n</C:addressbook-query>\n';

const propfind = (depth: '0' | '1', body: string, contentType = TEXT_XML): Shape => ({ method: 'PROPFIND', depth, body, contentType });
const report = (depth: '0' | '1', body: string, contentType = TEXT_XML): Shape => ({ method: 'REPORT', depth, body, contentType });

export const BOOK_VARIANTS: BookVariant[] = [
  { name: 'card-ios-listing', client: 'iOS/macOS', kind: 'listing', what: 'PROPFIND D1 getcontenttype + getetag', request: propfind('1', APPLE_D1), memberProps: ['getcontenttype', 'getetag'] },
  { name: 'card-tb-listing', client: 'Thunderbird', kind: 'listing', what: 'PROPFIND D1 resourcetype + getetag + getctag', request: propfind('1', TB_LIST), memberProps: ['resourcetype', 'getetag'] },
  { name: 'card-tb-initial-sync', client: 'Thunderbird', kind: 'initial-sync', what: 'PROPFIND D1 + one multiget of every href + PROPFIND D0 token', request: propfind('1', TB_LIST), fetch: TB_MULTIGET, after: propfind('0', TB_TOKEN), memberProps: ['resourcetype', 'getetag'] },
  { name: 'card-ios-initial-sync', client: 'iOS/macOS', kind: 'initial-sync', what: 'sync-collection (no token) + multiget/50', request: report('0', APPLE_SYNC('')), fetch: APPLE_MULTIGET, memberProps: ['getcontenttype', 'getetag'] },
  { name: 'card-davx5-initial-sync', client: 'DAVx5', kind: 'initial-sync', what: `sync-collection (no token) + multiget/10 (vCard 4.0 asked) as it lists, ${DAVX5_FETCH_CONCURRENCY} at once`, request: report('0', DAVX5_SYNC('<sync-token />'), APP_XML), fetch: DAVX5_MULTIGET, memberProps: ['getetag'] },
  { name: 'card-davx5-initial-sync-serial', client: 'DAVx5', kind: 'initial-sync', what: 'sync-collection (no token), then multiget/10 (vCard 4.0 asked) one at a time', request: report('0', DAVX5_SYNC('<sync-token />'), APP_XML), fetch: { ...DAVX5_MULTIGET, concurrency: 1, pipelined: false }, memberProps: ['getetag'],
    reference: 'DAVx5 has sent its multigets two or more at a time, as it lists, since 2018; kept to track the cost of 901 round trips in a row' },
  { name: 'card-ios-poll', client: 'iOS/macOS', kind: 'poll', what: 'PROPFIND D0 getctag + sync-token', request: propfind('0', APPLE_CTAG), memberProps: ['getctag', 'sync-token'] },
  { name: 'card-tb-poll', client: 'Thunderbird', kind: 'poll', what: 'sync-collection from the current token (no change)', request: report('1', TB_SYNC), memberProps: [] },
  { name: 'card-ios-incremental', client: 'iOS/macOS', kind: 'incremental', what: 'sync-collection getcontenttype + getetag, 10 changes', request: report('0', APPLE_SYNC('{{token}}')), memberProps: ['getcontenttype', 'getetag'] },
  { name: 'card-tb-incremental', client: 'Thunderbird', kind: 'incremental', what: 'sync-collection getetag + address-data, 10 changes', request: report('1', TB_SYNC), memberProps: ['getetag', 'address-data'] },
  { name: 'card-davx5-incremental', client: 'DAVx5', kind: 'incremental', what: 'sync-collection getetag, 10 changes', request: report('0', DAVX5_SYNC('<sync-token>{{token}}</sync-token>'), APP_XML), memberProps: ['getetag'] },
  { name: 'card-query', client: 'bench', kind: 'query', what: 'addressbook-query FN or EMAIL contains, getetag', request: report('1', QUERY('')), memberProps: ['getetag'] },
  { name: 'card-query-data', client: 'bench', kind: 'query', what: 'addressbook-query FN or EMAIL contains, getetag + address-data', request: report('1', QUERY('    <C:address-data/>\n')), memberProps: ['getetag', 'address-data'], withData: true },
];

/** The shape with the query's text in place of {{term}} (escaped for XML). */
export function withTerm(shape: Shape, term: string): Shape {
  const escaped = term.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { ...shape, body: shape.body.replaceAll('{{term}}', escaped) };
}
