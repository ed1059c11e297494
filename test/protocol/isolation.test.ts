// Isolation (issue 3 item 7, SPEC "A user never reaches another user's data unless shared"): alice
// walks every method against bob's principal, home, calendar and object — and aims COPY/MOVE
// Destinations and multiget hrefs at bob's space from her own resources. Every answer is 403 or
// 404 (a 404 entry inside a 207 for multiget hrefs), no body carries bob's data, and afterwards
// bob's home listing and object ETags are exactly what they were.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer, type TestResponse } from '../helpers/server.js';
import { C, CS, D, ical, multigetBody, parseMultistatus, propfindBody, putOk, syncCollectionBody, XML_HEADERS } from '../helpers/dav.js';

const BOB_SECRET = 'Bobs-secret-dentist-appointment';
const BOB_CAL_NAME = 'Bobs-private-calendar-name';
const BOB_PRINCIPAL = '/dav/principals/bob/';
const BOB_HOME = '/dav/calendars/bob/';
const BOB_CAL = '/dav/calendars/bob/personal/';
const BOB_SECOND = '/dav/calendars/bob/secret/';
const BOB_OBJ = '/dav/calendars/bob/personal/secret.ics';
const BOB_MISSING = '/dav/calendars/bob/personal/nothing-here.ics';
const ALICE_CAL = '/dav/calendars/alice/personal/';
const ALICE_OBJ = '/dav/calendars/alice/personal/mine.ics';

interface Ctx {
  srv: TestServer;
  before: string;
  violations: string[];
}

const t = suite<Ctx>('isolation');

/** What alice must never change: bob's home listing with ctags/tokens, and every object's ETag and body. */
async function snapshot(srv: TestServer): Promise<string> {
  const res = await srv.request('PROPFIND', BOB_HOME, { user: 'bob', headers: { Depth: '1', ...XML_HEADERS }, body: propfindBody([D('displayname'), D('resourcetype'), CS('getctag'), D('sync-token'), C('calendar-description')]) });
  assert.is(res.status, 207);
  const out: string[] = [];
  for (const r of parseMultistatus(res.text).responses) {
    out.push(`${r.href} ${r.propstats.filter((p) => p.status === 200).flatMap((p) => [...p.props.entries()].map(([k, v]) => `${k}=${JSON.stringify(v.text)}`)).join(' ')}`);
    if (r.href !== BOB_HOME) {
      const objs = await srv.request('PROPFIND', r.href, { user: 'bob', headers: { Depth: '1', ...XML_HEADERS }, body: propfindBody([D('getetag')]) });
      for (const o of parseMultistatus(objs.text).responses) {
        if (o.href === r.href) continue;
        const body = await srv.request('GET', o.href, { user: 'bob' });
        out.push(`${o.href} ${body.headers.get('etag')} ${body.text.length}`);
      }
    }
  }
  return out.sort().join('\n');
}

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  const srv = ctx.srv;
  let res = await srv.request('PROPPATCH', BOB_CAL, { user: 'bob', headers: XML_HEADERS, body: `<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${BOB_CAL_NAME}</d:displayname><c:calendar-description>${BOB_SECRET} description</c:calendar-description></d:prop></d:set></d:propertyupdate>` });
  assert.is(res.status, 207);
  res = await srv.request('MKCALENDAR', BOB_SECOND, { user: 'bob' });
  assert.is(res.status, 201);
  await putOk(srv, 'bob', BOB_OBJ, ical('bob-secret-uid', { summary: BOB_SECRET }));
  await putOk(srv, 'bob', BOB_SECOND + 'other.ics', ical('bob-other-uid', { summary: BOB_SECRET + ' 2' }));
  await putOk(srv, 'alice', ALICE_OBJ, ical('alice-uid', { summary: 'Alice own event' }));
  ctx.before = await snapshot(srv);
  ctx.violations = [];
});
t.after(async (ctx) => { await ctx.srv.close(); });

const LEAKS = [BOB_SECRET, BOB_CAL_NAME, 'bob-secret-uid', 'bob-other-uid'];

function judge(ctx: Ctx, label: string, res: TestResponse, allowed: number[] = [403, 404]): void {
  const problems: string[] = [];
  if (!allowed.includes(res.status)) problems.push(`status ${res.status}, expected ${allowed.join('/')}`);
  for (const leak of LEAKS) if (res.text.includes(leak)) problems.push(`body leaks "${leak}"`);
  for (const [k, v] of res.headers) for (const leak of LEAKS) if (v.includes(leak)) problems.push(`header ${k} leaks "${leak}"`);
  if (problems.length) ctx.violations.push(`${label} → ${problems.join('; ')}\n      ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 300)}`);
}

const propfindAll = propfindBody([D('displayname'), D('resourcetype'), CS('getctag'), D('sync-token'), D('getetag'), C('calendar-description'), C('calendar-home-set'), D('current-user-privilege-set')]);
const proppatch = `<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>pwned by alice</d:displayname></d:prop></d:set></d:propertyupdate>`;
const removeProp = `<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:remove><d:prop><c:calendar-description/></d:prop></d:remove></d:propertyupdate>`;
const queryBody = `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>`;
const mkcalBody = `<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>alice was here</d:displayname></d:prop></d:set></c:mkcalendar>`;

interface Call { method: string; headers?: Record<string, string>; body?: string }

function callsFor(ctx: Ctx, path: string): Call[] {
  const dest = (p: string) => ctx.srv.url + p;
  return [
    { method: 'OPTIONS' },
    { method: 'PROPFIND', headers: { Depth: '0', ...XML_HEADERS }, body: propfindAll },
    { method: 'PROPFIND', headers: { Depth: '1', ...XML_HEADERS }, body: propfindAll },
    { method: 'PROPFIND', headers: { Depth: '1' } }, // allprop
    { method: 'PROPFIND', headers: { Depth: '0', ...XML_HEADERS }, body: '<d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>' },
    { method: 'PROPPATCH', headers: XML_HEADERS, body: proppatch },
    { method: 'PROPPATCH', headers: XML_HEADERS, body: removeProp },
    { method: 'MKCOL' },
    { method: 'MKCOL', headers: { 'Content-Type': 'application/xml' }, body: '<d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype></d:prop></d:set></d:mkcol>' },
    { method: 'MKCALENDAR', headers: XML_HEADERS, body: mkcalBody },
    { method: 'GET' },
    { method: 'HEAD' },
    { method: 'PUT', headers: { 'Content-Type': 'text/calendar' }, body: ical('alice-injected', { summary: 'alice injected' }) },
    { method: 'PUT', headers: { 'Content-Type': 'text/calendar', 'If-None-Match': '*' }, body: ical('alice-injected-2') },
    { method: 'PUT', headers: { 'Content-Type': 'text/calendar', 'If-Match': '*' }, body: ical('bob-secret-uid', { summary: 'overwritten' }) },
    { method: 'DELETE' },
    { method: 'DELETE', headers: { 'If-Match': '*' } },
    { method: 'COPY', headers: { Destination: dest('/dav/calendars/alice/personal/stolen.ics') } },
    { method: 'COPY', headers: { Destination: dest('/dav/calendars/alice/stolen-cal/') } },
    { method: 'MOVE', headers: { Destination: dest('/dav/calendars/alice/personal/stolen2.ics') } },
    { method: 'MOVE', headers: { Destination: dest('/dav/calendars/alice/stolen-cal2/') } },
    { method: 'MOVE', headers: { Destination: dest(path.endsWith('/') ? '/dav/calendars/bob/renamed/' : '/dav/calendars/bob/personal/renamed.ics'), Overwrite: 'T' } },
    { method: 'REPORT', headers: { Depth: '1', ...XML_HEADERS }, body: multigetBody([BOB_OBJ, BOB_SECOND + 'other.ics']) },
    { method: 'REPORT', headers: { Depth: '0', ...XML_HEADERS }, body: syncCollectionBody(null, [D('getetag'), C('calendar-data')]) },
    { method: 'REPORT', headers: { Depth: '1', ...XML_HEADERS }, body: syncCollectionBody('http://sundial.invalid/sync/1', [D('getetag'), D('displayname')]) },
    { method: 'REPORT', headers: { Depth: '1', ...XML_HEADERS }, body: queryBody },
  ];
}

// Bob's principal is not among them: principals are the directory, which any user may read
// (issue 15 item 1); what alice may do there is the next test's.
const BOB_PATHS = [
  BOB_HOME, BOB_CAL, BOB_SECOND, BOB_OBJ, BOB_MISSING,
  // The same resources spelled differently: no trailing slash, percent-encoded, double slashes.
  '/dav/calendars/bob', '/dav/calendars/bob/personal', '/dav/calendars/%62ob/personal/secret.ics',
  '/dav/calendars/bob//personal/secret.ics', '/dav/calendars/BOB/personal/secret.ics',
];

t('every method on every one of bob\'s paths answers 403 or 404 and leaks nothing', async (ctx) => {
  for (const path of BOB_PATHS) {
    for (const call of callsFor(ctx, path)) {
      const res = await ctx.srv.request(call.method, path, { user: 'alice', ...(call.headers ? { headers: call.headers } : {}), ...(call.body !== undefined ? { body: call.body } : {}) });
      judge(ctx, `${call.method} ${path} ${call.headers?.Depth ? 'Depth ' + call.headers.Depth : ''} ${call.body?.slice(0, 40) ?? ''}`, res);
    }
  }
  assert.equal(ctx.violations, [], `\n${ctx.violations.join('\n')}\n`);
});

t('bob\'s principal: alice reads the directory properties, never his home or data, and changes nothing', async (ctx) => {
  ctx.violations = [];
  for (const path of [BOB_PRINCIPAL, '/dav/principals/bob', '/dav/principals/%62ob/']) {
    const res = await ctx.srv.request('PROPFIND', path, { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body: propfindAll });
    judge(ctx, `PROPFIND ${path}`, res, [207]);
    assert.not.ok(res.text.includes('/dav/calendars/bob'), 'bob\'s home is not revealed');
    for (const call of callsFor(ctx, path).filter((c) => c.method !== 'OPTIONS' && c.method !== 'PROPFIND' && c.method !== 'GET' && c.method !== 'HEAD' && c.method !== 'REPORT')) {
      const w = await ctx.srv.request(call.method, path, { user: 'alice', ...(call.headers ? { headers: call.headers } : {}), ...(call.body !== undefined ? { body: call.body } : {}) });
      judge(ctx, `${call.method} ${path}`, w, [403, 404, 405, 409]);
    }
  }
  assert.equal(ctx.violations, [], `\n${ctx.violations.join('\n')}\n`);
  assert.is(await snapshot(ctx.srv), ctx.before, 'bob\'s data is unchanged');
});

t('COPY and MOVE from alice\'s own resources with a Destination in bob\'s space are refused', async (ctx) => {
  ctx.violations = [];
  const targets = [BOB_CAL + 'from-alice.ics', BOB_OBJ, BOB_HOME + 'from-alice/', BOB_CAL, BOB_SECOND, BOB_HOME + 'personal2/', '/dav/principals/bob/x.ics'];
  for (const dest of targets) {
    for (const method of ['COPY', 'MOVE']) {
      for (const src of [ALICE_OBJ, ALICE_CAL]) {
        for (const overwrite of ['T', 'F']) {
          const res = await ctx.srv.request(method, src, { user: 'alice', headers: { Destination: ctx.srv.url + dest, Overwrite: overwrite } });
          // Below a principal nothing can exist: 409 (no parent collection, RFC 4918 §9.8.5) is right too.
          judge(ctx, `${method} ${src} → ${dest} (Overwrite ${overwrite})`, res, dest.startsWith('/dav/principals/') ? [403, 404, 409] : [403, 404]);
        }
      }
    }
  }
  // A Destination given as a path (no scheme/host) is resolved on this server too.
  const res = await ctx.srv.request('COPY', ALICE_OBJ, { user: 'alice', headers: { Destination: BOB_CAL + 'relative.ics' } });
  judge(ctx, `COPY ${ALICE_OBJ} → ${BOB_CAL}relative.ics (path only)`, res);
  assert.equal(ctx.violations, [], `\n${ctx.violations.join('\n')}\n`);
  // Alice's own things are still where they were (MOVE was refused, not half done).
  assert.is((await ctx.srv.request('GET', ALICE_OBJ, { user: 'alice' })).status, 200);
});

t('multiget from alice\'s calendar with hrefs pointing at bob\'s objects: 404 entries, no data', async (ctx) => {
  ctx.violations = [];
  const hrefs = [ALICE_OBJ, BOB_OBJ, BOB_SECOND + 'other.ics', ctx.srv.url + BOB_OBJ, '/dav/calendars/%62ob/personal/secret.ics', '/dav/calendars/alice/personal/../../bob/personal/secret.ics', BOB_CAL];
  for (const target of [ALICE_CAL, '/dav/calendars/alice/']) {
    const res = await ctx.srv.request('REPORT', target, { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body: multigetBody(hrefs) });
    judge(ctx, `REPORT calendar-multiget on ${target}`, res, [207, 403, 404]);
    if (res.status !== 207) continue;
    const ms = parseMultistatus(res.text);
    for (const r of ms.responses) {
      if (r.href === ALICE_OBJ) {
        assert.ok(r.propstats.some((p) => p.status === 200 && p.props.has(C('calendar-data'))), 'alice gets her own object');
        continue;
      }
      if (r.status !== 404) ctx.violations.push(`multiget on ${target}: ${r.href} answered ${r.status ?? 'with propstats'}, expected a 404 entry`);
    }
    // Spellings of one URL are one resource, answered once (issue 11: repeats must not multiply
    // the answer); every answer is a distinct resource and alice's own object is among them.
    assert.is(new Set(ms.responses.map((r) => r.href)).size, ms.responses.length, 'each resource answered once');
    assert.ok(ms.responses.length <= hrefs.length && ms.responses.some((r) => r.href === ALICE_OBJ));
  }
  assert.equal(ctx.violations, [], `\n${ctx.violations.join('\n')}\n`);
});

t('sync-collection and PROPFIND on alice\'s own home never list bob\'s calendars', async ({ srv }) => {
  const home = await srv.request('PROPFIND', '/dav/calendars/alice/', { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body: propfindAll });
  assert.is(home.status, 207);
  for (const leak of LEAKS) assert.not.ok(home.text.includes(leak), leak);
  assert.not.ok(home.text.includes('/dav/calendars/bob/'));
  const sync = await srv.request('REPORT', '/dav/calendars/alice/', { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body: syncCollectionBody(null, [D('displayname')]) });
  assert.is(sync.status, 207);
  assert.not.ok(sync.text.includes('/dav/calendars/bob/'));
  for (const root of ['/dav/principals/', '/dav/calendars/', '/dav/', '/']) {
    const res = await srv.request('PROPFIND', root, { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body: propfindAll });
    assert.is(res.status, 207, root);
    assert.not.ok(/\/dav\/(principals|calendars)\/bob\//.test(res.text), `${root} lists bob: ${res.text.slice(0, 400)}`);
  }
});

t('afterwards bob\'s home listing, properties and object ETags are unchanged', async (ctx) => {
  const after = await snapshot(ctx.srv);
  assert.fixture(after, ctx.before);
  // And alice created nothing in her own space from bob's data.
  for (const p of ['/dav/calendars/alice/personal/stolen.ics', '/dav/calendars/alice/personal/stolen2.ics', '/dav/calendars/alice/stolen-cal/', '/dav/calendars/alice/stolen-cal2/']) {
    assert.is((await ctx.srv.request('GET', p, { user: 'alice' })).status, 404, p);
  }
});

t.run();
