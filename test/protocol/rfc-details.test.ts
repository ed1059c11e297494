// RFC details real clients and protocol suites met (issue 12 items 3–7): unknown URLs and
// methods, sync-collection's Depth and sync-level, MKCALENDAR's preconditions and defaults,
// collections' getcontentlength, and hrefs of a user whose name needs percent-encoding.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, D, XML_HEADERS, errorConditions, hrefsIn, ical, parseMultistatus, prop, propStatus, propText, propfind, putIcs, syncCollectionBody } from '../helpers/dav.js';

const USER = 'alice';
const HOME = `/dav/calendars/${USER}/`;

interface Ctx { srv: TestServer }
const t = suite<Ctx>('rfc details');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
});
t.after(async (ctx) => { await ctx.srv.close(); });

// --- item 3: unknown URLs are 404, unknown methods 501 with Allow -------------------------------

t('PROPFIND/REPORT on URLs where nothing is served answer 404 (were 501 with an empty Allow, or 400)', async ({ srv }) => {
  for (const [method, path] of [['PROPFIND', '/.well-known/cardav'], ['PROPFIND', '/nothing/here'], ['REPORT', '/nothing'], ['PROPFIND', '/dav/nope/'], ['PROPFIND', '/dav/cards/alice/']] as const) {
    const res = await srv.request(method, path, { user: USER, headers: { Depth: '0' } });
    assert.is(res.status, 404, `${method} ${path} → ${res.status} ${res.text.slice(0, 100)}`);
  }
  // CardDAV (issue 14): the well-known URI redirects like CalDAV's (carddav-core.test.ts).
  assert.is((await srv.request('GET', '/.well-known/carddav', {})).status, 301);
});

t('an unknown method answers 501 with an Allow header, inside and outside /dav/', async ({ srv }) => {
  const dav = await srv.request('LOCK', `${HOME}personal/`, { user: USER });
  assert.is(dav.status, 501);
  const allow = dav.headers.get('allow') ?? '';
  assert.ok(allow.includes('PROPFIND') && allow.includes('DELETE') && !allow.includes('MKCALENDAR'), allow);
  const web = await srv.request('SEARCH', '/somewhere', { user: USER });
  assert.is(web.status, 501);
  assert.ok((web.headers.get('allow') ?? '').includes('GET'), String(web.headers.get('allow')));
  // Allow of OPTIONS comes from the same table: the home takes MKCALENDAR, a calendar does not.
  const home = (await srv.request('OPTIONS', HOME, { user: USER })).headers.get('allow') ?? '';
  assert.ok(home.includes('MKCALENDAR') && !home.includes('PUT'), home);
});

// --- item 4: sync-collection Depth and sync-level -------------------------------------------------

const infinite = (body: string) => body.replace('<d:sync-level>1</d:sync-level>', '<d:sync-level>infinite</d:sync-level>');

t('sync-collection: sync-level infinite on the home is 403 sync-traversal-supported; Depth infinity is 400, Thunderbird\'s Depth 1 is level 1', async ({ srv }) => {
  const home = await srv.request('REPORT', HOME, { user: USER, headers: XML_HEADERS, body: infinite(syncCollectionBody(null)) });
  assert.is(home.status, 403, home.text);
  assert.ok(errorConditions(home.text).includes(D('sync-traversal-supported')), home.text);
  const deep = await srv.request('REPORT', `${HOME}personal/`, { user: USER, headers: { ...XML_HEADERS, Depth: 'infinity' }, body: syncCollectionBody(null) });
  assert.is(deep.status, 400, deep.text);
  const tb = await srv.request('REPORT', `${HOME}personal/`, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: syncCollectionBody(null) });
  assert.is(tb.status, 207, tb.text);
  // A calendar has no sub-collections: infinite is level 1 there, and Depth 0 is fine.
  const cal = await srv.request('REPORT', `${HOME}personal/`, { user: USER, headers: { ...XML_HEADERS, Depth: '0' }, body: infinite(syncCollectionBody(null)) });
  assert.is(cal.status, 207, cal.text);
});

// --- item 5: MKCALENDAR, MKCOL, getcontentlength ----------------------------------------------------

t('MKCALENDAR on an existing URL is 403 resource-must-be-null (was 405)', async ({ srv }) => {
  for (const path of [`${HOME}personal/`, HOME]) {
    const res = await srv.request('MKCALENDAR', path, { user: USER });
    assert.is(res.status, 403, `${path}: ${res.text}`);
    assert.ok(errorConditions(res.text).includes(D('resource-must-be-null')), res.text);
  }
});

t('MKCALENDAR setting a protected property: 207 mkcalendar-response per property, nothing created', async ({ srv }) => {
  const body = `<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Nope</d:displayname><d:getetag>"x"</d:getetag></d:prop></d:set></c:mkcalendar>`;
  const res = await srv.request('MKCALENDAR', `${HOME}protected/`, { user: USER, headers: XML_HEADERS, body });
  assert.is(res.status, 207, res.text);
  assert.match(res.text, /mkcalendar-response/);
  assert.match(res.text, /<d:getetag\/>\s*<\/d:prop>\s*<d:status>HTTP\/1\.1 403/);
  assert.match(res.text, /<d:displayname\/>\s*<\/d:prop>\s*<d:status>HTTP\/1\.1 424/);
  assert.is((await srv.request('PROPFIND', `${HOME}protected/`, { user: USER, headers: { Depth: '0' } })).status, 404);
});

t('MKCOL and MKCALENDAR under a principal are 403 (were 404)', async ({ srv }) => {
  for (const method of ['MKCOL', 'MKCALENDAR']) {
    const res = await srv.request(method, `/dav/principals/${USER}/x/`, { user: USER });
    assert.is(res.status, 403, `${method}: ${res.text}`);
  }
  assert.is((await srv.request('PROPFIND', `/dav/principals/${USER}/x/`, { user: USER, headers: { Depth: '0' } })).status, 404, 'reading there is still 404');
});

t('collections have a getcontentlength equal to the Content-Length of their GET', async ({ srv }) => {
  assert.is((await srv.request('MKCOL', `${HOME}files/`, { user: USER })).status, 201);
  for (const path of [HOME, `${HOME}files/`, `/dav/principals/${USER}/`, '/dav/']) {
    const get = await srv.request('GET', path, { user: USER });
    assert.is(get.status, 200, path);
    const ms = await propfind(srv, USER, path, '0', [D('getcontentlength')]);
    assert.is(propText(ms.responses[0], D('getcontentlength')), get.headers.get('content-length') ?? undefined, path);
  }
});

// --- item 6: default components ---------------------------------------------------------------------

t('a plain MKCALENDAR takes VEVENT, VTODO and VJOURNAL; a requested set is kept exactly', async ({ srv }) => {
  assert.is((await srv.request('MKCALENDAR', `${HOME}journal/`, { user: USER })).status, 201);
  const comps = (path: string) => propfind(srv, USER, path, '0', [C('supported-calendar-component-set')])
    .then((ms) => prop(ms.responses[0], C('supported-calendar-component-set'))!.children.map((c) => c.attrs.name));
  assert.equal(await comps(`${HOME}journal/`), ['VEVENT', 'VTODO', 'VJOURNAL']);
  const put = await putIcs(srv, USER, `${HOME}journal/j.ics`, ical('journal-1', { component: 'VJOURNAL' }));
  assert.is(put.status, 201, put.text);
  const body = `<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>`;
  assert.is((await srv.request('MKCALENDAR', `${HOME}events/`, { user: USER, headers: XML_HEADERS, body })).status, 201);
  assert.equal(await comps(`${HOME}events/`), ['VEVENT']);
});

// --- item 7: one URL module, hrefs consistent for any user name ---------------------------------------

t('hrefs of a user named with "@", a space and non-ASCII agree and can be followed', async ({ srv }) => {
  const name = 'bob smith@exämple.com';
  await srv.addUser(name);
  const principal = `/dav/principals/${name}/`;
  const home = `/dav/calendars/${name}/`;
  const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  const ms = await propfind(srv, name, enc(principal), '0', [D('principal-URL'), D('current-user-principal'), C('calendar-user-address-set'), C('calendar-home-set'), D('owner')]);
  const r = ms.responses[0]!;
  assert.is(r.href, principal);
  assert.equal(hrefsIn(prop(r, D('principal-URL'))), [principal]);
  assert.equal(hrefsIn(prop(r, D('current-user-principal'))), [principal]);
  assert.equal(hrefsIn(prop(r, D('owner'))), [principal]);
  assert.equal(hrefsIn(prop(r, C('calendar-home-set'))), [home]);
  // The regression: the principal in calendar-user-address-set was bob%2540… (encoded twice).
  const addresses = hrefsIn(prop(r, C('calendar-user-address-set')));
  assert.ok(addresses.includes(principal), JSON.stringify(addresses));
  assert.ok(addresses.some((a) => a.startsWith('mailto:')), JSON.stringify(addresses));
  // Every href in the home listing, sent back exactly as written, reaches the resource.
  const listing = await srv.request('PROPFIND', enc(home), { user: name, headers: { Depth: '1', ...XML_HEADERS }, body: '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>' });
  const raw = [...listing.text.matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((m) => m[1]!);
  assert.ok(raw.length >= 2, listing.text);
  for (const href of raw) {
    const again = await srv.request('PROPFIND', href, { user: name, headers: { Depth: '0' } });
    assert.is(again.status, 207, `${href} → ${again.status}`);
    assert.is(parseMultistatus(again.text).responses[0]!.href, decodeURIComponent(href));
  }
  assert.is(propStatus(parseMultistatus(listing.text).responses[0]!, D('resourcetype')), 200);
});

t.run();
