// The store contract, section shares: what every implementation of ShareStore (src/store/shares.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { Conflict, NotFound } from '../../../src/store/errors.js';
import { rejects, put, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function sharesContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'shares', makeStore);

  test('shares: sharee instance, own switch, access, unshare tombstone', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const cal = await store.createCollection(alice.id, { uri: 'work', kind: 'calendar', order: 1 });
    await calendar(store, bob, 'work');
    const bobBefore = await store.homeSeq(bob.id);

    const shared = await store.share(cal.id, bob.id, 'read');
    assert.is(shared.uri, 'work-alice', 'free uri in the sharee home');
    assert.is(shared.access, 'read');
    assert.is(shared.syncEnabled, true);
    assert.is(shared.collection.id, cal.id);
    assert.ok((await store.homeSeq(bob.id)) > bobBefore);
    assert.equal((await store.listInstances(bob.id)).map((i) => [i.uri, i.access]), [['work-alice', 'read'], ['work', 'owner']]);
    assert.equal(await store.listShares(cal.id), [{ collectionId: cal.id, userId: bob.id, username: 'bob', access: 'read' }]);
    // Bob can no longer create "work-alice" himself: the name is taken in his home.
    await rejects(store.createCollection(bob.id, { uri: 'work-alice', kind: 'calendar' }), Conflict);

    const rw = await store.share(cal.id, bob.id, 'read-write');
    assert.is(rw.uri, 'work-alice');
    assert.is(rw.access, 'read-write');
    assert.ok(rw.changedSeq > shared.changedSeq);
    await rejects(store.share(cal.id, alice.id, 'read'), Conflict);
    const plain = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    await rejects(store.share(plain.id, bob.id, 'read'), Conflict);
    await rejects(store.share(99999, bob.id, 'read'), NotFound);

    // The owner's switch is the owner's: bob keeps synchronizing.
    await store.setSyncEnabled(alice.id, 'work', false);
    assert.is((await store.getInstance(bob.id, 'work-alice'))!.syncEnabled, true);
    const b1 = await store.homeSeq(bob.id);
    await put(store, cal, 'a', 'ua');
    const b2 = await store.homeSeq(bob.id);
    assert.ok(b2 > b1, 'a write by the owner moves the sharee home');

    const carol = await user(store, 'carol');
    assert.is((await store.share(cal.id, carol.id, 'read')).uri, 'work');
    assert.equal((await store.listShares(cal.id)).map((s) => s.username), ['bob', 'carol']);

    await store.unshare(cal.id, bob.id);
    assert.is(await store.getInstance(bob.id, 'work-alice'), null);
    assert.ok((await store.homeSeq(bob.id)) > b2);
    assert.equal((await store.homeChangesSince(bob.id, b2)).map((c) => c.uri), ['work-alice']);
    await rejects(store.unshare(cal.id, bob.id), NotFound);
    await rejects(store.unshare(cal.id, alice.id), NotFound);

    // Deleting the calendar leaves a tombstone in every home that had it.
    const c1 = await store.homeSeq(carol.id);
    await store.deleteCollection(cal.id);
    assert.equal((await store.homeChangesSince(carol.id, c1)).map((c) => c.uri), ['work']);
    assert.equal(await store.listInstances(carol.id), []);
  });

  test.run();
}
