// The store contract, section addressbooks: what every implementation must do for CardDAV address
// books (RFC 6352, issue 14) across the interfaces — the address-book home as a namespace of its
// own beside the calendar home, instances with the switch, shares, cards and the change log per
// home. Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { Conflict, NotFound, UidConflict } from '../../../src/store/errors.js';
import type { Collection, Store, User } from '../../../src/store/types.js';
import { rejects, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

const vcard = (uid: string, fn = 'x'): Buffer =>
  Buffer.from(`BEGIN:VCARD\r\nVERSION:4.0\r\nUID:${uid}\r\nFN:${fn}\r\nEND:VCARD\r\n`);

const addressbook = (store: Store, owner: User, uri: string): Promise<Collection> =>
  store.createCollection(owner.id, { uri, kind: 'addressbook', displayName: uri });

const putCard = (store: Store, book: Collection, name: string, uid: string, fn = 'x') =>
  store.putObject(book.id, { name, data: vcard(uid, fn), contentType: 'text/vcard; charset=utf-8', uid, componentType: null });

export function addressbooksContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'addressbooks', makeStore);

  test('an address book lives in the address-book home, a namespace apart from the calendar home', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'contacts');
    const book = await addressbook(store, alice, 'contacts');
    assert.is(book.kind, 'addressbook');
    assert.is(book.home, 'addressbooks');
    assert.is(cal.home, 'calendars');
    assert.equal(book.components, []);
    assert.is((await store.findCollection(alice.id, null, 'contacts'))!.id, cal.id, 'the calendar home by default');
    assert.is((await store.findCollection(alice.id, null, 'contacts', 'addressbooks'))!.id, book.id);
    assert.equal((await store.listChildCollections(alice.id, null, 'addressbooks')).map((c) => c.id), [book.id]);
    assert.equal((await store.listChildCollections(alice.id, null)).map((c) => c.id), [cal.id]);
    await rejects(addressbook(store, alice, 'contacts'), Conflict);
    // RFC 6352 §5.2 / RFC 4791 §4.2: each kind only directly in its own home, nothing inside.
    await rejects(store.createCollection(alice.id, { uri: 'x', kind: 'addressbook', home: 'calendars' }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'x', kind: 'calendar', home: 'addressbooks' }), Conflict);
    await rejects(store.createCollection(alice.id, { uri: 'x', kind: 'plain', parentId: book.id }), Conflict);
    // Plain collections may live in the address-book home too (litmus runs there) and nest.
    const files = await store.createCollection(alice.id, { uri: 'files', kind: 'plain', home: 'addressbooks' });
    assert.is(files.home, 'addressbooks');
    const sub = await store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: files.id });
    assert.is(sub.home, 'addressbooks', 'a nested collection takes its parent\'s home');
    await rejects(store.createCollection(alice.id, { uri: 'x', kind: 'addressbook', parentId: files.id }), Conflict);
    assert.is(await store.findCollection(alice.id, null, 'files'), null, 'not in the calendar home');
    assert.is((await store.findCollection(alice.id, files.id, 'sub'))!.id, sub.id);
    // Renames stay within the home; a move into the other home is refused.
    const cfiles = await store.createCollection(alice.id, { uri: 'cfiles', kind: 'plain' });
    await rejects(store.moveCollection(sub.id, cfiles.id, 'sub'), Conflict);
    const renamed = await store.moveCollection(book.id, null, 'people');
    assert.is(renamed.home, 'addressbooks');
    assert.ok(await store.getInstance(alice.id, 'people', 'addressbooks'));
    assert.is(await store.getInstance(alice.id, 'contacts', 'addressbooks'), null);
    // COPY: a calendar cannot land in the address-book home, nor an address book in the calendar home.
    await rejects(store.copyCollection(cal.id, alice.id, null, 'copy', { deep: true, home: 'addressbooks' }), Conflict);
    await rejects(store.copyCollection(book.id, alice.id, null, 'copy', { deep: true, home: 'calendars' }), Conflict);
  });

  test('instances and the switch per home: listInstances, getInstance, homeSeq and tombstones do not mix', async ({ store }) => {
    const alice = await user(store, 'alice');
    const cal = await calendar(store, alice, 'contacts');
    const h0 = await store.homeSeq(alice.id);
    const a0 = await store.homeSeq(alice.id, 'addressbooks');
    const book = await addressbook(store, alice, 'contacts');
    const a1 = await store.homeSeq(alice.id, 'addressbooks');
    assert.ok(a1 > a0, 'a new address book moves the address-book home');
    assert.is(await store.homeSeq(alice.id), h0, 'but not the calendar home');
    assert.equal((await store.listInstances(alice.id)).map((i) => i.collection.id), [cal.id]);
    const books = await store.listInstances(alice.id, { home: 'addressbooks' });
    assert.equal(books.map((i) => [i.uri, i.home, i.access, i.syncEnabled, i.collection.id]), [['contacts', 'addressbooks', 'owner', true, book.id]]);
    assert.is((await store.getInstance(alice.id, 'contacts'))!.collection.id, cal.id);
    assert.is((await store.getInstance(alice.id, 'contacts', 'addressbooks'))!.collection.id, book.id);

    await putCard(store, book, 'a.vcf', 'ua');
    const a2 = await store.homeSeq(alice.id, 'addressbooks');
    assert.ok(a2 > a1, 'a card moves the address-book home');
    assert.is(await store.homeSeq(alice.id), h0);

    const off = await store.setSyncEnabled(alice.id, 'contacts', false, 'addressbooks');
    assert.is(off.syncEnabled, false);
    assert.is((await store.getInstance(alice.id, 'contacts'))!.syncEnabled, true, 'the calendar of the same name keeps its switch');
    const a3 = await store.homeSeq(alice.id, 'addressbooks');
    assert.ok(a3 > a2);
    assert.equal((await store.homeChangesSince(alice.id, a2, 'addressbooks')).map((c) => c.uri), ['contacts']);
    assert.equal(await store.homeChangesSince(alice.id, a2), [], 'the tombstone is not in the calendar home');
    assert.equal(await store.listInstances(alice.id, { home: 'addressbooks', syncOnly: true }), []);
    await putCard(store, book, 'b.vcf', 'ub');
    assert.is(await store.homeSeq(alice.id, 'addressbooks'), a3, 'content of a switched-off address book does not move the home');
    await store.setSyncEnabled(alice.id, 'contacts', true, 'addressbooks');
    assert.equal(await store.homeChangesSince(alice.id, a2, 'addressbooks'), [], 'listed again: no tombstone');
    await rejects(store.setSyncEnabled(alice.id, 'nope', false, 'addressbooks'), NotFound);

    const a4 = await store.homeSeq(alice.id, 'addressbooks');
    await store.deleteCollection(book.id);
    assert.equal((await store.homeChangesSince(alice.id, a4, 'addressbooks')).map((c) => c.uri), ['contacts']);
    assert.equal(await store.listInstances(alice.id, { home: 'addressbooks' }), []);
    assert.ok(await store.getInstance(alice.id, 'contacts'), 'the calendar stays');
  });

  test('shares of address books: read and read-write, a free uri in the sharee\'s address-book home', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const aliceBook = await addressbook(store, alice, 'contacts');
    await addressbook(store, bob, 'contacts');
    await calendar(store, bob, 'team');
    const b0 = await store.homeSeq(bob.id, 'addressbooks');
    const shared = await store.share(aliceBook.id, bob.id, 'read');
    assert.equal([shared.uri, shared.home, shared.access, shared.syncEnabled], ['contacts-alice', 'addressbooks', 'read', true]);
    assert.ok((await store.homeSeq(bob.id, 'addressbooks')) > b0);
    const teamBook = await addressbook(store, alice, 'team');
    assert.is((await store.share(teamBook.id, bob.id, 'read-write')).uri, 'team', 'the calendar "team" does not take the name in the address-book home');
    assert.equal((await store.listInstances(bob.id, { home: 'addressbooks' })).map((i) => [i.uri, i.access]), [['contacts', 'owner'], ['contacts-alice', 'read'], ['team', 'read-write']]);
    assert.equal((await store.listInstances(bob.id)).map((i) => i.uri), ['team'], 'the calendar home lists calendars only');
    assert.equal((await store.listShares(aliceBook.id)).map((s) => [s.username, s.access]), [['bob', 'read']]);
    const upgraded = await store.share(aliceBook.id, bob.id, 'read-write');
    assert.equal([upgraded.uri, upgraded.access], ['contacts-alice', 'read-write']);
    await rejects(store.share(aliceBook.id, alice.id, 'read'), Conflict);

    const b1 = await store.homeSeq(bob.id, 'addressbooks');
    await putCard(store, aliceBook, 'a.vcf', 'ua');
    assert.ok((await store.homeSeq(bob.id, 'addressbooks')) > b1, 'a card in a shared address book moves the sharee\'s home');
    const b2 = await store.homeSeq(bob.id, 'addressbooks');
    await store.unshare(aliceBook.id, bob.id);
    assert.equal((await store.homeChangesSince(bob.id, b2, 'addressbooks')).map((c) => c.uri), ['contacts-alice']);
    await rejects(store.unshare(aliceBook.id, bob.id), NotFound);

    // Deleting the owner leaves a tombstone in the sharee's address-book home.
    const b3 = await store.homeSeq(bob.id, 'addressbooks');
    await store.deleteUser('alice');
    assert.equal((await store.homeChangesSince(bob.id, b3, 'addressbooks')).map((c) => c.uri), ['team']);
    assert.equal((await store.listInstances(bob.id, { home: 'addressbooks' })).map((i) => i.uri), ['contacts']);
  });

  test('cards: one UID per address book, strong etags, the change log and counts', async ({ store }) => {
    const alice = await user(store, 'alice');
    const book = await addressbook(store, alice, 'contacts');
    const other = await addressbook(store, alice, 'work');
    const s0 = book.syncSeq;
    const first = await putCard(store, book, 'a.vcf', 'ua', 'Ann');
    assert.is(first.created, true);
    assert.equal([first.meta.uid, first.meta.componentType, first.meta.firstStart, first.meta.lastEnd, first.meta.classification], ['ua', null, null, null, 'public']);
    assert.match(first.meta.etag, /^"[0-9a-f]+"$/);
    await rejects(putCard(store, book, 'b.vcf', 'ua'), UidConflict, (e: UidConflict) => assert.is(e.existingName, 'a.vcf'));
    await putCard(store, other, 'a.vcf', 'ua');
    const second = await putCard(store, book, 'a.vcf', 'ua', 'Anna');
    assert.is(second.created, false);
    assert.is.not(second.meta.etag, first.meta.etag);
    assert.is(await store.findByUid(book.id, 'ua'), 'a.vcf');
    assert.is((await store.getObject(book.id, 'a.vcf'))!.data.toString(), vcard('ua', 'Anna').toString());
    const c = await store.changesSince(book.id, s0);
    assert.equal(c.changes.map((x) => [x.name, x.deleted]), [['a.vcf', false]]);
    assert.is((await store.getCollection(book.id))!.objectCount, 1);
    await store.deleteObject(other.id, 'a.vcf');
    await store.moveObject(book.id, 'a.vcf', other.id, 'b.vcf');
    assert.equal((await store.changesSince(book.id, c.seq)).changes.map((x) => [x.name, x.deleted]), [['a.vcf', true]]);
    assert.is((await store.getCollection(book.id))!.objectCount, 0);
    await rejects(store.copyObject(other.id, 'b.vcf', other.id, 'c.vcf'), UidConflict);
  });

  test.run();
}
