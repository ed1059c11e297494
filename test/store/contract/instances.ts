// The store contract, section instances: what every implementation of InstanceStore (src/store/instances.ts): the switch and the home token it moves must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { NotFound } from '../../../src/store/errors.js';
import { rejects, put, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function instancesContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'instances', makeStore);

  test('sync: home token moves with content, switch off (tombstone) and on', async ({ store }) => {
    const alice = await user(store, 'alice');
    const h0 = await store.homeSeq(alice.id);
    const cal = await calendar(store, alice, 'work');
    const inst = (await store.getInstance(alice.id, 'work'))!;
    assert.is(inst.access, 'owner');
    assert.is(inst.syncEnabled, true);
    const h1 = await store.homeSeq(alice.id);
    assert.ok(h1 > h0, 'a new calendar moves the home token');
    assert.is(inst.changedSeq, h1);

    await put(store, cal, 'a', 'ua');
    const h2 = await store.homeSeq(alice.id);
    assert.ok(h2 > h1, 'content change in a listed calendar');
    await store.updateCollection(cal.id, { color: '#00ff00' });
    const h3 = await store.homeSeq(alice.id);
    assert.ok(h3 > h2, 'property change of a listed calendar');

    const off = await store.setSyncEnabled(alice.id, 'work', false);
    assert.is(off.syncEnabled, false);
    const h4 = await store.homeSeq(alice.id);
    assert.ok(h4 > h3, 'switching off');
    assert.equal((await store.homeChangesSince(alice.id, h3)).map((c) => [c.uri, c.removed]), [['work', true]]);
    assert.equal(await store.homeChangesSince(alice.id, h4), []);
    assert.equal(await store.listInstances(alice.id, { syncOnly: true }), []);
    assert.is((await store.listInstances(alice.id)).length, 1);

    await put(store, cal, 'b', 'ub');
    assert.is(await store.homeSeq(alice.id), h4, 'content of a switched-off calendar does not move the home');

    const on = await store.setSyncEnabled(alice.id, 'work', true);
    const h5 = await store.homeSeq(alice.id);
    assert.ok(h5 > h4, 'switching on');
    assert.is(on.changedSeq, h5);
    assert.equal(await store.homeChangesSince(alice.id, h3), [], 'a calendar listed again is no tombstone');
    assert.is((await store.setSyncEnabled(alice.id, 'work', true)).changedSeq, h5, 'no-op switch');
    await rejects(store.setSyncEnabled(alice.id, 'nope', false), NotFound);

    await store.moveCollection(cal.id, null, 'job');
    const h6 = await store.homeSeq(alice.id);
    assert.ok(h6 > h5);
    assert.equal((await store.homeChangesSince(alice.id, h5)).map((c) => c.uri), ['work'], 'rename leaves a tombstone for the old uri');
    await store.deleteCollection(cal.id);
    assert.ok((await store.homeSeq(alice.id)) > h6);
    assert.equal((await store.homeChangesSince(alice.id, h6)).map((c) => c.uri), ['job']);
  });


  test('instances: listInstances orders by calendar-order (unordered last), then uri; getInstance by uri', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    await store.createCollection(alice.id, { uri: 'c', kind: 'calendar', order: 2 });
    await store.createCollection(alice.id, { uri: 'a', kind: 'calendar' });
    await store.createCollection(alice.id, { uri: 'b', kind: 'calendar', order: 1 });
    await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    const shared = await calendar(store, bob, 'team');
    await store.share(shared.id, alice.id, 'read-write');
    assert.equal((await store.listInstances(alice.id)).map((i) => i.uri), ['b', 'c', 'a', 'team'], 'plain collections have no instance');
    await store.setSyncEnabled(alice.id, 'c', false);
    assert.equal((await store.listInstances(alice.id, { syncOnly: true })).map((i) => i.uri), ['b', 'a', 'team']);
    assert.equal((await store.listInstances(alice.id, { syncOnly: false })).map((i) => [i.uri, i.syncEnabled]), [['b', true], ['c', false], ['a', true], ['team', true]]);
    const team = (await store.getInstance(alice.id, 'team'))!;
    assert.equal([team.userId, team.access, team.collection.id, team.collection.ownerId], [alice.id, 'read-write', shared.id, bob.id]);
    assert.is(await store.getInstance(alice.id, 'files'), null, 'a plain collection is no instance');
    assert.is(await store.getInstance(bob.id, 'a'), null, 'another user\'s calendar is not in this home');
    assert.equal(await store.listInstances(99999), []);
  });
  test.run();
}
