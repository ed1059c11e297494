// calendar-query with calendar-data as stored (no comp selection, no expand: what tsdav and
// python-caldav ask): the element is encoded once per object version and kept by the query
// engine, with the whole response when every other property asked derives from the etag, as for
// an expansion. Checked: the answer is the stored text byte for byte (escaped), a repeated query
// answers the same bytes without reading a body, a change in place and a delete show at once, and
// a request with another property (displayname) or a sharee's path gets its own responses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, D, XML_HEADERS, parseMultistatus, propText, putOk } from '../helpers/dav.js';
import { spyOnStore } from '../helpers/row-paths.js';

interface Ctx { srv: TestServer; calls: Record<string, number> }
const t = suite<Ctx>('calendar-query: calendar-data as stored, cached per object version');
const USER = 'dora';
const CAL = `/dav/calendars/${USER}/plain/`;
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const RANGE = '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20240601T000000Z" end="20240701T000000Z"/></C:comp-filter></C:comp-filter></C:filter>';
const query = (props: string) => `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop>${props}</D:prop>${RANGE}</C:calendar-query>`;
const event = (uid: string, start: string, summary: string, extra = '') =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:${start}\r\nDURATION:PT1H\r\n${extra}SUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  const mk = await ctx.srv.request('MKCALENDAR', CAL, { user: USER, headers: XML_HEADERS, body: `<?xml version="1.0"?><C:mkcalendar ${NS}/>` });
  assert.is(mk.status, 201, mk.text);
  await putOk(ctx.srv, USER, `${CAL}weekly.ics`, event('weekly', '20240603T090000Z', 'Weekly <b> & "Ünïcödé"', 'RRULE:FREQ=WEEKLY;COUNT=10\r\n'));
  await putOk(ctx.srv, USER, `${CAL}single.ics`, event('single', '20240612T090000Z', 'Single ]]> é'));
  await putOk(ctx.srv, USER, `${CAL}july.ics`, event('july', '20240712T090000Z', 'Not in June'));
  ctx.calls = {};
  spyOnStore(ctx.srv.store, ['getObjects', 'getObject', 'getObjectTexts'], (m) => { ctx.calls[m] = (ctx.calls[m] ?? 0) + 1; });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

async function answer(ctx: Ctx, props: string): Promise<{ text: string; data: Record<string, string>; etags: Record<string, string> }> {
  const res = await ctx.srv.request('REPORT', CAL, { user: USER, headers: { Depth: '1', ...XML_HEADERS }, body: query(props) });
  assert.is(res.status, 207, res.text.slice(0, 400));
  const data: Record<string, string> = {};
  const etags: Record<string, string> = {};
  for (const r of parseMultistatus(res.text).responses) {
    const name = r.href.split('/').pop()!;
    data[name] = propText(r, C('calendar-data')) ?? '';
    etags[name] = propText(r, D('getetag')) ?? '';
  }
  return { text: res.text, data, etags };
}

const stored = async (ctx: Ctx, name: string) => (await ctx.srv.request('GET', `${CAL}${name}`, { user: USER })).text;
/** The stored text as the answer must carry it: escaped (XML 1.0 §2.4), every byte else as stored. */
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
/** The calendar-data read back (the multistatus reader trims it) equals the stored text, and the raw answer holds that text escaped. */
function same(answerText: string, data: string | undefined, body: string, what: string): void {
  assert.is(data, body.trim(), what);
  assert.ok(answerText.includes(`<cal:calendar-data>${escaped(body)}</cal:calendar-data>`), `${what}: the stored text, escaped, byte for byte`);
}

t('the stored text byte for byte; a repeated query the same bytes without reading a body; a change and a delete at once', async (ctx) => {
  for (const props of ['<D:getetag/><C:calendar-data/>', '<C:calendar-data/>']) {
    const first = await answer(ctx, props);
    assert.equal(Object.keys(first.data).sort(), ['single.ics', 'weekly.ics'], props);
    for (const name of ['single.ics', 'weekly.ics']) same(first.text, first.data[name], await stored(ctx, name), `${props} ${name}`);
    ctx.calls = {};
    const again = await answer(ctx, props);
    assert.is(again.text, first.text, `${props}: a repeated query answers the same bytes`);
    assert.equal(ctx.calls, {}, `${props}: a repeated query reads no body (${JSON.stringify(ctx.calls)})`);
  }

  const before = await answer(ctx, '<D:getetag/><C:calendar-data/>');
  await putOk(ctx.srv, USER, `${CAL}single.ics`, event('single', '20240612T090000Z', 'Single, renamed & moved <on> the same day'));
  const after = await answer(ctx, '<D:getetag/><C:calendar-data/>');
  same(after.text, after.data['single.ics'], await stored(ctx, 'single.ics'), 'after the change');
  assert.ok(after.data['single.ics']!.includes('renamed & moved <on>'));
  assert.is.not(after.etags['single.ics'], before.etags['single.ics']);
  assert.is(after.data['weekly.ics'], before.data['weekly.ics']);

  // Another property asked: answered (404 here), and calendar-data still the stored text.
  const withName = await ctx.srv.request('REPORT', CAL, { user: USER, headers: { Depth: '1', ...XML_HEADERS }, body: query('<D:getetag/><D:displayname/><C:calendar-data/>') });
  for (const r of parseMultistatus(withName.text).responses) {
    assert.equal(r.propstats.map((p) => p.status).sort(), [200, 404], withName.text.slice(0, 600));
    same(withName.text, propText(r, C('calendar-data')), await stored(ctx, r.href.split('/').pop()!), 'with displayname');
  }

  const del = await ctx.srv.request('DELETE', `${CAL}weekly.ics`, { user: USER });
  assert.is(del.status, 204);
  assert.equal(Object.keys((await answer(ctx, '<D:getetag/><C:calendar-data/>')).data), ['single.ics']);
});

t.run();
