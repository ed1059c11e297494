// CalDAV core behaviour (issue 3) checked directly at the HTTP level, one test per rule, so that a
// regression shows up in `npm test` and not only in litmus or a client transcript: discovery,
// PROPFIND forms, atomic PROPPATCH and dead properties, MKCALENDAR / extended MKCOL with initial
// properties, conditional PUT/GET/DELETE, COPY/MOVE between calendars, and multiget selection.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { textOf } from '../../src/xml/parse.js';
import {
  C, CS, D, ICAL, XML_HEADERS, descendantNames, errorConditions, hrefsIn, ical, multigetBody, parseMultistatus, prop,
  propStatus, propText, propfind, putOk, syncTokenOf,
} from '../helpers/dav.js';

const t = suite<{ srv: TestServer }>('caldav core');

const USER = 'carol';
const HOME = `/dav/calendars/${USER}/`;
const CAL = `${HOME}personal/`;
const PRINCIPAL = `/dav/principals/${USER}/`;

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
});
t.after(async (ctx) => { await ctx.srv.close(); });

const req = (srv: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  srv.request(method, path, { user: USER, headers, ...(body === undefined ? {} : { body }) });

// ---------------------------------------------------------------------------------------------
// Discovery (RFC 6764 §5, RFC 4791 §6.2.1, RFC 5397)

t('/.well-known/caldav redirects GET and PROPFIND to /dav/ with 301', async ({ srv }) => {
  for (const method of ['GET', 'PROPFIND']) {
    const res = await req(srv, method, '/.well-known/caldav', { Depth: '0' });
    assert.is(res.status, 301, method);
    assert.match(res.headers.get('location') ?? '', /\/dav\/$/, method);
  }
});

t('the principal gives calendar-home-set, calendar-user-address-set, principal-URL and displayname', async ({ srv }) => {
  const ms = await propfind(srv, USER, PRINCIPAL, '0', [C('calendar-home-set'), C('calendar-user-address-set'), D('principal-URL'), D('displayname')]);
  const r = ms.responses[0];
  assert.equal(hrefsIn(prop(r, C('calendar-home-set'))), [HOME]);
  assert.equal(hrefsIn(prop(r, D('principal-URL'))), [PRINCIPAL]);
  assert.ok(hrefsIn(prop(r, C('calendar-user-address-set'))).length >= 1, 'at least one calendar user address');
  assert.ok(propText(r, D('displayname')), 'a displayname');
});

t('OPTIONS on DAV paths advertises the DAV classes and calendar-access, and an Allow list', async ({ srv }) => {
  for (const path of ['/dav/', PRINCIPAL, HOME, CAL]) {
    const res = await req(srv, 'OPTIONS', path);
    assert.ok(res.status === 200 || res.status === 204, `${path} → ${res.status}`);
    const dav = res.headers.get('dav') ?? '';
    for (const token of ['1', '3', 'calendar-access']) assert.ok(dav.split(/\s*,\s*/).includes(token), `${path}: DAV has ${token}: ${dav}`);
    assert.match(res.headers.get('allow') ?? '', /PROPFIND/, path);
  }
});

t('Allow depends on the kind of resource (RFC 4918 §10.1): what exists cannot be made again', async ({ srv }) => {
  await putOk(srv, USER, `${CAL}allow.ics`, ical('allow@test'));
  const allow = async (path: string) => ((await req(srv, 'OPTIONS', path)).headers.get('allow') ?? '').split(/\s*,\s*/);
  const home = await allow(HOME);
  assert.ok(home.includes('MKCALENDAR') && !home.includes('PUT'), `home: ${home}`);
  const cal = await allow(CAL);
  assert.ok(cal.includes('REPORT') && cal.includes('DELETE') && !cal.includes('MKCALENDAR') && !cal.includes('PUT'), `calendar: ${cal}`);
  const obj = await allow(`${CAL}allow.ics`);
  assert.ok(obj.includes('PUT') && obj.includes('DELETE') && !obj.includes('MKCOL'), `object: ${obj}`);
  const missing = await allow(`${CAL}nothing-here.ics`);
  assert.ok(missing.includes('PUT') && !missing.includes('DELETE'), `missing: ${missing}`);
});

// ---------------------------------------------------------------------------------------------
// PROPFIND forms (RFC 4918 §9.1, RFC 8144)

t('every registered calendar property is answered 200 on a calendar', async ({ srv }) => {
  const names = [
    D('resourcetype'), D('displayname'), D('sync-token'), CS('getctag'), D('owner'), D('current-user-principal'),
    D('current-user-privilege-set'), D('supported-report-set'), C('supported-calendar-component-set'),
    C('supported-calendar-data'), C('max-resource-size'), ICAL('calendar-color'), ICAL('calendar-order'),
  ];
  // The Apple properties have no value until a client sets one (then 404, like any unset property).
  const set = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><a:calendar-color>#336699FF</a:calendar-color><a:calendar-order>3</a:calendar-order></d:prop></d:set></d:propertyupdate>`;
  assert.is((await req(srv, 'PROPPATCH', CAL, XML_HEADERS, set)).status, 207);
  const r = (await propfind(srv, USER, CAL, '0', names)).responses[0]!;
  for (const n of names) assert.is(propStatus(r, n), 200, n);
  assert.match(propText(r, ICAL('calendar-color')) ?? '', /^#336699/i);
  assert.is(propText(r, ICAL('calendar-order')), '3');
  const types = descendantNames(prop(r, D('resourcetype')));
  assert.ok(types.includes(D('collection')) && types.includes(C('calendar')), types.join());
  const reports = descendantNames(prop(r, D('supported-report-set')));
  for (const rep of [C('calendar-multiget'), C('calendar-query'), D('sync-collection')]) assert.ok(reports.includes(rep), rep);
});

t('an unknown property is a 404 propstat in the same response; Prefer: return=minimal drops it', async ({ srv }) => {
  const names = [D('displayname'), '{urn:example:nope}missing'];
  const full = (await propfind(srv, USER, CAL, '0', names)).responses[0]!;
  assert.is(propStatus(full, D('displayname')), 200);
  assert.is(propStatus(full, '{urn:example:nope}missing'), 404);
  const minimal = (await propfind(srv, USER, CAL, '0', names, { Prefer: 'return=minimal' })).responses[0]!;
  assert.is(propStatus(minimal, D('displayname')), 200);
  assert.is(propStatus(minimal, '{urn:example:nope}missing'), undefined, 'no 404 propstat under return=minimal');
});

t('allprop with include adds the included property; propname lists names without values', async ({ srv }) => {
  const allprop = `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:allprop/><d:include><c:supported-calendar-component-set/></d:include></d:propfind>`;
  const res = await req(srv, 'PROPFIND', CAL, { Depth: '0', ...XML_HEADERS }, allprop);
  assert.is(res.status, 207);
  const r = parseMultistatus(res.text).responses[0]!;
  assert.is(propStatus(r, D('displayname')), 200);
  assert.is(propStatus(r, C('supported-calendar-component-set')), 200, 'the include is answered');
  const names = await req(srv, 'PROPFIND', CAL, { Depth: '0', ...XML_HEADERS }, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>');
  assert.is(names.status, 207);
  const n = parseMultistatus(names.text).responses[0]!;
  const dn = prop(n, D('displayname'));
  assert.ok(dn, 'displayname is listed');
  assert.is(dn!.children.length, 0);
  assert.not.match(names.text, /Personal/, 'no values in a propname answer');
});

// ---------------------------------------------------------------------------------------------
// PROPPATCH (RFC 4918 §9.2) and dead properties

const proppatch = (set: string, remove = '') =>
  `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example:sundial-test">${set ? `<d:set><d:prop>${set}</d:prop></d:set>` : ''}${remove ? `<d:remove><d:prop>${remove}</d:prop></d:remove>` : ''}</d:propertyupdate>`;

t('PROPPATCH is all or nothing: a protected property fails 403 and the rest 424, nothing changes', async ({ srv }) => {
  const before = await syncTokenOf(srv, USER, CAL);
  const res = await req(srv, 'PROPPATCH', CAL, XML_HEADERS, proppatch('<d:displayname>Renamed</d:displayname><d:getetag>"x"</d:getetag><x:note>kept?</x:note>'));
  assert.is(res.status, 207);
  const r = parseMultistatus(res.text).responses[0]!;
  assert.is(propStatus(r, D('getetag')), 403);
  assert.is(propStatus(r, D('displayname')), 424);
  assert.is(propStatus(r, '{urn:example:sundial-test}note'), 424);
  const after = (await propfind(srv, USER, CAL, '0', [D('displayname'), '{urn:example:sundial-test}note'])).responses[0]!;
  assert.is(propText(after, D('displayname')), 'Personal');
  assert.is(propStatus(after, '{urn:example:sundial-test}note'), 404);
  assert.is(await syncTokenOf(srv, USER, CAL), before, 'the token did not move');
});

t('dead properties keep their namespace and XML content, and can be removed', async ({ srv }) => {
  const value = '<x:note xmlns:y="urn:example:inner">plain <y:b attr="1">bold</y:b> &amp; more</x:note>';
  const res = await req(srv, 'PROPPATCH', CAL, XML_HEADERS, proppatch(value));
  assert.is(res.status, 207);
  assert.is(propStatus(parseMultistatus(res.text).responses[0]!, '{urn:example:sundial-test}note'), 200);
  const got = prop((await propfind(srv, USER, CAL, '0', ['{urn:example:sundial-test}note'])).responses[0], '{urn:example:sundial-test}note');
  assert.ok(got, 'stored');
  const inner = got!.children.find((c) => c.name === '{urn:example:inner}b');
  assert.ok(inner, 'the child element keeps its own namespace');
  assert.is(inner!.attrs['attr'], '1');
  const removed = await req(srv, 'PROPPATCH', CAL, XML_HEADERS, proppatch('', '<x:note/>'));
  assert.is(removed.status, 207);
  const gone = (await propfind(srv, USER, CAL, '0', ['{urn:example:sundial-test}note'])).responses[0]!;
  assert.is(propStatus(gone, '{urn:example:sundial-test}note'), 404);
});

// ---------------------------------------------------------------------------------------------
// MKCALENDAR and extended MKCOL (RFC 4791 §5.3.1, RFC 5689)

t('MKCALENDAR with initial properties; the component set is enforced on PUT', async ({ srv }) => {
  const body = `<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop>
    <d:displayname>Tasks</d:displayname><a:calendar-color>#FF8800FF</a:calendar-color>
    <c:calendar-description>Things to do</c:calendar-description>
    <c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>`;
  assert.is((await req(srv, 'MKCALENDAR', `${HOME}tasks/`, XML_HEADERS, body)).status, 201);
  const r = (await propfind(srv, USER, `${HOME}tasks/`, '0', [D('displayname'), ICAL('calendar-color'), C('calendar-description'), C('supported-calendar-component-set')])).responses[0]!;
  assert.is(propText(r, D('displayname')), 'Tasks');
  assert.match(propText(r, ICAL('calendar-color')) ?? '', /^#FF8800/i);
  assert.is(propText(r, C('calendar-description')), 'Things to do');
  const comps = prop(r, C('supported-calendar-component-set'))!.children.map((c) => Object.values(c.attrs)[0]);
  assert.equal(comps, ['VTODO']);
  const ev = await srv.request('PUT', `${HOME}tasks/e.ics`, { user: USER, headers: { 'Content-Type': 'text/calendar' }, body: ical('e@test') });
  assert.is(ev.status, 403);
  assert.ok(errorConditions(ev.text).includes(C('supported-calendar-component')), ev.text);
  await putOk(srv, USER, `${HOME}tasks/t.ics`, ical('t@test', { component: 'VTODO' }));
  const again = await req(srv, 'MKCALENDAR', `${HOME}tasks/`, XML_HEADERS, body);
  assert.is(again.status, 403, 'MKCALENDAR on an existing URL is 403 (RFC 4791 §5.3.1)');
  assert.ok(errorConditions(again.text).includes(D('resource-must-be-null')), again.text);
});

t('extended MKCOL creates a calendar with its properties', async ({ srv }) => {
  const body = `<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
    <d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname></d:prop></d:set></d:mkcol>`;
  assert.is((await req(srv, 'MKCOL', `${HOME}work/`, XML_HEADERS, body)).status, 201);
  const r = (await propfind(srv, USER, `${HOME}work/`, '0', [D('resourcetype'), D('displayname')])).responses[0]!;
  assert.ok(descendantNames(prop(r, D('resourcetype'))).includes(C('calendar')));
  assert.is(propText(r, D('displayname')), 'Work');
});

t('extended MKCOL with a resourcetype Sundial cannot create is 403 valid-resourcetype, nothing made', async ({ srv }) => {
  // (An address book is one Sundial creates now, in the address-book home: carddav-core.test.ts.)
  const body = `<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:r="urn:example:other"><d:set><d:prop>
    <d:resourcetype><d:collection/><r:scrapbook/></d:resourcetype></d:prop></d:set></d:mkcol>`;
  const res = await req(srv, 'MKCOL', `${HOME}contacts/`, XML_HEADERS, body);
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes(D('valid-resourcetype')), res.text);
  assert.is((await req(srv, 'PROPFIND', `${HOME}contacts/`, { Depth: '0' })).status, 404);
});

// ---------------------------------------------------------------------------------------------
// Objects: strong ETags, conditional requests, Last-Modified (RFC 4918 §8.6, RFC 9110 §13, RFC 4791 §5.3.4)

t('PUT, GET and HEAD: strong ETag, Last-Modified, the same bytes back, HEAD without body', async ({ srv }) => {
  const body = ical('obj1@test', { summary: 'Dentist' });
  const put = await req(srv, 'PUT', `${CAL}obj1.ics`, { 'Content-Type': 'text/calendar' }, body);
  assert.is(put.status, 201);
  const etag = put.headers.get('etag') ?? '';
  assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
  const get = await req(srv, 'GET', `${CAL}obj1.ics`);
  assert.is(get.status, 200);
  assert.is(get.text, body);
  assert.is(get.headers.get('etag'), etag);
  assert.match(get.headers.get('content-type') ?? '', /^text\/calendar/);
  assert.ok(!Number.isNaN(Date.parse(get.headers.get('last-modified') ?? '')), 'Last-Modified is an HTTP date');
  const head = await req(srv, 'HEAD', `${CAL}obj1.ics`);
  assert.is(head.status, 200);
  assert.is(head.text, '');
  assert.is(head.headers.get('etag'), etag);
  assert.is((await req(srv, 'GET', `${CAL}obj1.ics`, { 'If-None-Match': etag })).status, 304);
  const lastModified = get.headers.get('last-modified')!;
  assert.is((await req(srv, 'GET', `${CAL}obj1.ics`, { 'If-Modified-Since': lastModified })).status, 304);
  const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
  assert.is((await req(srv, 'GET', `${CAL}obj1.ics`, { 'If-Modified-Since': earlier })).status, 200);
});

t('If-None-Match: * refuses to overwrite; a stale If-Match refuses PUT and DELETE; nothing changes', async ({ srv }) => {
  const path = `${CAL}obj2.ics`;
  const etag = await putOk(srv, USER, path, ical('obj2@test', { summary: 'v1' }));
  const token = await syncTokenOf(srv, USER, CAL);
  assert.is((await req(srv, 'PUT', path, { 'Content-Type': 'text/calendar', 'If-None-Match': '*' }, ical('obj2@test', { summary: 'v2' }))).status, 412);
  assert.is((await req(srv, 'PUT', path, { 'Content-Type': 'text/calendar', 'If-Match': '"stale"' }, ical('obj2@test', { summary: 'v2' }))).status, 412);
  assert.is((await req(srv, 'DELETE', path, { 'If-Match': '"stale"' })).status, 412);
  assert.match((await req(srv, 'GET', path)).text, /SUMMARY:v1/);
  assert.is(await syncTokenOf(srv, USER, CAL), token);
  const ok = await req(srv, 'PUT', path, { 'Content-Type': 'text/calendar', 'If-Match': etag }, ical('obj2@test', { summary: 'v2' }));
  assert.is(ok.status, 204);
  assert.is.not(ok.headers.get('etag'), etag, 'a new ETag');
  assert.is((await req(srv, 'DELETE', path, { 'If-Match': ok.headers.get('etag')! })).status, 204);
  assert.is((await req(srv, 'GET', path)).status, 404);
});

t('GET of a calendar is one VCALENDAR holding every event once', async ({ srv }) => {
  await putOk(srv, USER, `${CAL}a.ics`, ical('whole-a@test'));
  await putOk(srv, USER, `${CAL}b.ics`, ical('whole-b@test'));
  const res = await req(srv, 'GET', CAL);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/calendar/);
  assert.is(res.text.match(/BEGIN:VCALENDAR/g)?.length, 1);
  for (const uid of ['whole-a@test', 'whole-b@test']) assert.is(res.text.split(`UID:${uid}`).length - 1, 1, uid);
});

// ---------------------------------------------------------------------------------------------
// COPY and MOVE (RFC 4918 §9.8, §9.9)

t('MOVE of an event to another calendar moves it and changes both sync tokens', async ({ srv }) => {
  await putOk(srv, USER, `${CAL}mv.ics`, ical('mv@test'));
  const [srcToken, dstToken] = [await syncTokenOf(srv, USER, CAL), await syncTokenOf(srv, USER, `${HOME}work/`)];
  const res = await req(srv, 'MOVE', `${CAL}mv.ics`, { Destination: `${srv.url}${HOME}work/mv.ics` });
  assert.is(res.status, 201);
  assert.is((await req(srv, 'GET', `${CAL}mv.ics`)).status, 404);
  assert.match((await req(srv, 'GET', `${HOME}work/mv.ics`)).text, /UID:mv@test/);
  assert.is.not(await syncTokenOf(srv, USER, CAL), srcToken);
  assert.is.not(await syncTokenOf(srv, USER, `${HOME}work/`), dstToken);
});

t('COPY with Overwrite: F onto an existing event is 412 and changes nothing', async ({ srv }) => {
  await putOk(srv, USER, `${CAL}c1.ics`, ical('c1@test', { summary: 'one' }));
  await putOk(srv, USER, `${HOME}work/c1.ics`, ical('c1w@test', { summary: 'other' }));
  const res = await req(srv, 'COPY', `${CAL}c1.ics`, { Destination: `${HOME}work/c1.ics`, Overwrite: 'F' });
  assert.is(res.status, 412);
  assert.match((await req(srv, 'GET', `${HOME}work/c1.ics`)).text, /SUMMARY:other/);
  const over = await req(srv, 'COPY', `${CAL}c1.ics`, { Destination: `${HOME}work/c1-copy.ics` });
  assert.is(over.status, 201);
  assert.match((await req(srv, 'GET', `${CAL}c1.ics`)).text, /SUMMARY:one/, 'the source stays');
});

t('COPY of a VEVENT into a VTODO-only calendar is refused with supported-calendar-component', async ({ srv }) => {
  const res = await req(srv, 'COPY', `${CAL}c1.ics`, { Destination: `${HOME}tasks/c1.ics` });
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes(C('supported-calendar-component')), res.text);
  assert.is((await req(srv, 'GET', `${HOME}tasks/c1.ics`)).status, 404);
});

// ---------------------------------------------------------------------------------------------
// calendar-multiget (RFC 4791 §7.9, §9.6)

t('multiget: unknown hrefs are 404 responses; calendar-data can select components and properties', async ({ srv }) => {
  await putOk(srv, USER, `${CAL}sel.ics`, ical('sel@test', { summary: 'Secret', extra: ['LOCATION:Room 1'] }));
  const body = `<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>
    <c:calendar-data><c:comp name="VCALENDAR"><c:prop name="VERSION"/><c:comp name="VEVENT"><c:prop name="UID"/><c:prop name="DTSTART"/></c:comp></c:comp></c:calendar-data>
    </d:prop><d:href>${CAL}sel.ics</d:href><d:href>${CAL}missing.ics</d:href></c:calendar-multiget>`;
  const res = await req(srv, 'REPORT', CAL, { Depth: '1', ...XML_HEADERS }, body);
  assert.is(res.status, 207);
  const ms = parseMultistatus(res.text);
  const missing = ms.responses.find((r) => r.href === `${CAL}missing.ics`);
  assert.is(missing?.status ?? missing?.propstats[0]?.status, 404);
  const data = propText(ms.responses.find((r) => r.href === `${CAL}sel.ics`), C('calendar-data')) ?? '';
  assert.match(data, /UID:sel@test/);
  assert.match(data, /DTSTART:/);
  assert.not.match(data, /SUMMARY|LOCATION|DTEND/, 'properties not asked for are left out');
  // Without selection the stored bytes come back.
  const plain = await req(srv, 'REPORT', CAL, { Depth: '1', ...XML_HEADERS }, multigetBody([`${CAL}sel.ics`]));
  assert.match(propText(parseMultistatus(plain.text).responses[0], C('calendar-data')) ?? '', /LOCATION:Room 1/);
});

t('multiget of getetag + calendar-data: the narrow read answers exactly what the general path does', async ({ srv }) => {
  // Hrefs all inside the addressed calendar take the three-column read rendered straight to
  // text; one href elsewhere sends the same request through the general path. Both must agree,
  // byte for byte, for every response they share — whatever the order of the properties.
  const body = ical('unicode@test', { summary: 'Réunion <équipe> & 🎉' });
  const etag = await putOk(srv, USER, `${CAL}unicode.ics`, body);
  const hrefs = [`${CAL}unicode.ics`, `${CAL}sel.ics`, `${CAL}nope.ics`, `${CAL}unicode.ics`];
  const elsewhere = `/dav/calendars/${USER}/elsewhere-that-does-not-exist/x.ics`;
  for (const props of ['<d:getetag/><c:calendar-data/>', '<c:calendar-data/><d:getetag/><d:resourcetype/>']) {
    const mk = (list: string[]) => `<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${props}</d:prop>${list.map((h) => `<d:href>${h}</d:href>`).join('')}</c:calendar-multiget>`;
    const narrow = await req(srv, 'REPORT', CAL, { Depth: '1', ...XML_HEADERS }, mk(hrefs));
    const general = await req(srv, 'REPORT', CAL, { Depth: '1', ...XML_HEADERS }, mk([...hrefs, elsewhere]));
    assert.is(narrow.status, 207);
    assert.is(general.status, 207);
    const responses = (text: string) => [...text.matchAll(/<d:response>[\s\S]*?<\/d:response>/g)].map((m) => m[0]);
    // The repeated href is answered once (issue 11: repeats must not multiply the answer).
    assert.equal(responses(narrow.text), responses(general.text).slice(0, new Set(hrefs).size), props);
    assert.is(responses(narrow.text).length, new Set(hrefs).size);
    const first = parseMultistatus(narrow.text).responses[0]!;
    assert.is(propText(first, D('getetag')), etag);
    assert.is(textOf(prop(first, C('calendar-data'))!), body, 'the stored bytes, CRLF and all');
  }
});

t.run();
