// The store contract, section counters: what every implementation of CounterStore (src/store/counters.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { contractSuite, type StoreFactory } from './helpers.js';

export function countersContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'counters', makeStore);

  test('counters: bump within a window, restart after it, read, set and delete', async ({ store }) => {
    const t = 1_000_000;
    assert.equal(await store.getCounters(['a', 'b'], t), [null, null]);
    assert.equal(await store.bumpCounters(['a', 'b'], t + 100, t), [1, 1]);
    assert.equal(await store.bumpCounters(['a'], t + 200, t + 50), [2]);
    assert.equal(await store.getCounters(['b', 'a', 'c'], t + 60), [{ count: 1, until: t + 100 }, { count: 2, until: t + 200 }, null]);
    assert.equal(await store.getCounters(['b'], t + 100), [null], 'a window that ended counts as no counter');
    assert.equal(await store.bumpCounters(['b'], t + 300, t + 150), [1], 'and a bump after it starts again at one');
    await store.setCounter('mark', 1, t + 1000);
    await store.setCounter('mark', 3, t + 2000);
    assert.equal(await store.getCounters(['mark'], t), [{ count: 3, until: t + 2000 }]);
    await store.deleteCounter('mark');
    await store.deleteCounter('never');
    assert.equal(await store.getCounters(['mark'], t), [null]);
    const odd = JSON.stringify(['login-pair', 'ann "o\'hara"\n', '2001:db8::1']);
    assert.equal(await store.bumpCounters([odd], t + 100, t), [1]);
    assert.equal(await store.getCounters([odd], t), [{ count: 1, until: t + 100 }]);
  });

  test('counters: concurrent bumps all count', async ({ store }) => {
    const t = Date.now();
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.bumpCounters(['k'], t + 60_000, t)));
    assert.equal(counts.map((c) => c[0]).sort((a, b) => a! - b!), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('counters: unbump takes back one bump, and its window end unless a later bump moved it', async ({ store }) => {
    const t = 1_000_000;
    await store.bumpCounters(['a'], t + 100, t);
    assert.equal(await store.bumpCounters(['a'], t + 200, t + 50), [2]);
    await store.unbumpCounters(['a'], t + 200, [t + 100], t + 60);
    assert.equal(await store.getCounters(['a'], t + 60), [{ count: 1, until: t + 100 }], 'the count and the end read before the bump are back');
    await store.bumpCounters(['b'], t + 100, t);
    await store.bumpCounters(['b'], t + 200, t + 10); // the one taken back
    await store.bumpCounters(['b'], t + 300, t + 20); // a later one, which stays with its window
    await store.unbumpCounters(['b'], t + 200, [t + 100], t + 30);
    assert.equal(await store.getCounters(['b'], t + 30), [{ count: 2, until: t + 300 }]);
    await store.bumpCounters(['c', 'd'], t + 100, t);
    await store.unbumpCounters(['c', 'd'], t + 100, [null, null], t + 10);
    assert.equal(await store.getCounters(['c', 'd'], t + 10), [null, null], 'a counter taken back to zero is gone');
    assert.equal(await store.bumpCounters(['c'], t + 200, t + 20), [1], 'and a bump starts it again at one');
    await store.unbumpCounters(['never'], t + 100, [null], t); // unknown: ignored
    await store.bumpCounters(['e'], t + 100, t);
    await store.unbumpCounters(['e'], t + 100, [null], t + 100);
    assert.equal(await store.bumpCounters(['e'], t + 300, t + 200), [1], 'an ended window is not touched: a bump after it starts at one');
  });

  test('counters: concurrent bumps and unbumps all count', async ({ store }) => {
    const t = Date.now();
    await Promise.all([
      ...Array.from({ length: 20 }, () => store.bumpCounters(['k'], t + 60_000, t)),
      ...Array.from({ length: 10 }, () => store.bumpCounters(['k'], t + 60_000, t).then(() => store.unbumpCounters(['k'], t + 60_000, [null], t))),
    ]);
    assert.equal(await store.getCounters(['k'], t), [{ count: 20, until: t + 60_000 }]);
  });

  test.run();
}
