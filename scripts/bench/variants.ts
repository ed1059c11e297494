// The request shapes of real clients (issue 13), as data: one row per variant, each with the exact
// body its client sends (the XML declaration, prefixes, whitespace and property order included —
// a server that parses by shape would treat them differently). Where the bodies come from:
//
//   Thunderbird  test/fixtures/transcripts/thunderbird-setup-and-sync.http (bodies as
//                comm-central's CalDavRequest.sys.mjs builds them); CLIENTS.md §2.3: Depth 1
//                PROPFIND getcontenttype + resourcetype + getetag (CalDavEtagsHandler),
//                sync-collection every time (CalDavWebDavSyncHandler), multiget batches of 100.
//   iOS / macOS  apple/ccs-calendarserver contrib/performance/loadtest/request-data (the client
//                simulator's captured bodies: iOS_5/poll_calendar_vevent_tr_query.request,
//                iOS_5/poll_calendar_multiget.request, OS_X_10_11/startup_query_events_depth1_report
//                .request, OS_X_10_11/poll_calendar_propfind*.request; ical.py iOS_5: time-range
//                sync from one month back, multiget batches of 50) and
//                test/fixtures/transcripts/ios-macos-account-setup.http (steps 9a–9c, 11).
//   DAVx5        test/fixtures/transcripts/davx5-setup-and-sync.http (dav4jvm's serialisation);
//                the past-days query is dav4jvm DavCalendar.calendarQuery(VEVENT, start, null) as
//                CalendarSyncManager.listAllRemote calls it (start only); multiget batches of 10
//                (SyncManager.MAX_MULTIGET_RESOURCES).
//   tsdav        natelindev/tsdav src/calendar.ts fetchCalendarObjects → calendarQuery, serialised
//                by xml-js js2xml({compact, spaces: 2}) (bodies generated with xml-js 1.6.11).
//   python-caldav  python-caldav/caldav search.py _build_search_xml_query: prop is calendar-data
//                alone; `<C:expand>` only with server_expand=True (2.x; 1.x sent it for expand=True);
//                lxml etree.tostring(xml_declaration=True) (bodies generated with lxml 4.9).
//   bench        the benchmark's own shapes of issue 7, kept so its figures stay comparable.
//
// Placeholders: {{start}} {{end}} (UTC stamps of the variant's range), {{token}} (sync token),
// {{hrefs}} (one `href` template per member, joined with `hrefJoin`), {{href}} (inside `href`).

export type Kind = 'listing' | 'initial-sync' | 'poll' | 'incremental' | 'query' | 'query-data' | 'query-expand';

export interface Shape {
  method: 'PROPFIND' | 'REPORT';
  depth: '0' | '1';
  /** The calendar (default) or its parent, the calendar home. */
  target?: 'calendar' | 'home';
  contentType: string;
  body: string;
  /** For multiget: the template of one href, and how they are joined. */
  href?: string;
  hrefJoin?: string;
  /** For multiget: hrefs per request. */
  batch?: number;
  /**
   * For multiget: requests in flight at once (default 1, one after another). DAVx5 downloads its
   * batches concurrently (see DAVX5_FETCH_CONCURRENCY); the bench sends the other clients'
   * batches one at a time, the slower assumption where their pacing was not checked.
   */
  concurrency?: number;
  /**
   * For multiget: sent while the listing is still arriving, each batch as soon as the listing has
   * named its members (fetch-batches.ts listAndFetch), as DAVx5 does; otherwise after the whole
   * listing.
   */
  pipelined?: boolean;
}

/**
 * Time range of the variant's calendar-query, relative to the bench's "now", which is the first
 * day of `--month` (00:00 UTC): `month` = that month; `since-1-month` = from one month before,
 * no end (the iOS simulator's sync query); `since-90-days` = from 90 days before, no end
 * (DAVx5 with a past-days limit of 90).
 */
export type RangeKind = 'month' | 'since-1-month' | 'since-90-days';

export interface Variant {
  name: string;
  client: 'Thunderbird' | 'iOS/macOS' | 'DAVx5' | 'tsdav' | 'python-caldav' | 'bench';
  kind: Kind;
  /** What the request is, in the client's words (for the report). */
  what: string;
  source: string;
  /** The request (listing, poll, query, incremental), or the first request of an initial sync. */
  request: Shape;
  /** Initial sync: the multiget that fetches what `request` listed. */
  fetch?: Shape;
  range?: RangeKind;
  /** Local names of the properties every listed member must carry in a 200 propstat. */
  memberProps: string[];
  /** The bench figure of issue 7 this variant also fills (the main table's row). */
  legacyKey?: string;
  /**
   * Not a request sequence any current client sends: reported beside the others, without a
   * target, for what it tracks (the reason, for the report and --list-variants).
   */
  reference?: string;
}

export const TARGETS: Record<Kind, { op: '<=' | '>='; value: number; unit: 'ms' | 'req/s'; p99?: number }> = {
  listing: { op: '<=', value: 60, unit: 'ms' },
  'initial-sync': { op: '<=', value: 600, unit: 'ms' },
  poll: { op: '>=', value: 3000, unit: 'req/s', p99: 20 },
  incremental: { op: '<=', value: 5, unit: 'ms' },
  query: { op: '<=', value: 20, unit: 'ms' },
  'query-data': { op: '<=', value: 20, unit: 'ms' },
  'query-expand': { op: '<=', value: 20, unit: 'ms' },
};

const TEXT_XML = 'text/xml; charset=utf-8';
const APP_XML = 'application/xml; charset=utf-8';

// --- Thunderbird
const TB_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const TB_SYNC = (token: string) => `${TB_DECL}<sync-collection xmlns="DAV:">${token}<sync-level>1</sync-level><prop><getcontenttype/><getetag/></prop></sync-collection>`;
const TB_MULTIGET: Shape = {
  method: 'REPORT', depth: '1', contentType: TEXT_XML, batch: 100, hrefJoin: '\n', href: '<D:href>{{href}}</D:href>',
  body: `${TB_DECL}<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>\n{{hrefs}}\n</C:calendar-multiget>`,
};

// --- iOS / macOS
const APPLE_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const APPLE_CTAG = `${APPLE_DECL}<A:propfind xmlns:A="DAV:">\n  <A:prop>\n    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>\n    <A:sync-token/>\n  </A:prop>\n</A:propfind>\n`;
const APPLE_D1 = `${APPLE_DECL}<A:propfind xmlns:A="DAV:">\n  <A:prop>\n    <A:getcontenttype/>\n    <A:getetag/>\n  </A:prop>\n</A:propfind>\n`;
const APPLE_SYNC = `${APPLE_DECL}<A:sync-collection xmlns:A="DAV:">\n  <A:sync-token>{{token}}</A:sync-token>\n  <A:sync-level>1</A:sync-level>\n  <A:prop>\n    <A:getcontenttype/>\n    <A:getetag/>\n  </A:prop>\n</A:sync-collection>`;
const APPLE_HOME_D1 = `${APPLE_DECL}<A:propfind xmlns:A="DAV:">\n  <A:prop>\n    <D:calendar-color xmlns:D="http://apple.com/ns/ical/"/>\n    <D:calendar-order xmlns:D="http://apple.com/ns/ical/"/>\n    <B:calendar-timezone xmlns:B="urn:ietf:params:xml:ns:caldav"/>\n    <A:displayname/>\n    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>\n    <C:pushkey xmlns:C="http://calendarserver.org/ns/"/>\n    <A:resourcetype/>\n    <A:sync-token/>\n  </A:prop>\n</A:propfind>`;
const APPLE_QUERY_MONTH = `${APPLE_DECL}<B:calendar-query xmlns:B="urn:ietf:params:xml:ns:caldav">\n  <A:prop xmlns:A="DAV:">\n    <A:getetag/>\n    <A:getcontenttype/>\n  </A:prop>\n  <B:filter>\n    <B:comp-filter name="VCALENDAR">\n      <B:comp-filter name="VEVENT">\n        <B:time-range start="{{start}}" end="{{end}}"/>\n      </B:comp-filter>\n    </B:comp-filter>\n  </B:filter>\n</B:calendar-query>\n`;
const IOS_QUERY_SINCE = `${APPLE_DECL}<G:calendar-query xmlns:G="urn:ietf:params:xml:ns:caldav">\n  <A:prop xmlns:A="DAV:">\n    <A:getetag/>\n    <A:getcontenttype/>\n  </A:prop>\n  <G:filter>\n    <G:comp-filter name="VCALENDAR">\n      <G:comp-filter name="VEVENT">\n        <G:time-range start="{{start}}"/>\n      </G:comp-filter>\n    </G:comp-filter>\n  </G:filter>\n</G:calendar-query>\n`;
const IOS_MULTIGET: Shape = {
  method: 'REPORT', depth: '1', contentType: TEXT_XML, batch: 50, hrefJoin: '\n', href: '  <A:href xmlns:A="DAV:">{{href}}</A:href>',
  body: `${APPLE_DECL}<G:calendar-multiget xmlns:G="urn:ietf:params:xml:ns:caldav">\n  <A:prop xmlns:A="DAV:">\n    <A:getetag/>\n    <G:calendar-data/>\n    <G:schedule-tag/>\n  </A:prop>\n{{hrefs}}\n</G:calendar-multiget>\n`,
};

// --- DAVx5 (dav4jvm)
const DAVX5_DECL = "<?xml version='1.0' encoding='UTF-8' ?>";
const DAVX5_SYNC = (token: string) => `${DAVX5_DECL}<sync-collection xmlns="DAV:">${token}<sync-level>1</sync-level><prop><getetag /></prop></sync-collection>`;
/**
 * How many of its multigets DAVx5 has in flight at once. It downloads each batch of 10 hrefs in a
 * coroutine of its own and bounds them by the device's cores (bitfireAT/davx5-ose, SyncManager.kt):
 * since 2026-08 `batchMap` (FlowUtils.kt: `chunked(10).flatMapMerge`) under `syncMultigetSemaphore`,
 * `Semaphore(availableProcessors().coerceIn(2, 8))` (di/SyncModule.kt); 2024–2026 a `launch` per
 * batch on `Dispatchers.IO.limitedParallelism(availableProcessors())` (`SyncDispatcher`); 2020–2024
 * a `launch` per batch on `Dispatchers.Default`, then on a pool of `min(availableProcessors(), 4)`
 * threads (`workDispatcher`); 2018–2020 (DAVx5 2.x, "New sync logic with XML streaming") a
 * `downloader` pool of `MAX_DOWNLOAD_THREADS` = 2 (1 on a single core). OkHttp sends concurrent
 * HTTP/1.1 requests over separate pooled connections. The bench replays 2, the fewest any release
 * since 2018 sends on a device of two or more cores (a phone of 8 cores has 4–8). DAVx5 sends them
 * while the listing still arrives (Shape.pipelined): dav4jvm reads a multistatus with a pull
 * parser over the response body and hands each member on as it is parsed (DavResource.kt
 * processMultiStatus; before 4.x, the listing callback), and the sync starts a multiget as soon as
 * 10 members have been listed (`listChanges(…).batchMap(10)` since 2026-08, SyncManager.kt
 * processChanges; `syncRemote`'s `download()` before).
 */
export const DAVX5_FETCH_CONCURRENCY = 2;

const DAVX5_MULTIGET: Shape = {
  method: 'REPORT', depth: '0', contentType: APP_XML, batch: 10, concurrency: DAVX5_FETCH_CONCURRENCY, pipelined: true, hrefJoin: '', href: '<href>{{href}}</href>',
  body: `${DAVX5_DECL}<CAL:calendar-multiget xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><getcontenttype /><getetag /><CAL:schedule-tag /><CAL:calendar-data /></prop>{{hrefs}}</CAL:calendar-multiget>`,
};
const DAVX5_QUERY_SINCE = `${DAVX5_DECL}<CAL:calendar-query xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><getetag /></prop><CAL:filter><CAL:comp-filter name="VCALENDAR"><CAL:comp-filter name="VEVENT"><CAL:time-range start="{{start}}" /></CAL:comp-filter></CAL:comp-filter></CAL:filter></CAL:calendar-query>`;

// --- tsdav (xml-js, 2-space indentation)
const TSDAV_QUERY = (prop: string) => '<?xml version="1.0" encoding="utf-8"?>\n<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:ca="http://apple.com/ns/ical/" xmlns:d="DAV:">\n  <d:prop>\n'
  + `${prop}  </d:prop>\n  <c:filter>\n    <c:comp-filter name="VCALENDAR">\n      <c:comp-filter name="VEVENT">\n        <c:time-range start="{{start}}" end="{{end}}"/>\n      </c:comp-filter>\n    </c:comp-filter>\n  </c:filter>\n</c:calendar-query>`;

// --- python-caldav (lxml)
const PYCALDAV_QUERY = (prop: string) => "<?xml version='1.0' encoding='utf-8'?>\n<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
  + `<D:prop>${prop}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="{{start}}" end="{{end}}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;

// --- the bench's own shapes (issue 7)
const BENCH_DECL = '<?xml version="1.0" encoding="utf-8"?>';
const BENCH_D1 = `${BENCH_DECL}<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`;
const BENCH_CTAG = `${BENCH_DECL}<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>`;
const BENCH_QUERY = (prop: string) => `${BENCH_DECL}<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${prop}</d:prop>`
  + '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{{start}}" end="{{end}}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>';
const BENCH_MULTIGET: Shape = {
  method: 'REPORT', depth: '1', contentType: APP_XML, batch: 100, hrefJoin: '', href: '<d:href>{{href}}</d:href>',
  body: `${BENCH_DECL}<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>{{hrefs}}</c:calendar-multiget>`,
};

const propfind = (depth: '0' | '1', body: string, contentType = TEXT_XML, target: 'calendar' | 'home' = 'calendar'): Shape => ({ method: 'PROPFIND', depth, body, contentType, target });
const report = (depth: '0' | '1', body: string, contentType = TEXT_XML): Shape => ({ method: 'REPORT', depth, body, contentType });

export const VARIANTS: Variant[] = [
  // The bench's own shapes first: their figures fill the main table as before.
  { name: 'bench-listing', client: 'bench', kind: 'listing', what: 'PROPFIND D1 getetag', source: 'issue 7', request: propfind('1', BENCH_D1, APP_XML), memberProps: ['getetag'], legacyKey: 'etag_listing_ms' },
  { name: 'bench-initial-sync', client: 'bench', kind: 'initial-sync', what: 'PROPFIND D1 getetag + multiget/100', source: 'issue 7', request: propfind('1', BENCH_D1, APP_XML), fetch: BENCH_MULTIGET, memberProps: ['getetag'], legacyKey: 'initial_sync_ms' },
  { name: 'bench-poll', client: 'bench', kind: 'poll', what: 'PROPFIND D0 getctag + sync-token', source: 'issue 7', request: propfind('0', BENCH_CTAG, APP_XML), memberProps: ['getctag', 'sync-token'], legacyKey: 'poll' },
  { name: 'bench-incremental', client: 'bench', kind: 'incremental', what: 'sync-collection getetag, 10 changes', source: 'issue 7', request: report('1', `${BENCH_DECL}<d:sync-collection xmlns:d="DAV:"><d:sync-token>{{token}}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`, APP_XML), memberProps: ['getetag'], legacyKey: 'incr_sync_ms' },
  { name: 'bench-query', client: 'bench', kind: 'query', what: 'calendar-query month, getetag', source: 'issue 7', range: 'month', request: report('1', BENCH_QUERY('<d:getetag/>'), APP_XML), memberProps: ['getetag'], legacyKey: 'timerange_ms' },
  { name: 'bench-query-expand', client: 'bench', kind: 'query-expand', what: 'calendar-query month, getetag + calendar-data/expand', source: 'issue 7', range: 'month', request: report('1', BENCH_QUERY('<d:getetag/><c:calendar-data><c:expand start="{{start}}" end="{{end}}"/></c:calendar-data>'), APP_XML), memberProps: ['getetag', 'calendar-data'], legacyKey: 'timerange_expand_ms' },

  // Thunderbird
  { name: 'tb-listing', client: 'Thunderbird', kind: 'listing', what: 'PROPFIND D1 getcontenttype + resourcetype + getetag', source: 'CLIENTS.md §2.3 CalDavEtagsHandler',
    request: propfind('1', `${TB_DECL}<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><D:resourcetype/><D:getetag/></D:prop></D:propfind>`), memberProps: ['getcontenttype', 'resourcetype', 'getetag'] },
  { name: 'tb-initial-sync', client: 'Thunderbird', kind: 'initial-sync', what: 'sync-collection (no token) + multiget/100', source: 'CLIENTS.md §2.3; thunderbird-setup-and-sync.http',
    request: report('1', TB_SYNC('<sync-token/>')), fetch: TB_MULTIGET, memberProps: ['getcontenttype', 'getetag'] },
  { name: 'tb-initial-sync-etags', client: 'Thunderbird', kind: 'initial-sync', what: 'PROPFIND D1 (ctag path) + multiget/100', source: 'CLIENTS.md §2.3 (server without sync-collection)',
    request: propfind('1', `${TB_DECL}<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><D:resourcetype/><D:getetag/></D:prop></D:propfind>`), fetch: TB_MULTIGET, memberProps: ['getcontenttype', 'resourcetype', 'getetag'] },
  { name: 'tb-incremental', client: 'Thunderbird', kind: 'incremental', what: 'sync-collection getcontenttype + getetag', source: 'thunderbird-setup-and-sync.http',
    request: report('1', TB_SYNC('<sync-token>{{token}}</sync-token>')), memberProps: ['getcontenttype', 'getetag'] },

  // iOS / macOS
  { name: 'ios-poll-calendar', client: 'iOS/macOS', kind: 'poll', what: 'PROPFIND D0 getctag + sync-token (calendar)', source: 'ccs loadtest poll_calendar_propfind; ios fixture 9a',
    request: propfind('0', APPLE_CTAG), memberProps: ['getctag', 'sync-token'] },
  { name: 'ios-poll-home', client: 'iOS/macOS', kind: 'poll', what: 'PROPFIND D1 on the home: getctag + sync-token + 6 more', source: 'CLIENTS.md §1.2 step 11; ios fixture 11',
    request: propfind('1', APPLE_HOME_D1, TEXT_XML, 'home'), memberProps: ['getctag', 'sync-token'] },
  { name: 'ios-listing', client: 'iOS/macOS', kind: 'listing', what: 'PROPFIND D1 getcontenttype + getetag', source: 'ccs loadtest poll_calendar_propfind_d1; ios fixture 9b; go-webdav #213',
    request: propfind('1', APPLE_D1), memberProps: ['getcontenttype', 'getetag'] },
  { name: 'ios-query', client: 'iOS/macOS', kind: 'query', what: 'calendar-query month, getetag + getcontenttype', source: 'ccs loadtest OS_X_10_11/startup_query_events_depth1_report',
    range: 'month', request: report('1', APPLE_QUERY_MONTH), memberProps: ['getetag', 'getcontenttype'] },
  { name: 'ios-initial-sync', client: 'iOS/macOS', kind: 'initial-sync', what: 'calendar-query since 1 month + multiget/50', source: 'ccs loadtest iOS_5 (poll_calendar_vevent_tr_query, poll_calendar_multiget; ical.py)',
    range: 'since-1-month', request: report('1', IOS_QUERY_SINCE), fetch: IOS_MULTIGET, memberProps: ['getetag', 'getcontenttype'] },
  { name: 'ios-incremental', client: 'iOS/macOS', kind: 'incremental', what: 'sync-collection getcontenttype + getetag', source: 'ios fixture 9c; ccs loadtest poll_calendar_sync',
    request: report('0', APPLE_SYNC), memberProps: ['getcontenttype', 'getetag'] },

  // DAVx5
  { name: 'davx5-initial-sync', client: 'DAVx5', kind: 'initial-sync', what: `sync-collection (no token) + multiget/10 as it lists, ${DAVX5_FETCH_CONCURRENCY} at once`, source: 'davx5-setup-and-sync.http; SyncManager MULTIGET_BATCH_SIZE, batchMap, syncMultigetSemaphore',
    request: report('0', DAVX5_SYNC('<sync-token />'), APP_XML), fetch: DAVX5_MULTIGET, memberProps: ['getetag'] },
  { name: 'davx5-initial-sync-serial', client: 'DAVx5', kind: 'initial-sync', what: 'sync-collection (no token), then multiget/10 one at a time', source: 'no DAVx5 release since 2018 (see DAVX5_FETCH_CONCURRENCY)',
    request: report('0', DAVX5_SYNC('<sync-token />'), APP_XML), fetch: { ...DAVX5_MULTIGET, concurrency: 1, pipelined: false }, memberProps: ['getetag'],
    reference: 'DAVx5 has sent its multigets two or more at a time, as it lists, since 2018; kept to track the cost of 901 round trips in a row' },
  { name: 'davx5-incremental', client: 'DAVx5', kind: 'incremental', what: 'sync-collection getetag', source: 'davx5-setup-and-sync.http',
    request: report('0', DAVX5_SYNC('<sync-token>{{token}}</sync-token>'), APP_XML), memberProps: ['getetag'] },
  { name: 'davx5-past-days', client: 'DAVx5', kind: 'listing', what: 'calendar-query since 90 days (no end), getetag', source: 'CalendarSyncManager.listAllRemote; dav4jvm DavCalendar.calendarQuery',
    range: 'since-90-days', request: report('1', DAVX5_QUERY_SINCE, APP_XML), memberProps: ['getetag'] },

  // tsdav
  { name: 'tsdav-query-data', client: 'tsdav', kind: 'query-data', what: 'calendar-query month, getetag + calendar-data (useMultiGet: false)', source: 'tsdav fetchCalendarObjects',
    range: 'month', request: report('1', TSDAV_QUERY('    <d:getetag/>\n    <c:calendar-data/>\n')), memberProps: ['getetag', 'calendar-data'] },
  { name: 'tsdav-query-expand', client: 'tsdav', kind: 'query-expand', what: 'calendar-query month, getetag + calendar-data/expand', source: 'tsdav fetchCalendarObjects({ expand: true })',
    range: 'month', request: report('1', TSDAV_QUERY('    <d:getetag/>\n    <c:calendar-data>\n      <c:expand start="{{start}}" end="{{end}}"/>\n    </c:calendar-data>\n')), memberProps: ['getetag', 'calendar-data'] },

  // python-caldav
  { name: 'pycaldav-search', client: 'python-caldav', kind: 'query-data', what: 'calendar-query month, calendar-data', source: 'caldav search.py _build_search_xml_query',
    range: 'month', request: report('1', PYCALDAV_QUERY('<C:calendar-data/>')), memberProps: ['calendar-data'] },
  { name: 'pycaldav-search-expand', client: 'python-caldav', kind: 'query-expand', what: 'calendar-query month, calendar-data/expand (server_expand)', source: 'caldav search.py _build_search_xml_query',
    range: 'month', request: report('1', PYCALDAV_QUERY('<C:calendar-data><C:expand start="{{start}}" end="{{end}}"/></C:calendar-data>')), memberProps: ['calendar-data'] },
];

/** The order the bench runs them in: reads that need the calendar as uploaded, then the writes of the incremental syncs, then queries (whose expected answers do not depend on SEQUENCE). */
export const KIND_ORDER: Kind[] = ['listing', 'initial-sync', 'poll', 'incremental', 'query', 'query-data', 'query-expand'];

export function utcStamp(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/** The variant's range in epoch ms; `end` is Infinity for an open range. `now` is the first day of --month. */
export function rangeOf(kind: RangeKind, month: { start: number; end: number }): { start: number; end: number } {
  if (kind === 'month') return month;
  if (kind === 'since-90-days') return { start: month.start - 90 * 86_400_000, end: Infinity };
  const d = new Date(month.start);
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, d.getUTCDate()), end: Infinity };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Fill { start?: number; end?: number; token?: string; hrefs?: readonly string[] }

/** The body of a shape with its placeholders filled. */
export function renderBody(shape: Shape, fill: Fill): string {
  let body = shape.body;
  if (fill.start !== undefined) body = body.replaceAll('{{start}}', utcStamp(fill.start));
  if (fill.end !== undefined && Number.isFinite(fill.end)) body = body.replaceAll('{{end}}', utcStamp(fill.end));
  if (fill.token !== undefined) body = body.replaceAll('{{token}}', escapeXml(fill.token));
  if (fill.hrefs !== undefined) body = body.replace('{{hrefs}}', () => fill.hrefs!.map((h) => shape.href!.replace('{{href}}', () => escapeXml(h))).join(shape.hrefJoin ?? ''));
  if (body.includes('{{')) throw new Error(`unfilled placeholder in body: ${body.slice(body.indexOf('{{'), body.indexOf('{{') + 20)}`);
  return body;
}
