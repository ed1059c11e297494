// Two Sundials in one process (issue 12 item 9): each owns its query caches (dav/query/engine.ts),
// created with its store. The calendar-query caches used to live at module level keyed by
// collection id and sync token, which two fresh stores share: the second server answered a
// calendar-query with the first server's a.ics. Both servers here hold a calendar at the same
// path, with the same history, whose a.ics differs; every report must answer from its own store.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, D, ical, parseMultistatus, propText, propfind, putOk, XML_HEADERS } from '../helpers/dav.js';

const CAL = '/dav/calendars/alice/personal/';
const OBJ = CAL + 'a.ics';

interface Ctx {
  one: TestServer;
  two: TestServer;
  etags: Map<TestServer, string>;
}

const t = suite<Ctx>('two stores in one process');

t.before(async (ctx) => {
  ctx.one = await startTestServer();
  ctx.two = await startTestServer();
  ctx.etags = new Map();
  for (const [srv, summary] of [[ctx.one, 'First-store-event'], [ctx.two, 'Second-store-event']] as const) {
    await srv.addUser('alice');
    ctx.etags.set(srv, await putOk(srv, 'alice', OBJ, ical('a-uid', { summary, extra: ['RRULE:FREQ=DAILY;COUNT=3'] })));
  }
});

t.after(async (ctx) => {
  await ctx.one?.close();
  await ctx.two?.close();
});

function expected(ctx: Ctx, srv: TestServer): string {
  return srv === ctx.one ? 'First-store-event' : 'Second-store-event';
}

const QUERY = `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="20291201T000000Z" end="20300201T000000Z"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>`;

const QUERY_EXPAND = QUERY.replace('<c:calendar-data/>', '<c:calendar-data><c:expand start="20291201T000000Z" end="20300201T000000Z"/></c:calendar-data>');

t('calendar-query (plain and expanded) answers from each server\'s own store', async (ctx) => {
  for (const body of [QUERY, QUERY_EXPAND]) {
    for (const srv of [ctx.one, ctx.two, ctx.one, ctx.two]) {
      const res = await srv.request('REPORT', CAL, { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body });
      assert.is(res.status, 207, res.text);
      const ms = parseMultistatus(res.text);
      assert.equal(ms.responses.map((r) => r.href), [OBJ]);
      const data = propText(ms.responses[0], C('calendar-data')) ?? '';
      assert.ok(data.includes(expected(ctx, srv)), `${srv.url}: ${data}`);
      assert.is(propText(ms.responses[0], D('getetag')), ctx.etags.get(srv));
    }
  }
});

t('calendar-multiget with expand answers from each server\'s own store', async (ctx) => {
  const body = `<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data><c:expand start="20291201T000000Z" end="20300201T000000Z"/></c:calendar-data></d:prop><d:href>${OBJ}</d:href></c:calendar-multiget>`;
  for (const srv of [ctx.one, ctx.two, ctx.one, ctx.two]) {
    const res = await srv.request('REPORT', CAL, { user: 'alice', headers: { Depth: '1', ...XML_HEADERS }, body });
    assert.is(res.status, 207, res.text);
    const r = parseMultistatus(res.text).responses[0];
    const data = propText(r, C('calendar-data')) ?? '';
    assert.ok(data.includes(expected(ctx, srv)), `${srv.url}: ${data}`);
    assert.ok(data.includes('RECURRENCE-ID'), data);
  }
});

t('the etag listing answers from each server\'s own store', async (ctx) => {
  for (const srv of [ctx.one, ctx.two, ctx.one, ctx.two]) {
    const ms = await propfind(srv, 'alice', CAL, '1', [D('getetag')]);
    const obj = ms.responses.find((r) => r.href === OBJ);
    assert.is(propText(obj, D('getetag')), ctx.etags.get(srv));
  }
});

t('request ids come from each app: no shared counter, a prefix of its own', async (ctx) => {
  const idOf = async (srv: TestServer) => (await srv.request('GET', '/healthz')).headers.get('x-request-id') ?? '';
  const [a, b] = [await idOf(ctx.one), await idOf(ctx.two)];
  assert.match(a, /^[A-Za-z0-9_-]+-[0-9a-z]+$/);
  assert.match(b, /^[A-Za-z0-9_-]+-[0-9a-z]+$/);
  assert.is.not(a.split('-').slice(0, -1).join('-'), b.split('-').slice(0, -1).join('-'));
});

t.run();
