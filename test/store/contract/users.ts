// The store contract, section users: what every implementation of UserStore (src/store/users.ts) must do.
// Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { Conflict, NotFound, PreconditionFailed } from '../../../src/store/errors.js';
import { rejects, put, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function usersContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'users', makeStore);

  test('users: create, read, list, count, duplicate, password version', async ({ store }) => {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h1', displayName: 'Alice', email: 'a@example.com', isAdmin: true });
    assert.equal(alice.username, 'alice');
    assert.equal(alice.displayName, 'Alice');
    assert.equal(alice.email, 'a@example.com');
    assert.is(alice.isAdmin, true);
    const bob = await user(store, 'bob');
    assert.equal(bob.displayName, 'bob');
    assert.is(bob.isAdmin, false);
    assert.equal(await store.getUser('alice'), alice);
    assert.equal(await store.getUserById(bob.id), bob);
    assert.is(await store.getUser('carol'), null);
    assert.equal((await store.listUsers()).map((u) => u.username), ['alice', 'bob']);
    assert.is(await store.countUsers(), 2);
    await rejects(user(store, 'alice'), Conflict);

    const c1 = await store.getCredentials('alice');
    assert.equal(c1?.passwordHash, 'h1');
    assert.equal(c1?.user, alice);
    await store.setPassword('alice', 'h2');
    const c2 = await store.getCredentials('alice');
    assert.equal(c2?.passwordHash, 'h2');
    assert.ok(c2!.credentialVersion > c1!.credentialVersion);
    assert.is(await store.getCredentials('carol'), null);
    await rejects(store.setPassword('carol', 'x'), NotFound);
    // ifCredentialVersion: a change checked against c2 loses to a reset committed since.
    await store.setPassword('alice', 'admin-reset');
    await rejects(store.setPassword('alice', 'own-change', { ifCredentialVersion: c2!.credentialVersion }), PreconditionFailed);
    assert.is((await store.getCredentials('alice'))?.passwordHash, 'admin-reset');
    const c3 = await store.getCredentials('alice');
    await store.setPassword('alice', 'own-change', { ifCredentialVersion: c3!.credentialVersion });
    assert.is((await store.getCredentials('alice'))?.passwordHash, 'own-change');
    await rejects(store.setPassword('carol', 'x', { ifCredentialVersion: 1 }), NotFound);
    await rejects(store.deleteUser('carol'), NotFound);
    await store.deleteUser('bob');
    assert.is(await store.getUser('bob'), null);
    assert.is(await store.countUsers(), 1);
  });

  test('deleteUser cascades everything and leaves tombstones for sharees', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const cal = await calendar(store, alice, 'work');
    const dir = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    await store.createCollection(alice.id, { uri: 'sub', kind: 'plain', parentId: dir.id });
    await put(store, cal, 'a.ics', 'ua');
    await store.patchDeadProperties(cal.id, 'a.ics', [{ name: '{urn:x}p', xml: '<p xmlns="urn:x"/>' }]);
    await store.share(cal.id, bob.id, 'read-write');
    const bobCal = await calendar(store, bob, 'own');
    await store.share(bobCal.id, alice.id, 'read');
    await store.createFeedToken({ userId: alice.id, collectionId: null, tokenHash: 'h', details: 'full', alarms: true });
    const before = await store.homeSeq(bob.id);

    await store.deleteUser('alice');
    assert.is(await store.getUser('alice'), null);
    assert.is(await store.getCollection(cal.id), null);
    assert.is(await store.getCollection(dir.id), null);
    assert.is(await store.getObject(cal.id, 'a.ics'), null);
    assert.equal(await store.getDeadProperties(cal.id, 'a.ics'), []);
    assert.is(await store.findFeedToken('h'), null);
    assert.equal(await store.listShares(bobCal.id), []);
    assert.equal((await store.listInstances(bob.id)).map((i) => i.uri), ['own']);
    assert.ok((await store.homeSeq(bob.id)) > before);
    assert.equal((await store.homeChangesSince(bob.id, before)).map((c) => c.uri), ['work']);
    // The name is free again, and the new account starts empty.
    const again = await user(store, 'alice');
    assert.equal(await store.listInstances(again.id), []);
    assert.equal(await store.listChildCollections(again.id, null), []);
  });

  test('people: name and addresses, unique case-insensitively, found by mailto:', async ({ store }) => {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h', email: 'alice@example.com' });
    const bob = await user(store, 'bob');
    assert.equal(await store.listUserAddresses(alice.id), ['alice@example.com']);
    assert.equal(await store.listUserAddresses(bob.id), []);

    const b = await store.setUserProfile('bob', { displayName: 'Bob Builder', addresses: [' Bob@Example.COM ', 'bob@example.com', 'b@other.org'] });
    assert.equal(b.displayName, 'Bob Builder');
    assert.equal(b.email, 'Bob@Example.COM', 'the first address is the primary one, as typed');
    assert.equal(await store.listUserAddresses(bob.id), ['Bob@Example.COM', 'b@other.org'], 'a case-insensitive duplicate is kept once');
    assert.equal((await store.getUser('bob'))?.displayName, 'Bob Builder');
    assert.equal((await store.getCredentials('bob'))?.user.displayName, 'Bob Builder', 'a cached login sees the new name');

    assert.equal((await store.findUserByEmail('mailto:BOB@example.com'))?.username, 'bob');
    assert.equal((await store.findUserByEmail('MAILTO:b@OTHER.org'))?.username, 'bob');
    assert.equal((await store.findUserByEmail('alice@EXAMPLE.com'))?.username, 'alice');
    assert.is(await store.findUserByEmail('nobody@example.com'), null);
    assert.is(await store.findUserByEmail('mailto:'), null);

    // Another user's address, in any case: refused, nothing changes.
    await rejects(store.setUserProfile('alice', { displayName: 'Changed', addresses: ['a2@example.com', 'B@OTHER.ORG'] }), Conflict);
    assert.equal(await store.listUserAddresses(alice.id), ['alice@example.com']);
    assert.equal((await store.getUser('alice'))?.displayName, 'alice');
    await rejects(store.setUserProfile('carol', { displayName: 'C' }), NotFound);

    // Only the name: the addresses stay. An empty list removes them all.
    await store.setUserProfile('bob', { displayName: 'Bob' });
    assert.equal(await store.listUserAddresses(bob.id), ['Bob@Example.COM', 'b@other.org']);
    const none = await store.setUserProfile('bob', { addresses: [] });
    assert.is(none.email, null);
    assert.is(await store.findUserByEmail('b@other.org'), null);
    // Freed addresses can be taken by someone else.
    await store.setUserProfile('alice', { addresses: ['alice@example.com', 'b@other.org'] });
    assert.equal((await store.findUserByEmail('b@other.org'))?.username, 'alice');

    const people = await store.listPeople();
    assert.equal(people.map((p) => [p.username, p.addresses]), [['alice', ['alice@example.com', 'b@other.org']], ['bob', []]]);
    // Deleting a user frees their addresses.
    await store.deleteUser('alice');
    assert.is(await store.findUserByEmail('alice@example.com'), null);
  });

  test.run();
}
