// text-match under i;unicode-casemap (RFC 5051) on hostile values must not stop the server for
// everyone (a security report): ß made the fold fall back to a per-character loop, U+FDFA
// decomposes into 18 characters, and every text-match (and every query, for parameter values)
// folded the value again, synchronously. Each case here held the event loop for 1.5–3 s before
// the fix (the tester's full-size cards and events: 3–18 s); now the value is folded once per
// evaluation, in slices, under SUNDIAL_MAX_EVALUATION_MS (past it: 403 max-instances, as a
// costly recurrence). The longest synchronous stretch is measured in-process (a timer's lateness),
// and /healthz is probed during the report as the other event-loop tests do.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, XML_HEADERS, errorConditions, putOk } from '../helpers/dav.js';
import { addressQueryBody, putVcfOk, report } from '../helpers/carddav.js';
import { assertResponsive, idleLatency, probeDuring } from '../helpers/latency.js';

const t = suite<{ srv: TestServer; strict: TestServer }>('text-match-event-loop');
const USER = 'alice';
const BOOK = `/dav/addressbooks/${USER}/contacts/`;
const CAL = `/dav/calendars/${USER}/texts/`;
/** ß + U+FDFA, 200,000 times: 400,000 characters folding to 3.8 million (the report's were 500,000). */
const HOSTILE = 'ß\uFDFA'.repeat(200_000);
/** The longest synchronous stretch allowed during a report: the slices are ~8 ms; parsing a 1 MB card or event takes tens. */
const MAX_BLOCK_MS = 300;

function hostileCard(uid: string, line: string): string {
  return `BEGIN:VCARD\r\nVERSION:4.0\r\nUID:${uid}\r\nFN:Hostile ${uid}\r\n${line}\r\nEND:VCARD\r\n`;
}

function hostileEvent(uid: string, description: string): string {
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T100000Z\r\nDTEND:20250101T110000Z\r\nSUMMARY:x\r\nDESCRIPTION:${description}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
}

function paramFilters(needles: string[]): string {
  return `<card:prop-filter name="TEL" test="allof">${needles.map((n) => `<card:param-filter name="X-P"><card:text-match>${n}</card:text-match></card:param-filter>`).join('')}</card:prop-filter>`;
}

function descriptionQuery(needles: string[], negate: boolean, collation = 'i;unicode-casemap'): string {
  const tms = needles.map((n) => `<C:prop-filter name="DESCRIPTION"><C:text-match collation="${collation}" negate-condition="${negate ? 'yes' : 'no'}">${n}</C:text-match></C:prop-filter>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${tms}</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
}

/** Runs `work`, measuring the longest time the event loop did not turn (a 1 ms timer's lateness). */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ result: T; block: number }> {
  let last = performance.now();
  let block = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    block = Math.max(block, now - last);
    last = now;
  }, 1);
  try {
    const result = await work();
    block = Math.max(block, performance.now() - last);
    return { result, block };
  } finally {
    clearInterval(tick);
  }
}

async function setUp(srv: TestServer): Promise<void> {
  await srv.addUser(USER);
  await putVcfOk(srv, USER, `${BOOK}param.vcf`, hostileCard('param', `TEL;X-P="${HOSTILE}":123`));
  await putVcfOk(srv, USER, `${BOOK}note.vcf`, hostileCard('note', `NOTE:${HOSTILE}`));
  await putVcfOk(srv, USER, `${BOOK}plain.vcf`, hostileCard('plain', 'TEL;X-P=zzz:1'));
  const mk = await srv.request('MKCALENDAR', CAL, { user: USER });
  assert.is(mk.status, 201, mk.text);
  // U+FDFA × 400,000: 1.2 MB, folding to 7.2 million characters (the report's was 2,000,000).
  await putOk(srv, USER, `${CAL}fdfa.ics`, hostileEvent('fdfa', '\uFDFA'.repeat(400_000)));
  // 1.5 million ASCII characters in capitals: i;ascii-casemap (CalDAV's default) built its fold
  // from every run of them, ~0.3 s per text-match.
  await putOk(srv, USER, `${CAL}ascii.ics`, hostileEvent('ascii', 'LOREM IPSUM '.repeat(125_000)));
}

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await setUp(ctx.srv);
  ctx.strict = await startTestServer({ SUNDIAL_MAX_EVALUATION_MS: '10' });
  await setUp(ctx.strict);
});
t.after(async (ctx) => {
  await ctx.srv.close();
  await ctx.strict.close();
});

const hrefs = (text: string) => [...text.matchAll(/<[^>]*href>([^<]*)</g)].map((m) => m[1]!.split('/').pop()).sort();

t('param-filters on a 400,000-character parameter value: answered right, the loop never held long, on every repeat', async ({ srv }) => {
  const idle = await idleLatency(srv);
  for (const needles of [['z0'], ['z0', 'z1', 'z2', 'z3'], ['z0']]) {
    const run = await probeDuring(srv, () => longestBlock(() => report(srv, USER, BOOK, addressQueryBody(paramFilters(needles), { addressData: null }))));
    assert.is(run.result.result.status, 207, run.result.result.text.slice(0, 300));
    assert.equal(hrefs(run.result.result.text), []);
    assert.ok(run.result.block < MAX_BLOCK_MS, `the event loop was held ${run.result.block.toFixed(0)} ms (${needles.length} param-filters)`);
    assertResponsive(run, idle);
  }
  // A match: the parameter's fold starts with ßﷺ (and holds it 200,000 times); zzz is the plain card's.
  const hit = await report(srv, USER, BOOK, addressQueryBody(paramFilters(['ßﷺßﷺ']), { addressData: null }));
  assert.equal(hrefs(hit.text), ['param.vcf']);
  const plain = await report(srv, USER, BOOK, addressQueryBody(paramFilters(['ZZZ']), { addressData: null }));
  assert.equal(hrefs(plain.text), ['plain.vcf']);
});

t('a prop-filter on a 400,000-character NOTE: the loop never held long', async ({ srv }) => {
  const body = addressQueryBody('<card:prop-filter name="NOTE"><card:text-match collation="i;unicode-casemap">zzz</card:text-match></card:prop-filter>', { addressData: null });
  for (let i = 0; i < 2; i++) {
    const run = await longestBlock(() => report(srv, USER, BOOK, body));
    assert.is(run.result.status, 207);
    assert.equal(hrefs(run.result.text), []);
    assert.ok(run.block < MAX_BLOCK_MS, `the event loop was held ${run.block.toFixed(0)} ms`);
  }
  const hit = await report(srv, USER, BOOK, addressQueryBody('<card:prop-filter name="NOTE"><card:text-match match-type="ends-with">ßﷺ</card:text-match></card:prop-filter>', { addressData: null }));
  assert.equal(hrefs(hit.text), ['note.vcf']);
});

t('8 negated text-matches on a DESCRIPTION of 400,000 × U+FDFA: folded once, the loop never held long', async ({ srv }) => {
  const idle = await idleLatency(srv);
  const run = await probeDuring(srv, () => longestBlock(() => srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: descriptionQuery(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'], true) })));
  assert.is(run.result.result.status, 207, run.result.result.text.slice(0, 300));
  assert.equal(hrefs(run.result.result.text), ['ascii.ics', 'fdfa.ics']);
  assert.ok(run.result.block < MAX_BLOCK_MS, `the event loop was held ${run.result.block.toFixed(0)} ms`);
  assertResponsive(run, idle);
  const hit = await srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: descriptionQuery(['ﷺ'], false) });
  assert.equal(hrefs(hit.text), ['fdfa.ics']);
});

t('8 negated text-matches in CalDAV\'s default collation (i;ascii-casemap) on a 1.5 MB DESCRIPTION: the loop never held long', async ({ srv }) => {
  const run = await longestBlock(() => srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: descriptionQuery(['N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7'], true, 'i;ascii-casemap') }));
  assert.is(run.result.status, 207, run.result.text.slice(0, 300));
  assert.equal(hrefs(run.result.text), ['ascii.ics', 'fdfa.ics']);
  assert.ok(run.block < MAX_BLOCK_MS, `the event loop was held ${run.block.toFixed(0)} ms`);
  const hit = await srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: descriptionQuery(['ipsum lorem'], false, 'i;ascii-casemap') });
  assert.equal(hrefs(hit.text), ['ascii.ics']);
});

t('past SUNDIAL_MAX_EVALUATION_MS both reports answer 403 max-instances, as a costly recurrence does', async ({ strict }) => {
  const cal = await longestBlock(() => strict.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: descriptionQuery(['n0', 'n1'], true) }));
  assert.is(cal.result.status, 403, cal.result.text.slice(0, 300));
  assert.ok(errorConditions(cal.result.text).includes(C('max-instances')));
  const card = await longestBlock(() => report(strict, USER, BOOK, addressQueryBody(paramFilters(['z0']), { addressData: null })));
  assert.is(card.result.status, 403, card.result.text.slice(0, 300));
  assert.ok(errorConditions(card.result.text).includes(C('max-instances')));
  assert.match(card.result.text, /a card/);
  // Small cards are not held to it: the plain card alone still answers.
  const plain = await report(strict, USER, BOOK.replace('contacts/', 'contacts/plain.vcf'), addressQueryBody(paramFilters(['zzz']), { addressData: null }), '0');
  assert.is(plain.status, 207, plain.text.slice(0, 300));
});

t.run();
