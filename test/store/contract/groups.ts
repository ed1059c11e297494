// The store contract, section groups: what every implementation of GroupStore (src/store/groups.ts)
// must do. Run by the entry test/store/contract.ts; each test gets a fresh, empty store.
import * as assert from 'uvu/assert';
import { Conflict, NotFound } from '../../../src/store/errors.js';
import { rejects, user, calendar, contractSuite, type StoreFactory } from './helpers.js';

export function groupsContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'groups', makeStore);

  test('groups: create, read, update, e-mail unique case-insensitively, members, expansion, delete', async ({ store }) => {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h', email: 'alice@example.org' });
    const bob = await user(store, 'bob');
    const team = await store.createGroup({ name: 'team', displayName: 'The Team', email: 'mailto:Team@Example.org' });
    assert.equal([team.name, team.displayName, team.email], ['team', 'The Team', 'Team@Example.org']);
    assert.equal(await store.getGroup('team'), team);
    assert.equal(await store.getGroupById(team.id), team);
    assert.is(await store.getGroup('nope'), null);
    await rejects(store.createGroup({ name: 'team' }), Conflict);
    await rejects(store.createGroup({ name: 'other', email: 'TEAM@example.org' }), Conflict);
    const ops = await store.createGroup({ name: 'ops' });
    assert.is(ops.displayName, 'ops');
    assert.equal((await store.listGroups()).map((g) => g.name), ['ops', 'team']);
    assert.equal((await store.findGroupByEmail('mailto:team@EXAMPLE.org'))?.name, 'team');
    await rejects(store.updateGroup('ops', { email: 'team@example.org' }), Conflict);
    assert.equal((await store.updateGroup('ops', { displayName: 'Operations', email: 'ops@example.org' })).displayName, 'Operations');
    assert.is((await store.updateGroup('ops', { email: null })).email, null);
    await rejects(store.updateGroup('nope', { displayName: 'x' }), NotFound);

    await store.setGroupMembers('team', [bob.id, alice.id]);
    assert.equal((await store.listGroupMembers(team.id)).map((u) => u.username), ['alice', 'bob']);
    assert.equal((await store.listUserGroups(bob.id)).map((g) => g.name), ['team']);
    assert.equal((await store.groupMemberAddresses(team.id)).map((m) => [m.user.username, m.addresses]), [['alice', ['alice@example.org']], ['bob', []]]);
    await rejects(store.setGroupMembers('team', [bob.id, 99999]), NotFound);
    assert.equal((await store.listGroupMembers(team.id)).map((u) => u.username), ['alice', 'bob'], 'a failed replacement changes nothing');
    await store.removeGroupMember('team', alice.id);
    await store.removeGroupMember('team', alice.id);
    await store.addGroupMember('ops', bob.id);
    await store.addGroupMember('ops', bob.id);
    assert.equal((await store.listUserGroups(bob.id)).map((g) => g.name), ['ops', 'team']);
    await rejects(store.addGroupMember('ops', 99999), NotFound);
    await rejects(store.addGroupMember('nope', bob.id), NotFound);

    await store.deleteGroup('ops');
    assert.is(await store.getGroup('ops'), null);
    assert.equal((await store.listUserGroups(bob.id)).map((g) => g.name), ['team']);
    await rejects(store.deleteGroup('ops'), NotFound);
    // Deleting a user removes them from their groups.
    await store.deleteUser('bob');
    assert.equal(await store.listGroupMembers(team.id), []);
  });

  test('group shares: joining gives instances, leaving removes them with a home tombstone; direct shares win', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    const carol = await user(store, 'carol');
    const cal = await calendar(store, alice, 'work');
    await calendar(store, bob, 'work');
    const team = await store.createGroup({ name: 'team' });
    await store.setGroupMembers('team', [alice.id, bob.id]);

    await store.shareWithGroup(cal.id, team.id, 'read');
    assert.equal(await store.listGroupShares(cal.id), [{ collectionId: cal.id, groupId: team.id, groupName: 'team', access: 'read' }]);
    assert.equal((await store.listGroupCollections(team.id)).map((s) => s.collectionId), [cal.id]);
    assert.equal((await store.listInstances(bob.id)).map((i) => [i.uri, i.access]), [['work', 'owner'], ['work-alice', 'read']].sort());
    assert.equal((await store.listInstances(alice.id)).map((i) => i.access), ['owner'], 'the owner, a member, gets nothing more');
    assert.equal(await store.listShares(cal.id), [], 'group instances are not direct shares');
    await rejects(store.unshare(cal.id, bob.id), NotFound);

    // Carol joins: she gets the calendar; her own switch is hers.
    const carolBefore = await store.homeSeq(carol.id);
    await store.addGroupMember('team', carol.id);
    const ci = await store.getInstance(carol.id, 'work');
    assert.is(ci?.access, 'read');
    assert.ok((await store.homeSeq(carol.id)) > carolBefore);
    await store.setSyncEnabled(carol.id, 'work', false);
    assert.is((await store.getInstance(bob.id, 'work-alice'))?.syncEnabled, true);

    // Access follows the group share.
    await store.shareWithGroup(cal.id, team.id, 'read-write');
    assert.is((await store.getInstance(bob.id, 'work-alice'))?.access, 'read-write');

    // Carol leaves: the instance goes, her home reports it removed.
    const left = await store.homeSeq(carol.id);
    await store.removeGroupMember('team', carol.id);
    assert.is(await store.getInstance(carol.id, 'work'), null);
    assert.ok((await store.homeSeq(carol.id)) > left);
    assert.equal((await store.homeChangesSince(carol.id, left)).map((c) => [c.uri, c.removed]), [['work', true]]);

    // A direct share wins and survives the group; unsharing it falls back to the group.
    await store.share(cal.id, bob.id, 'read');
    assert.is((await store.getInstance(bob.id, 'work-alice'))?.access, 'read');
    assert.equal((await store.listShares(cal.id)).map((s) => s.username), ['bob']);
    await store.unshare(cal.id, bob.id);
    assert.is((await store.getInstance(bob.id, 'work-alice'))?.access, 'read-write', 'back to the group access');
    await store.share(cal.id, bob.id, 'read');
    await store.unshareWithGroup(cal.id, team.id);
    assert.is((await store.getInstance(bob.id, 'work-alice'))?.access, 'read', 'the direct share stays');
    await rejects(store.unshareWithGroup(cal.id, team.id), NotFound);

    // Replacing the members in one go; deleting the group removes what it gave.
    await store.unshare(cal.id, bob.id);
    await store.shareWithGroup(cal.id, team.id, 'read');
    await store.setGroupMembers('team', [carol.id]);
    assert.is(await store.getInstance(bob.id, 'work-alice'), null);
    assert.is((await store.getInstance(carol.id, 'work'))?.access, 'read');
    const beforeDelete = await store.homeSeq(carol.id);
    await store.deleteGroup('team');
    assert.is(await store.getInstance(carol.id, 'work'), null);
    assert.equal((await store.homeChangesSince(carol.id, beforeDelete)).map((c) => c.uri), ['work']);

    // Plain collections cannot be shared; unknown ids are NotFound.
    const ops = await store.createGroup({ name: 'ops' });
    const plain = await store.createCollection(alice.id, { uri: 'files', kind: 'plain' });
    await rejects(store.shareWithGroup(plain.id, ops.id, 'read'), Conflict);
    await rejects(store.shareWithGroup(99999, ops.id, 'read'), NotFound);
    await rejects(store.shareWithGroup(cal.id, 99999, 'read'), NotFound);
  });

  test.run();
}
