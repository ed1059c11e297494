// Bad input (SPEC "Limits and bad input"): every bad request gets a clear 4xx with the DAV error
// element where one exists, never a 500, and nothing stored changes — checked through the sync
// tokens of the calendar and of the home, which move with every write. Limits are set small in
// the test server's environment (SUNDIAL_MAX_XML_SIZE, SUNDIAL_MAX_RESOURCE_SIZE).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer, type TestResponse } from '../helpers/server.js';
import { C, D, describe, errorConditions, errorElement, hrefsIn, ical, multigetBody, propfindBody, putIcs, putOk, rawRequest, syncCollectionBody, syncTokenOf, XML_HEADERS } from '../helpers/dav.js';

const USER = 'alice';
const HOME = `/dav/calendars/${USER}/`;
const CAL = `${HOME}personal/`;
const OBJ = `${CAL}existing.ics`;
const MAX_XML = 4096;
const MAX_RESOURCE = 2048;

interface Ctx { srv: TestServer; problems: string[] }
const t = suite<Ctx>('bad input');

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_MAX_XML_SIZE: String(MAX_XML), SUNDIAL_MAX_RESOURCE_SIZE: String(MAX_RESOURCE) });
  await ctx.srv.addUser(USER);
  await putOk(ctx.srv, USER, OBJ, ical('existing-uid', { summary: 'Existing' }));
  ctx.problems = [];
});
t.after(async (ctx) => { await ctx.srv.close(); });

interface Case {
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  raw?: boolean; // send the path byte for byte
  status: number[];
  condition?: string; // Clark name expected inside <d:error>
}

async function state(srv: TestServer): Promise<string> {
  const cal = await syncTokenOf(srv, USER, CAL);
  const home = await syncTokenOf(srv, USER, HOME);
  const obj = await srv.request('GET', OBJ, { user: USER });
  return `${cal} ${home} ${obj.headers.get('etag')}`;
}

/** Runs a case; problems are collected so one test reports every bad answer at once. */
async function run(ctx: Ctx, c: Case): Promise<TestResponse> {
  const before = await state(ctx.srv);
  const opts = { user: USER, ...(c.headers ? { headers: c.headers } : {}), ...(c.body !== undefined ? { body: c.body } : {}) };
  const res = c.raw ? await rawRequest(ctx.srv, c.method, c.path, opts) : await ctx.srv.request(c.method, c.path, opts);
  const out: string[] = [];
  if (!c.status.includes(res.status)) out.push(`status ${res.status}, expected ${c.status.join('/')}`);
  if (res.status >= 500 && !c.status.includes(res.status)) out.push('a 5xx is never a right answer to bad input');
  if (c.condition && !errorConditions(res.text).includes(c.condition)) out.push(`missing <${c.condition}> in the error body`);
  const after = await state(ctx.srv);
  if (after !== before) out.push(`stored state changed: ${before} → ${after}`);
  if (out.length) ctx.problems.push(`${c.label}: ${c.method} ${c.path}\n      ${out.join('\n      ')}\n      ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  return res;
}

async function runAll(ctx: Ctx, cases: Case[]): Promise<void> {
  ctx.problems = [];
  for (const c of cases) await run(ctx, c);
  assert.equal(ctx.problems, [], `\n${ctx.problems.join('\n')}\n`);
}

const MALFORMED = [
  ['unclosed element', '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>'],
  ['mismatched tags', '<d:propfind xmlns:d="DAV:"><d:prop></d:propfind></d:prop>'],
  ['undeclared prefix', '<x:propfind><x:prop/></x:propfind>'],
  ['not XML at all', 'this is not xml {"json": true}'],
  ['two roots', '<d:a xmlns:d="DAV:"/><d:b xmlns:d="DAV:"/>'],
  ['bare ampersand', '<d:propfind xmlns:d="DAV:"><d:prop>&</d:prop></d:propfind>'],
  ['undefined entity', '<d:propfind xmlns:d="DAV:"><d:prop>&nbsp;</d:prop></d:propfind>'],
  ['control character', '<d:propfind xmlns:d="DAV:"><d:prop>\u0001</d:prop></d:propfind>'],
  ['truncated UTF-8 declaration', '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:pr'],
];

const DOCTYPES = [
  ['billion laughs', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&lol2;</d:displayname></d:prop></d:propfind>'],
  ['external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&xxe;</d:displayname></d:prop></d:propfind>'],
  ['plain DOCTYPE', '<?xml version="1.0"?><!DOCTYPE propfind SYSTEM "http://example.com/x.dtd"><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>'],
];

const deep = (n: number) => `<d:propfind xmlns:d="DAV:"><d:prop>${'<x:a xmlns:x="urn:x">'.repeat(n)}${'</x:a>'.repeat(n)}</d:prop></d:propfind>`;

// Which XML-taking methods to try each bad body on, and where.
const XML_METHODS: Array<{ method: string; path: string; headers?: Record<string, string> }> = [
  { method: 'PROPFIND', path: CAL, headers: { Depth: '0' } },
  { method: 'PROPPATCH', path: CAL },
  { method: 'PROPPATCH', path: OBJ },
  { method: 'REPORT', path: CAL, headers: { Depth: '1' } },
  { method: 'MKCALENDAR', path: `${HOME}new-cal/` },
];

t('malformed XML bodies are 400 for PROPFIND, PROPPATCH, REPORT and MKCALENDAR; nothing changes', async (ctx) => {
  const cases: Case[] = [];
  for (const [name, body] of MALFORMED) {
    for (const m of XML_METHODS) cases.push({ label: `malformed XML (${name})`, method: m.method, path: m.path, headers: { ...XML_HEADERS, ...(m.headers ?? {}) }, body: body!, status: [400] });
  }
  // Well-formed but the wrong document for the method (RFC 4918 §8.3): 400 too (403 supported-report for REPORT).
  cases.push({ label: 'PROPFIND with a propertyupdate body', method: 'PROPFIND', path: CAL, headers: { ...XML_HEADERS, Depth: '0' }, body: '<d:propertyupdate xmlns:d="DAV:"/>', status: [400] });
  cases.push({ label: 'PROPPATCH with a propfind body', method: 'PROPPATCH', path: CAL, headers: XML_HEADERS, body: '<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>', status: [400] });
  cases.push({ label: 'REPORT of an unknown report', method: 'REPORT', path: CAL, headers: XML_HEADERS, body: '<x:nonsense xmlns:x="urn:x"/>', status: [403], condition: D('supported-report') });
  cases.push({ label: 'REPORT without a body', method: 'REPORT', path: CAL, headers: XML_HEADERS, status: [400] });
  cases.push({ label: 'MKCALENDAR with a propfind body', method: 'MKCALENDAR', path: `${HOME}new-cal/`, headers: XML_HEADERS, body: '<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>', status: [400, 415] });
  cases.push({ label: 'PROPPATCH with an empty propertyupdate', method: 'PROPPATCH', path: CAL, headers: XML_HEADERS, body: '', status: [400] });
  cases.push({ label: 'sync-collection with an invalid sync-level', method: 'REPORT', path: CAL, headers: XML_HEADERS, body: '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>7</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>', status: [400] });
  cases.push({ label: 'sync-collection with nresults=0', method: 'REPORT', path: CAL, headers: XML_HEADERS, body: syncCollectionBody(null, [D('getetag')], 0), status: [400] });
  cases.push({ label: 'sync-collection with nresults=-5', method: 'REPORT', path: CAL, headers: XML_HEADERS, body: syncCollectionBody(null, [D('getetag')], -5), status: [400] });
  cases.push({ label: 'calendar-query with a time-range that is not UTC', method: 'REPORT', path: CAL, headers: { ...XML_HEADERS, Depth: '1' }, body: '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="tomorrow"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>', status: [400, 403] });
  await runAll(ctx, cases);
  assert.is((await ctx.srv.request('PROPFIND', `${HOME}new-cal/`, { user: USER, headers: { Depth: '0' } })).status, 404, 'no calendar was created by a refused MKCALENDAR');
});

t('XML with a DOCTYPE or entity declarations is 400 (no entity expansion, no external entities)', async (ctx) => {
  const cases: Case[] = [];
  for (const [name, body] of DOCTYPES) {
    for (const m of XML_METHODS) cases.push({ label: `DOCTYPE (${name})`, method: m.method, path: m.path, headers: { ...XML_HEADERS, ...(m.headers ?? {}) }, body: body!, status: [400] });
  }
  await runAll(ctx, cases);
});

t('XML nested 10,000 deep is 400, quickly (on a server with the default XML size limit)', async (ctx) => {
  // 10,000 levels (270 kB) are over this file's small XML limit, so they are sent to a second
  // server with the default 1 MB limit, where the depth limit itself has to refuse them.
  const other = await startTestServer();
  try {
    await other.addUser(USER);
    await putOk(other, USER, OBJ, ical('existing-uid'));
    const token = await syncTokenOf(other, USER, CAL);
    const started = Date.now();
    for (const m of XML_METHODS) {
      const res = await other.request(m.method, m.path, { user: USER, headers: { ...XML_HEADERS, ...(m.headers ?? {}) }, body: deep(10_000) });
      assert.is(res.status, 400, describe(m.method + ' (10,000 deep)', m.path, res));
    }
    assert.ok(Date.now() - started < 10_000, 'answered without grinding');
    assert.is(await syncTokenOf(other, USER, CAL), token, 'nothing stored');
    assert.is((await other.request('PROPFIND', `${HOME}new-cal/`, { user: USER, headers: { Depth: '0' } })).status, 404);
  } finally {
    await other.close();
  }
  // On this server: 130 levels fit under the size limit and are refused for their depth.
  await runAll(ctx, XML_METHODS.map((m) => ({ label: 'XML nested 130 deep (under the size limit)', method: m.method, path: m.path, headers: { ...XML_HEADERS, ...(m.headers ?? {}) }, body: deep(130), status: [400] })));
});

t('an XML body over SUNDIAL_MAX_XML_SIZE is 413, declared or streamed', async (ctx) => {
  const big = `<d:propfind xmlns:d="DAV:"><d:prop>${'<d:getetag/>'.repeat(Math.ceil((MAX_XML * 2) / 12))}</d:prop></d:propfind>`;
  const cases: Case[] = XML_METHODS.map((m) => ({ label: 'XML over the limit', method: m.method, path: m.path, headers: { ...XML_HEADERS, ...(m.headers ?? {}) }, body: big, status: [413] }));
  cases.push({ label: 'MKCOL body over the limit', method: 'MKCOL', path: `${HOME}plain/`, headers: XML_HEADERS, body: big, status: [413] });
  await runAll(ctx, cases);
  // Streamed without a Content-Length (chunked): cut off at the limit as well.
  const before = await state(ctx.srv);
  const status = await chunkedPropfind(ctx.srv, CAL, big);
  assert.ok(status === 413 || status === 0, `chunked XML over the limit → ${status}`);
  assert.is(await state(ctx.srv), before);
});

/** PROPFIND with a chunked body (no Content-Length); 0 when the server closes the connection. */
async function chunkedPropfind(srv: TestServer, path: string, body: string): Promise<number> {
  const { request } = await import('node:http');
  const { basic } = await import('../helpers/server.js');
  const url = new URL(srv.url);
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PROPFIND', path, agent: false, headers: { Authorization: basic(USER), Depth: '0', 'Content-Type': 'application/xml', 'Transfer-Encoding': 'chunked' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    for (let i = 0; i < body.length; i += 512) req.write(body.slice(i, i + 512));
    req.end();
  });
}

t('PUT over SUNDIAL_MAX_RESOURCE_SIZE into a calendar is 403 <cal:max-resource-size/>; the property says the limit', async (ctx) => {
  const filler = Array.from({ length: 60 }, (_, i) => `X-FILLER-${i}:${'x'.repeat(40)}`);
  const big = ical('too-big', { extra: filler });
  assert.ok(Buffer.byteLength(big) > MAX_RESOURCE);
  await runAll(ctx, [
    { label: 'new object over the limit', method: 'PUT', path: `${CAL}big.ics`, headers: { 'Content-Type': 'text/calendar' }, body: big, status: [403], condition: C('max-resource-size') },
    { label: 'replacing an object with one over the limit', method: 'PUT', path: OBJ, headers: { 'Content-Type': 'text/calendar' }, body: ical('existing-uid', { extra: filler }), status: [403], condition: C('max-resource-size') },
  ]);
  const prop = await ctx.srv.request('PROPFIND', CAL, { user: USER, headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody([C('max-resource-size')]) });
  assert.match(prop.text, new RegExp(`max-resource-size>${MAX_RESOURCE}<`));
  assert.is((await ctx.srv.request('GET', `${CAL}big.ics`, { user: USER })).status, 404);
});

const CRLF = (lines: string[]) => lines.join('\r\n') + '\r\n';
const VCAL = (inner: string[], head: string[] = []) => CRLF(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...head, ...inner, 'END:VCALENDAR']);
const VEVENT = (uid: string, extra: string[] = []) => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'DTSTART:20300101T100000Z', 'DTEND:20300101T110000Z', 'SUMMARY:x', ...extra, 'END:VEVENT'];
const VTODO = (uid: string) => ['BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'SUMMARY:todo', 'END:VTODO'];

t('broken iCalendar is refused with its CalDAV precondition', async (ctx) => {
  const put = (label: string, body: string, condition: string, status = [400, 403], type = 'text/calendar'): Case => ({ label, method: 'PUT', path: `${CAL}broken.ics`, headers: { 'Content-Type': type }, body, status, condition });
  const validData = C('valid-calendar-data');
  const validObject = C('valid-calendar-object-resource');
  await runAll(ctx, [
    put('garbage', 'this is not iCalendar at all\r\n', validData),
    put('binary garbage', '\u0000\u0001\u0002\u00ff', validData),
    put('empty body', '', validData),
    put('truncated (no END:VCALENDAR)', VCAL(VEVENT('trunc')).replace(/END:VEVENT\r\nEND:VCALENDAR\r\n$/, ''), validData),
    put('truncated mid-property', VCAL(VEVENT('trunc2')).slice(0, 90), validData),
    put('vCard instead of iCalendar', 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n', validData),
    put('vCalendar 1.0', 'BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:v1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', validData),
    put('two UIDs (two VEVENTs)', VCAL([...VEVENT('uid-one'), ...VEVENT('uid-two')]), validObject),
    put('METHOD (an iTIP message)', VCAL(VEVENT('itip'), ['METHOD:REQUEST']), validObject),
    put('VEVENT and VTODO mixed', VCAL([...VEVENT('mixed'), ...VTODO('mixed')]), validObject),
    put('no component', VCAL([]), validObject),
    put('VEVENT without UID', VCAL(VEVENT('x').filter((l) => !l.startsWith('UID:'))), validObject),
    put('VFREEBUSY in a calendar of VEVENT, VTODO and VJOURNAL', VCAL(['BEGIN:VFREEBUSY', 'UID:fb', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240101T000000Z', 'DTEND:20240102T000000Z', 'END:VFREEBUSY']), C('supported-calendar-component'), [403]),
    put('JSON sent as application/json', '{"summary":"x"}', C('supported-calendar-data'), [403, 415], 'application/json'),
  ]);
});

t('a second object with an existing UID is 403 <cal:no-uid-conflict> naming the existing href', async (ctx) => {
  const res = await run(ctx, { label: 'UID conflict', method: 'PUT', path: `${CAL}copycat.ics`, headers: { 'Content-Type': 'text/calendar' }, body: ical('existing-uid', { summary: 'copycat' }), status: [403], condition: C('no-uid-conflict') });
  assert.equal(ctx.problems, [], `\n${ctx.problems.join('\n')}`);
  assert.equal(hrefsIn(errorElement(res.text, C('no-uid-conflict'))), [OBJ]);
  // COPY into the same calendar under another name is the same conflict.
  const copy = await run(ctx, { label: 'UID conflict by COPY', method: 'COPY', path: OBJ, headers: { Destination: ctx.srv.url + `${CAL}copy.ics` }, status: [403], condition: C('no-uid-conflict') });
  assert.equal(ctx.problems, [], `\n${ctx.problems.join('\n')}`);
  assert.equal(hrefsIn(errorElement(copy.text, C('no-uid-conflict'))), [OBJ]);
});

t('wrong paths: missing parent 409, climbing and undecodable paths 400/404, never 500', async (ctx) => {
  const ev = ical('path-test');
  await runAll(ctx, [
    { label: 'PUT below a calendar that does not exist', method: 'PUT', path: `${HOME}nope/x.ics`, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [409] },
    { label: 'PUT two levels below nothing', method: 'PUT', path: `${HOME}nope/deeper/x.ics`, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [409] },
    { label: 'MKCALENDAR below a missing collection', method: 'MKCALENDAR', path: `${HOME}nope/cal/`, status: [409] },
    { label: 'MKCOL below a missing collection', method: 'MKCOL', path: `${HOME}nope/coll/`, status: [409] },
    { label: 'PUT directly into the home', method: 'PUT', path: `${HOME}loose.ics`, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [403, 405, 409] },
    { label: 'dot-dot climbing out of /dav/', method: 'GET', path: '/dav/../etc/passwd', raw: true, status: [400, 404] },
    { label: 'dot-dot inside the home', method: 'PUT', path: `${CAL}../../bob/personal/x.ics`, raw: true, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [400, 403, 404] },
    { label: 'encoded dot-dot', method: 'PROPFIND', path: `${CAL}%2e%2e/%2e%2e/`, raw: true, headers: { Depth: '0' }, status: [400, 403, 404] },
    { label: 'percent-encoding garbage %ZZ', method: 'PROPFIND', path: `${CAL}%ZZ.ics`, raw: true, headers: { Depth: '0' }, status: [400] },
    { label: 'percent-encoding garbage in PUT', method: 'PUT', path: `${CAL}bad%ZZname.ics`, raw: true, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [400] },
    { label: 'truncated escape %E2%82', method: 'GET', path: `${CAL}%E2%82.ics`, raw: true, status: [400, 404] },
    { label: 'encoded NUL', method: 'PUT', path: `${CAL}nul%00.ics`, raw: true, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [400] },
    { label: 'encoded slash inside a segment', method: 'PUT', path: `${CAL}a%2Fb.ics`, raw: true, headers: { 'Content-Type': 'text/calendar' }, body: ev, status: [400, 403, 409] },
    // RFC 4918 §9.8.5 names 502 for a Destination on another server: the one 5xx that is right.
    { label: 'COPY with a Destination on another server', method: 'COPY', path: OBJ, headers: { Destination: 'http://elsewhere.example/dav/calendars/alice/personal/x.ics' }, status: [502, 403, 400] },
    // A Destination that is not a URI at all is a bad request, not "another server".
    { label: 'COPY with a garbage Destination', method: 'COPY', path: OBJ, headers: { Destination: 'http://[::1' }, status: [400] },
    { label: 'COPY without a Destination', method: 'COPY', path: OBJ, status: [400] },
    { label: 'MOVE with Overwrite: maybe', method: 'MOVE', path: OBJ, headers: { Destination: ctx.srv.url + `${CAL}moved.ics`, Overwrite: 'maybe' }, status: [400] },
    { label: 'MOVE onto itself', method: 'MOVE', path: OBJ, headers: { Destination: ctx.srv.url + OBJ }, status: [403, 409] },
  ]);
});

t('PROPFIND Depth infinity (explicit or missing) is 403 <d:propfind-finite-depth/>; invalid Depth is 400', async (ctx) => {
  const body = propfindBody([D('getetag')]);
  await runAll(ctx, [
    { label: 'Depth: infinity', method: 'PROPFIND', path: HOME, headers: { Depth: 'infinity', ...XML_HEADERS }, body, status: [403], condition: D('propfind-finite-depth') },
    { label: 'Depth: Infinity (case)', method: 'PROPFIND', path: CAL, headers: { Depth: 'Infinity', ...XML_HEADERS }, body, status: [403], condition: D('propfind-finite-depth') },
    { label: 'no Depth header (means infinity)', method: 'PROPFIND', path: CAL, headers: XML_HEADERS, body, status: [403], condition: D('propfind-finite-depth') },
    { label: 'Depth: 2', method: 'PROPFIND', path: CAL, headers: { Depth: '2', ...XML_HEADERS }, body, status: [400] },
    { label: 'Depth: banana', method: 'PROPFIND', path: CAL, headers: { Depth: 'banana', ...XML_HEADERS }, body, status: [400] },
    { label: 'Depth: -1', method: 'PROPFIND', path: CAL, headers: { Depth: '-1', ...XML_HEADERS }, body, status: [400] },
    { label: 'Depth: 1, 1', method: 'PROPFIND', path: CAL, headers: { Depth: '1, 1', ...XML_HEADERS }, body, status: [400] },
    { label: 'COPY with Depth: 7', method: 'COPY', path: CAL, headers: { Depth: '7', Destination: ctx.srv.url + `${HOME}copy-cal/` }, status: [400] },
  ]);
});

t('calendar-multiget with 1001 hrefs is refused with a 4xx; 1000 are answered', async (ctx) => {
  const hrefs = (n: number) => Array.from({ length: n }, (_, i) => `${CAL}m-${i}.ics`);
  await runAll(ctx, [
    { label: 'multiget of 1001 hrefs', method: 'REPORT', path: CAL, headers: { Depth: '1', ...XML_HEADERS }, body: multigetBody(hrefs(1001)), status: [400, 403, 413, 507] },
    { label: 'multiget without hrefs', method: 'REPORT', path: CAL, headers: { Depth: '1', ...XML_HEADERS }, body: multigetBody([]), status: [400] },
  ]);
  // 1000 hrefs is at the limit: a 207 with 1000 404 entries (over the small XML limit here, so
  // that body is refused as too large instead — which is also a clean 413).
  const res = await ctx.srv.request('REPORT', CAL, { user: USER, headers: { Depth: '1', ...XML_HEADERS }, body: multigetBody(hrefs(1000)) });
  assert.ok([207, 413].includes(res.status), describe('REPORT multiget 1000', CAL, res));
});

t('huge header values get a 4xx (431), never a 500, and the server keeps serving', async (ctx) => {
  for (const [name, value] of [['X-Filler', 'x'.repeat(100_000)], ['If-Match', `"${'a'.repeat(100_000)}"`], ['Depth', '1'.repeat(100_000)], ['Destination', ctx.srv.url + '/' + 'a'.repeat(100_000)]] as const) {
    const before = await state(ctx.srv);
    let status: number;
    try {
      status = (await ctx.srv.request('PUT', `${CAL}hdr.ics`, { user: USER, headers: { [name]: value, 'Content-Type': 'text/calendar' }, body: ical('hdr') })).status;
    } catch {
      status = 0; // the server may close the connection on an oversized header block
    }
    assert.ok(status === 0 || (status >= 400 && status < 500), `${name} of 100 kB → ${status}`);
    assert.is(await state(ctx.srv), before, `${name}: nothing stored`);
  }
  // Header values just under Node's limit, on a DAV method: still a clean answer.
  const res = await ctx.srv.request('PROPFIND', CAL, { user: USER, headers: { Depth: '0', 'If-None-Match': `"${'b'.repeat(8000)}"`, 'X-Long': 'y'.repeat(4000) } });
  assert.ok(res.status === 207 || (res.status >= 400 && res.status < 500), `long headers: ${res.status}`);
  assert.is((await ctx.srv.request('GET', '/healthz')).status, 200);
});

t('bad conditional headers: If-Match on a missing object 412, weak ETag in If-Match never matches, garbage If-Match 412', async (ctx) => {
  const etag = (await ctx.srv.request('GET', OBJ, { user: USER })).headers.get('etag')!;
  await runAll(ctx, [
    { label: 'If-Match on a missing object', method: 'PUT', path: `${CAL}absent.ics`, headers: { 'Content-Type': 'text/calendar', 'If-Match': etag }, body: ical('absent'), status: [412] },
    { label: 'If-Match with a weak ETag', method: 'PUT', path: OBJ, headers: { 'Content-Type': 'text/calendar', 'If-Match': `W/${etag}` }, body: ical('existing-uid', { summary: 'weak' }), status: [412] },
    { label: 'If-Match garbage', method: 'PUT', path: OBJ, headers: { 'Content-Type': 'text/calendar', 'If-Match': 'not-an-etag' }, body: ical('existing-uid', { summary: 'garbage' }), status: [412, 400] },
    { label: 'If-None-Match: * on an existing object', method: 'PUT', path: OBJ, headers: { 'Content-Type': 'text/calendar', 'If-None-Match': '*' }, body: ical('existing-uid', { summary: 'inm' }), status: [412] },
    { label: 'DELETE with a stale If-Match', method: 'DELETE', path: OBJ, headers: { 'If-Match': '"stale"' }, status: [412] },
    { label: 'PROPPATCH on something that does not exist', method: 'PROPPATCH', path: `${CAL}ghost.ics`, headers: XML_HEADERS, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>x</d:displayname></d:prop></d:set></d:propertyupdate>', status: [404] },
    // DAV:getetag is a protected live property (RFC 4918 §15.6) on every resource: refused with
    // cannot-modify-protected-property (a 403 propstat, or a 403), never stored as a dead property.
    { label: 'PROPPATCH of DAV:getetag on a calendar', method: 'PROPPATCH', path: CAL, headers: XML_HEADERS, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getetag>"forged"</d:getetag></d:prop></d:set></d:propertyupdate>', status: [207, 403] },
    { label: 'PROPPATCH of DAV:getcontenttype on an object', method: 'PROPPATCH', path: OBJ, headers: XML_HEADERS, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getcontenttype>text/html</d:getcontenttype></d:prop></d:set></d:propertyupdate>', status: [207, 403] },
  ]);
  const forged = await ctx.srv.request('PROPFIND', CAL, { user: USER, headers: { Depth: '0', ...XML_HEADERS }, body: propfindBody([D('getetag')]) });
  assert.not.ok(forged.text.includes('forged'), `a forged getetag is served back: ${forged.text}`);
});

t('HEAD answers like GET without a body: 404 for a missing object, 412 for a failed If-Match, never 204', async (ctx) => {
  const etag = (await ctx.srv.request('GET', OBJ, { user: USER })).headers.get('etag')!;
  await runAll(ctx, [
    { label: 'HEAD of a missing object', method: 'HEAD', path: `${CAL}nope.ics`, status: [404] },
    { label: 'HEAD below a missing calendar', method: 'HEAD', path: `${HOME}nope/x.ics`, status: [404] },
    { label: 'HEAD with a failing If-Match', method: 'HEAD', path: OBJ, headers: { 'If-Match': '"nope"' }, status: [412] },
    { label: 'HEAD of an undecodable path', method: 'HEAD', path: `${CAL}%ZZ.ics`, raw: true, status: [400] },
  ]);
  const head = await ctx.srv.request('HEAD', OBJ, { user: USER });
  assert.is(head.status, 200);
  assert.is(head.headers.get('etag'), etag);
  assert.is(head.text, '');
});

t('no request in this file made the server log an unhandled error', async ({ srv }) => {
  const errors = srv.logLines.filter((l) => /unhandled error|"level":50/.test(l));
  assert.equal(errors.map((l) => l.slice(0, 400)), []);
});

t.run();
