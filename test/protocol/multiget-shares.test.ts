// The multiget that clients send after a listing (getetag and calendar-data, any cheap
// properties) reads each run of up to 100 member hrefs in one statement, every body up to an equal
// share of the 4 MB batch budget (store getObjectTextsUpTo); a body larger than its share is read
// and answered on its own (reports/multiget.ts textPages). Mixed with small members, missing ones,
// a repeated href and an href in another calendar, the answer must still hold every href once, in
// the order sent, each body byte for byte, and the reads must be the ones the design promises: a
// multiget of members only is one statement, not sizes then texts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, D, XML_HEADERS, ical, multigetBody, parseMultistatus, prop, putOk } from '../helpers/dav.js';
import { textOf } from '../../src/xml/parse.js';
import { spyOnStore } from '../helpers/row-paths.js';
import { login } from '../web/session.js';

interface Ctx { setupError?: unknown; srv: TestServer; calls: Record<string, number> }
const t = suite<Ctx>('multiget: one read per run of hrefs, bodies larger than their share alone');

const CAL = '/dav/calendars/alice/personal/';
const OTHER = '/dav/calendars/alice/other/';
const SMALL = 60;
/** Three bodies of ~120 KB: larger than a share of 4 MB among 60 or more hrefs (~70 KB), smaller than one among 10. */
const LARGE = ['big0.ics', 'big1.ics', 'big2.ics'];
const bodies = new Map<string, string>();

function large(uid: string): string {
  // A long DESCRIPTION, folded at 75 octets as RFC 5545 §3.1 asks.
  const text = `DESCRIPTION:${'minutes of the meeting, '.repeat(5200)}`;
  const folded = text.match(/.{1,74}/g)!.join('\r\n ');
  return ical(uid, { summary: `Large ${uid}`, extra: [folded] });
}

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  const alice = await login(ctx.srv, 'alice');
  await alice.ok('POST', '/calendars', { displayName: 'other' });
  for (let i = 0; i < SMALL; i++) {
    const name = `e${i}.ics`;
    bodies.set(CAL + name, ical(`e${i}`, { summary: `Event ${i} Réunion ✓` }));
  }
  for (const name of LARGE) bodies.set(CAL + name, large(name.replace('.ics', '')));
  bodies.set(OTHER + 'x.ics', ical('x', { summary: 'In the other calendar' }));
  for (const [href, body] of bodies) await putOk(ctx.srv, 'alice', href, body);
  // A large private event, and the calendar shared with rita (read).
  await putOk(ctx.srv, 'alice', CAL + 'bigpriv.ics', large('bigpriv').replace('SUMMARY:Large bigpriv', 'SUMMARY:Large bigpriv\r\nCLASS:PRIVATE'));
  await ctx.srv.addUser('rita');
  await alice.ok('PUT', '/calendars/personal/shares/rita', { access: 'read' });
  ctx.calls = {};
  spyOnStore(ctx.srv.store, ['getObjectTextsUpTo', 'getObjectTexts', 'getObjectSizes', 'getObjects'], (m) => { ctx.calls[m] = (ctx.calls[m] ?? 0) + 1; });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

async function multiget(ctx: Ctx, hrefs: string[]) {
  ctx.calls = {};
  const res = await ctx.srv.request('REPORT', CAL, { user: 'alice', headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody(hrefs, [D('getetag'), C('calendar-data')]) });
  assert.is(res.status, 207, res.text.slice(0, 300));
  return parseMultistatus(res.text).responses;
}

t('large bodies among small ones, a missing href, a repeated one and one elsewhere: each once, in order, byte for byte', async (ctx) => {
  const small = [...bodies.keys()].filter((h) => h.startsWith(CAL) && !h.includes('big'));
  const hrefs = [
    ...small.slice(0, 20), CAL + LARGE[0]!, ...small.slice(20, 40), CAL + 'missing.ics', CAL + LARGE[1]!,
    small[3]!, OTHER + 'x.ics', ...small.slice(40), CAL + LARGE[2]!,
  ];
  const responses = await multiget(ctx, hrefs);
  const expected = [...new Set(hrefs)];
  assert.equal(responses.map((r) => r.href), expected, 'every href once, where it first appears');
  for (const r of responses) {
    if (r.href.endsWith('missing.ics')) {
      assert.is(r.status, 404);
      continue;
    }
    const data = prop(r, C('calendar-data'));
    assert.ok(data, `${r.href} has calendar-data`);
    assert.is(textOf(data!), bodies.get(r.href), `${r.href}: the body as PUT`);
    assert.ok(prop(r, D('getetag')), `${r.href} has getetag`);
  }
  // Two runs of members around the href elsewhere, each one statement. The first run has 43
  // hrefs (a share of ~97 KB): its two large bodies are read again, each on its own. The second
  // has 21 (~195 KB): its large body fits. No size pass, no whole objects.
  assert.equal(ctx.calls, { getObjectTextsUpTo: 2, getObjectTexts: 2 }, JSON.stringify(ctx.calls));
});

t('a multiget of members only (what DAVx5 sends, 10 hrefs) is one statement, large bodies included when they fit their share', async (ctx) => {
  const hrefs = [CAL + 'e1.ics', CAL + LARGE[0]!, CAL + 'e2.ics', CAL + LARGE[1]!, ...[3, 4, 5, 6, 7, 8].map((i) => `${CAL}e${i}.ics`)];
  const responses = await multiget(ctx, hrefs);
  assert.equal(responses.map((r) => r.href), hrefs);
  for (const r of responses) assert.is(textOf(prop(r, C('calendar-data'))!), bodies.get(r.href));
  assert.equal(ctx.calls, { getObjectTextsUpTo: 1 }, JSON.stringify(ctx.calls));
});

t('DAVx5 pacing: multigets of 10 several at a time, each on its own connection, each answer exactly its hrefs', async (ctx) => {
  // DAVx5 downloads its batches of 10 two to eight at a time (scripts/bench/variants.ts
  // DAVX5_FETCH_CONCURRENCY). Answers are streamed, so the server interleaves them: none may carry
  // another's members or bodies.
  const all = [...bodies.keys()].filter((h) => h.startsWith(CAL));
  const batches = Array.from({ length: Math.ceil(all.length / 10) }, (_, i) => all.slice(i * 10, i * 10 + 10));
  const answers = await Promise.all(batches.map((hrefs) => ctx.srv.request('REPORT', CAL, { user: 'alice', headers: { ...XML_HEADERS, Depth: '0' }, body: multigetBody(hrefs, [D('getcontenttype'), D('getetag'), C('schedule-tag'), C('calendar-data')]) })));
  batches.forEach((hrefs, i) => {
    assert.is(answers[i]!.status, 207);
    const responses = parseMultistatus(answers[i]!.text).responses;
    assert.equal(responses.map((r) => r.href), hrefs, `batch ${i}`);
    for (const r of responses) assert.is(textOf(prop(r, C('calendar-data'))!), bodies.get(r.href), r.href);
  });
});

t("a sharee: a large private event is 404 and its body is never read; a large public one is answered whole", async (ctx) => {
  const rita = '/dav/calendars/rita/personal/';
  // The shared calendar's path in rita's home (her own "personal", inbox and outbox aside).
  const list = parseMultistatus((await ctx.srv.request('PROPFIND', '/dav/calendars/rita/', { user: 'rita', headers: { ...XML_HEADERS, Depth: '1' }, body: '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>' })).text);
  const shared = list.responses.map((r) => r.href).find((h) => h !== '/dav/calendars/rita/' && h !== rita && /\/dav\/calendars\/rita\/[^/]+\/$/.test(h) && !/inbox|outbox/.test(h));
  assert.ok(shared, JSON.stringify(list.responses.map((r) => r.href)));
  const hrefs = [...Array.from({ length: 60 }, (_, i) => `${shared}e${i}.ics`), `${shared}bigpriv.ics`, `${shared}${LARGE[0]}`];
  ctx.calls = {};
  const answer = await ctx.srv.request('REPORT', shared!, { user: 'rita', headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody(hrefs, [D('getetag'), C('calendar-data')]) });
  assert.is(answer.status, 207);
  const responses = parseMultistatus(answer.text).responses;
  assert.equal(responses.map((r) => r.href), hrefs);
  assert.is(responses.find((r) => r.href.endsWith('bigpriv.ics'))!.status, 404);
  assert.not.ok(answer.text.includes('Large bigpriv'), 'nothing of the private event');
  assert.is(textOf(prop(responses.at(-1), C('calendar-data'))!), bodies.get(CAL + LARGE[0]));
  // One statement for the 62 hrefs; the large public body read again alone; the private one never.
  assert.equal(ctx.calls, { getObjectTextsUpTo: 1, getObjectTexts: 1 }, JSON.stringify(ctx.calls));
});

t('more than 100 hrefs: a statement per run of 100', async (ctx) => {
  const small = [...bodies.keys()].filter((h) => h.startsWith(CAL) && !h.includes('big'));
  const missing = Array.from({ length: 90 }, (_, i) => `${CAL}nope${i}.ics`);
  const hrefs = [...small, ...missing];
  const responses = await multiget(ctx, hrefs);
  assert.equal(responses.map((r) => r.href), hrefs);
  assert.is(responses.filter((r) => r.status === 404).length, missing.length);
  assert.equal(ctx.calls, { getObjectTextsUpTo: 2 }, JSON.stringify(ctx.calls));
});

t.run();
