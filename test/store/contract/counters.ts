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

  test.run();
}
