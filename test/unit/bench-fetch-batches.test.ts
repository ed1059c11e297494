// The initial sync's multigets (scripts/bench/fetch-batches.ts): batches of the shape's size, at
// most `concurrency` in flight, answers in batch order whatever order they finish in, and a
// failed batch fails the sync; DAVx5's are sent while the listing still arrives. And a reference
// variant has no target to meet or miss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchInBatches, listAndFetch, ListingReader, type Listed } from '../../scripts/bench/fetch-batches.js';
import type { Reply } from '../../scripts/bench/http.js';
import { meetsVariantTarget, targetCell } from '../../scripts/bench/run-variants.js';
import { DAVX5_FETCH_CONCURRENCY, VARIANTS, type Shape } from '../../scripts/bench/variants.js';
import { BOOK_VARIANTS } from '../../scripts/bench/addressbook-variants.js';

const shape = (batch: number, concurrency?: number): Shape => ({ method: 'REPORT', depth: '1', contentType: 'text/xml', body: '', batch, concurrency });
const hrefs = Array.from({ length: 25 }, (_, i) => `/c/${i}.ics`);
const reply = (body: string): Reply => ({ status: 207, headers: {}, body, ms: 0 });

async function run(s: Shape, delay: (i: number) => number) {
  let inFlight = 0;
  let most = 0;
  let n = 0;
  const answers = await fetchInBatches(hrefs, s, async (batch) => {
    const i = n++;
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, delay(i)));
    inFlight--;
    return reply(batch.join(','));
  });
  return { answers: answers.map((a) => a.body), most };
}

test('batches of the shape size, in order, one at a time by default', async () => {
  const { answers, most } = await run(shape(10), () => 1);
  assert.equal(answers, [hrefs.slice(0, 10).join(','), hrefs.slice(10, 20).join(','), hrefs.slice(20).join(',')]);
  assert.is(most, 1);
});

test('concurrency bounds the requests in flight; answers stay in batch order when later ones finish first', async () => {
  const { answers, most } = await run(shape(2, 3), (i) => (i % 3 === 0 ? 15 : 1));
  assert.is(most, 3);
  assert.is(answers.length, 13);
  assert.equal(answers.join(',').split(','), hrefs);
});

test('batch 0 names every href in one request', async () => {
  const { answers } = await run(shape(0), () => 0);
  assert.equal(answers, [hrefs.join(',')]);
});

test('a failed batch fails the sync', async () => {
  let n = 0;
  const failed = await fetchInBatches(hrefs, shape(5, 2), async (batch) => {
    if (n++ === 2) throw new Error('HTTP 500');
    return reply(batch.join(','));
  }).then(() => null, (err: Error) => err.message);
  assert.is(failed, 'HTTP 500');
});

test('DAVx5 variants fetch concurrently; the serial one is a reference with no target', () => {
  assert.ok(DAVX5_FETCH_CONCURRENCY >= 2);
  for (const list of [VARIANTS, BOOK_VARIANTS] as const) {
    const main = list.find((v) => v.name.endsWith('davx5-initial-sync'))!;
    const serial = list.find((v) => v.name.endsWith('davx5-initial-sync-serial'))!;
    assert.is(main.fetch!.concurrency, DAVX5_FETCH_CONCURRENCY);
    assert.not.ok(main.reference);
    assert.is(serial.fetch!.concurrency, 1);
    assert.is(main.fetch!.pipelined, true);
    assert.not.ok(serial.fetch!.pipelined);
    assert.ok(serial.reference);
    assert.is(serial.fetch!.body, main.fetch!.body, 'same request, only the pacing differs');
    for (const v of list) if (v.fetch && v.client !== 'DAVx5') assert.is(v.fetch.concurrency ?? 1, 1, `${v.name}: one at a time`);
    for (const v of list) if (v.fetch && v.client !== 'DAVx5') assert.not.ok(v.fetch.pipelined, `${v.name}: after the listing`);
  }
  const slow = { kind: 'initial-sync' as const, value: 900, exact: true };
  assert.is(meetsVariantTarget(slow), false);
  assert.is(meetsVariantTarget({ ...slow, reference: 'tracks x' }), null);
  assert.is(targetCell({ ...slow, reference: 'tracks x' }), 'none (reference)');
  assert.is(targetCell({ ...slow, value: 500 }), '≤ 600 ✓');
});

// A sync-collection answer of `n` members (the collection's own href first, one removed member),
// cut into chunks of `cut` characters: tags and hrefs are split between chunks.
function listingText(n: number): string {
  const members = Array.from({ length: n }, (_, i) => `<d:response><d:href>/c/${i}.ics</d:href><d:propstat><d:prop><d:getetag>"e${i}"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/</d:href><d:status>HTTP/1.1 200 OK</d:status><d:responsedescription>self</d:responsedescription></d:response>${members.join('')}<d:response><d:href>/c/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response><d:sync-token>t1</d:sync-token></d:multistatus>`;
}
const chunksOf = (s: string, cut: number) => Array.from({ length: Math.ceil(s.length / cut) }, (_, i) => s.slice(i * cut, (i + 1) * cut));
const wanted = (m: Listed) => (m.status !== 404 && m.href !== '/c/' ? m.href : null);

test('ListingReader passes on each member once its end tag is in, whatever the chunk boundaries', () => {
  const text = listingText(23);
  for (const cut of [1, 7, 64, 100000]) {
    const seen: Listed[] = [];
    const r = new ListingReader((m) => seen.push(m));
    for (const c of chunksOf(text, cut)) r.push(c);
    assert.is(seen.length, 25, `cut ${cut}`);
    assert.equal(seen[0], { href: '/c/', status: 200 });
    assert.equal(seen.at(-1), { href: '/c/gone.ics', status: 404 });
    assert.equal(seen.slice(1, -1).map((m) => m.href), Array.from({ length: 23 }, (_, i) => `/c/${i}.ics`));
  }
});

/** A listing whose chunks arrive 2 ms apart, recording when it ended. */
function slowListing(text: string, log: string[]) {
  return async (onText?: (t: string) => void) => {
    for (const c of chunksOf(text, 300)) {
      onText?.(c);
      await new Promise((r) => setTimeout(r, 2));
    }
    log.push('listed');
    return reply(onText ? '' : text);
  };
}

test('pipelined: batches are sent while the listing arrives, at most `concurrency` at once, answers in batch order', async () => {
  const log: string[] = [];
  let inFlight = 0;
  let most = 0;
  const { answers } = await listAndFetch(slowListing(listingText(23), log), wanted, shape(10, 2), async (batch) => {
    log.push(`fetch ${batch.length}`);
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    return reply(batch.join(','));
  });
  const s = { ...shape(10, 2), pipelined: true };
  const piped: string[] = [];
  const p = await listAndFetch(slowListing(listingText(23), piped), wanted, s, async (batch) => {
    piped.push(`fetch ${batch.length}`);
    await new Promise((r) => setTimeout(r, 1));
    return reply(batch.join(','));
  });
  // After the listing without the flag; the first batch before the listing's end with it, the
  // short last batch once it has ended.
  assert.equal(log, ['listed', 'fetch 10', 'fetch 10', 'fetch 3']);
  assert.is(piped[0], 'fetch 10');
  assert.ok(piped.indexOf('listed') > 0 && piped.indexOf('listed') < piped.indexOf('fetch 3'), piped.join(' | '));
  assert.is(most, 2);
  assert.equal(p.answers.map((a) => a.body), answers.map((a) => a.body));
  assert.equal(answers.map((a) => a.body).join(',').split(','), Array.from({ length: 23 }, (_, i) => `/c/${i}.ics`));
});

test('pipelined: a failed listing or a failed batch fails the sync', async () => {
  const s = { ...shape(10, 2), pipelined: true };
  const badList = async (onText?: (t: string) => void) => {
    onText?.(listingText(23).slice(0, 2000));
    throw new Error('listing: HTTP 500');
  };
  let fetched = 0;
  const e1 = await listAndFetch(badList, wanted, s, async (batch) => {
    fetched++;
    return reply(batch.join(','));
  }).then(() => null, (err: Error) => err.message);
  assert.is(e1, 'listing: HTTP 500');
  const e2 = await listAndFetch(slowListing(listingText(23), []), wanted, s, async (batch) => {
    if (batch[0] === '/c/10.ics') throw new Error('multiget: HTTP 500');
    return reply(batch.join(','));
  }).then(() => null, (err: Error) => err.message);
  assert.is(e2, 'multiget: HTTP 500');
  assert.ok(fetched <= 1, 'no batch after the listing failed but those already named');
});

test.run();
