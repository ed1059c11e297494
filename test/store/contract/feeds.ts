// The store contract, section feeds: what every implementation of FeedStore (src/store/feeds.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { Conflict, LimitReached, NotFound } from '../../../src/store/errors.js';
import { rejects, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function feedsContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'feeds', makeStore);

  test('feeds: create, find by hash, rotate, touch, delete', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'work');
    const all = await store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h-all', details: 'busy', alarms: false, label: 'Outlook' });
    const one = await store.createFeedToken({ userId: alice.id, collectionId: cal.id, tokenHash: 'h-one', details: 'full', alarms: true });
    assert.equal(await store.findFeedToken('h-all'), all);
    assert.is(all.lastUsedAt, null);
    assert.equal((await store.listFeedTokens(alice.id)).map((f) => f.id), [all.id, one.id]);
    await rejects(store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h-all', details: 'full', alarms: true }), Conflict);
    await store.touchFeedToken(one.id, '2030-01-01T00:00:00.000Z');
    assert.is((await store.findFeedToken('h-one'))!.lastUsedAt, '2030-01-01T00:00:00.000Z');
    const rotated = await store.rotateFeedToken(alice.id, one.id, 'h-new');
    assert.is(rotated.id, one.id);
    assert.is(await store.findFeedToken('h-one'), null);
    assert.is((await store.findFeedToken('h-new'))!.collectionId, cal.id);
    await store.deleteFeedToken(alice.id, all.id);
    assert.is(await store.findFeedToken('h-all'), null);
    await rejects(store.deleteFeedToken(alice.id, all.id), NotFound);
    await store.deleteCollection(cal.id);
    assert.is(await store.findFeedToken('h-new'), null, 'a calendar feed goes with its calendar');
  });

  test('feeds: maxPerUser holds for concurrent creations (counted in the write transaction)', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    await store.createFeedToken({ userId: bob.id, collectionId: null, tokenHash: 'bob-0', details: 'full', alarms: false });
    // On PostgreSQL these run on several pooled connections at once: a count read before the
    // insert let every one of them see room for one more.
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) =>
      store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: `h-${i}`, details: 'full', alarms: false, maxPerUser: 5 })));
    assert.is(results.filter((r) => r.status === 'fulfilled').length, 5);
    for (const r of results) if (r.status === 'rejected') assert.instance(r.reason, LimitReached);
    assert.is((await store.listFeedTokens(alice.id)).length, 5);
    // Per user: bob's link did not count, and the limit counts his own.
    await store.createFeedToken({ userId: bob.id, collectionId: null, tokenHash: 'bob-1', details: 'full', alarms: false, maxPerUser: 2 });
    await rejects(store.createFeedToken({ userId: bob.id, collectionId: null, tokenHash: 'bob-2', details: 'full', alarms: false, maxPerUser: 2 }), LimitReached);
    // Without maxPerUser there is no limit in the store.
    await store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h-free', details: 'full', alarms: false });
    assert.is((await store.listFeedTokens(alice.id)).length, 6);
  });

  test.run();
}
