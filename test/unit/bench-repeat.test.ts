// The bench's repetition rules (scripts/bench/repeat.ts): warm-up runs until the server stops
// getting faster, bounded; timed runs under a budget, each told its index.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repeatWithin, warmUp } from '../../scripts/bench/repeat.js';

function seq(times: number[]): { run: () => Promise<number>; calls: () => number } {
  let i = 0;
  return { run: async () => times[Math.min(i++, times.length - 1)]!, calls: () => i };
}

test('warm-up: runs while each run is more than 5% faster than the best before it', async () => {
  const s = seq([1400, 950, 680, 600, 590, 400]);
  // 950 < 0.95 × 1400, 680 < 0.95 × 950, 600 < 0.95 × 680, 590 > 0.95 × 600: stop after 5.
  assert.equal(await warmUp(10, s.run), { coldMs: 1400, runs: 5 });
  assert.is(s.calls(), 5);
});

test('warm-up: a server already warm costs one extra run; a slower second run stops it too', async () => {
  assert.equal(await warmUp(10, seq([60, 59]).run), { coldMs: 60, runs: 2 });
  assert.equal(await warmUp(10, seq([60, 90, 30]).run), { coldMs: 60, runs: 2 });
});

test('warm-up: never more than max runs, at least one', async () => {
  const s = seq([1000, 800, 600, 400, 200, 100]);
  assert.equal(await warmUp(3, s.run), { coldMs: 1000, runs: 3 });
  assert.is(s.calls(), 3);
  assert.equal(await warmUp(1, seq([5, 1]).run), { coldMs: 5, runs: 1 });
});

test('warm-up with a patience of 2: one run that is not faster does not end it, two in a row do', async () => {
  // 1000; 800 faster; 820 not (flat 1); 600 faster (flat 0); 590, 610 not (flat 2): stop after 6.
  const s = seq([1000, 800, 820, 600, 590, 610, 300]);
  assert.equal(await warmUp(10, s.run, 2), { coldMs: 1000, runs: 6 });
  assert.is(s.calls(), 6);
  assert.equal(await warmUp(4, seq([1000, 900, 800, 700, 600]).run, 2), { coldMs: 1000, runs: 4 }, 'still bounded by max');
});

test('repeatWithin: max runs, each given its index; at least one run when the budget is spent', async () => {
  const seen: number[] = [];
  assert.equal(await repeatWithin(4, 60, async (i) => { seen.push(i); return i * 10; }), [0, 10, 20, 30]);
  assert.equal(seen, [0, 1, 2, 3]);
  const once = await repeatWithin(5, 0, async (i) => { await new Promise((r) => setTimeout(r, 2)); return i; });
  assert.equal(once, [0]);
});

test.run();
