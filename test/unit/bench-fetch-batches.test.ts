// The initial sync's multigets (scripts/bench/fetch-batches.ts): batches of the shape's size, at
// most `concurrency` in flight, answers in batch order whatever order they finish in, and a
// failed batch fails the sync. And a reference variant has no target to meet or miss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchInBatches } from '../../scripts/bench/fetch-batches.js';
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
    assert.ok(serial.reference);
    assert.is(serial.fetch!.body, main.fetch!.body, 'same request, only the pacing differs');
    for (const v of list) if (v.fetch && v.client !== 'DAVx5') assert.is(v.fetch.concurrency ?? 1, 1, `${v.name}: one at a time`);
  }
  const slow = { kind: 'initial-sync' as const, value: 900, exact: true };
  assert.is(meetsVariantTarget(slow), false);
  assert.is(meetsVariantTarget({ ...slow, reference: 'tracks x' }), null);
  assert.is(targetCell({ ...slow, reference: 'tracks x' }), 'none (reference)');
  assert.is(targetCell({ ...slow, value: 500 }), '≤ 600 ✓');
});

test.run();
