// The store contract, section collections: what every implementation of CollectionStore (src/store/collections.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { Conflict, LimitReached, NotFound } from '../../../src/store/errors.js';
import { rejects, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function collectionsContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'collections', makeStore);

  test('collections: create, find, list, update, move, delete, uri clash', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await store.createCollection(alice.id, { uri: 'work', kind: 'calendar', displayName: 'Work', color: '#ff0000', order: 2 });
    assert.equal(cal.components, ['VEVENT', 'VTODO', 'VJOURNAL']);
    assert.is(cal.parentId, null);
    assert.is(cal.objectCount, 0);
    assert.ok(cal.syncSeq > 0);
    assert.equal(await store.getCollection(cal.id), cal);
    assert.equal(await store.findCollection(alice.id, null, 'work'), cal);
    assert.is(await store.findCollection(alice.id, null, 'nope'), null);
    const journal = await store.createCollection(alice.id, { uri: 'notes', kind: 'calendar', components: ['VJOURNAL'] });
    assert.equal(journal.components, ['VJOURNAL']);

    const dir = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    const sub = await store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: dir.id });
    assert.equal((await store.listChildCollections(alice.id, null)).map((c) => c.uri), ['files', 'notes', 'work']);
    assert.equal((await store.listChildCollections(alice.id, dir.id)).map((c) => c.uri), ['sub']);
    assert.equal(await store.findCollection(alice.id, dir.id, 'sub'), sub);

    await rejects(store.createCollection(alice.id, { uri: 'work', kind: 'calendar' }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'work', kind: 'plain' }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: dir.id }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'cal', kind: 'calendar', parentId: dir.id }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'x', kind: 'plain', parentId: cal.id }), Conflict);
    // The same uri is fine elsewhere: nested, or in another home.
    await store.createCollection(alice.id, { uri: 'work', kind: 'plain', parentId: dir.id });
    const bob = await user(store, 'bob');
    await calendar(store, bob, 'work');

    const updated = await store.updateCollection(cal.id, { displayName: 'Job', color: null });
    assert.is(updated.displayName, 'Job');
    assert.is(updated.color, null);
    assert.is(updated.order, 2, 'undefined leaves a field alone');
    assert.ok(updated.syncSeq > cal.syncSeq, 'a property change moves the token');
    await rejects(store.updateCollection(99999, { displayName: 'x' }), NotFound);

    const moved = await store.moveCollection(cal.id, null, 'job');
    assert.is(moved.uri, 'job');
    assert.is((await store.getInstance(alice.id, 'job'))?.collection.id, cal.id);
    assert.is(await store.getInstance(alice.id, 'work'), null);
    await rejects(store.moveCollection(cal.id, null, 'notes'), Conflict);
    await rejects(store.moveCollection(dir.id, sub.id, 'loop'), Conflict);
    const movedSub = await store.moveCollection(sub.id, null, 'top');
    assert.is(movedSub.parentId, null);

    await store.deleteCollection(dir.id);
    assert.is(await store.getCollection(dir.id), null);
    assert.is((await store.getCollection(movedSub.id))?.uri, 'top');
    await store.deleteCollection(cal.id);
    assert.is(await store.getCollection(cal.id), null);
    assert.is(await store.getInstance(alice.id, 'job'), null);
    await rejects(store.deleteCollection(cal.id), NotFound);
  });

  test('collections: keepLastOwn keeps one of a kind per home, also against concurrent deletes', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const a = await calendar(store, alice, 'a');
    const b = await calendar(store, alice, 'b');
    await calendar(store, bob, 'bobs');
    const book = await store.createCollection(alice.id, { uri: 'contacts', kind: 'addressbook', home: 'addressbooks' });
    const files = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    // On PostgreSQL these two run at once on pooled connections.
    const results = await Promise.allSettled([store.deleteCollection(a.id, { keepLastOwn: true }), store.deleteCollection(b.id, { keepLastOwn: true })]);
    assert.is(results.filter((r) => r.status === 'fulfilled').length, 1, 'one of the two calendars is deleted');
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.instance(refused.reason, LimitReached);
    assert.is((await store.listChildCollections(alice.id, null, 'calendars')).filter((c) => c.kind === 'calendar').length, 1);
    // Per kind and home: alice's one address book is her last, her plain collection and bob's
    // calendar do not count for her calendars.
    await rejects(store.deleteCollection(book.id, { keepLastOwn: true }), LimitReached);
    assert.ok(await store.getCollection(book.id));
    await store.deleteCollection(files.id, { keepLastOwn: true }); // plain collections are not kept
    // Without the option the last one goes.
    await store.deleteCollection(book.id);
    assert.is(await store.getCollection(book.id), null);
  });

  test.run();
}
