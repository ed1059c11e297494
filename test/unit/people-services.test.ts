// What scheduling (sched's Directory) asks of people and groups (issue 15): the user behind a
// calendar-user address — mailto: in any case, or the principal URL absolute or as a path,
// encoded or not — and the members a group's address expands to. An in-memory store.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { principalUserOf, userByCalendarAddress } from '../../src/services/people.js';
import { expandGroupAddress } from '../../src/services/groups.js';

test('userByCalendarAddress: mailto: (case-insensitive) and the principal URL; null for anything else', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const bob = await store.createUser({ username: 'bob smith@example.com', passwordHash: 'h' });
    await store.setUserProfile(bob.username, { addresses: ['Bob@Example.org'] });
    const found = async (a: string) => (await userByCalendarAddress(store, a))?.username ?? null;
    assert.is(await found('mailto:bob@example.ORG'), 'bob smith@example.com');
    assert.is(await found('MAILTO:Bob@Example.org'), 'bob smith@example.com');
    assert.is(await found('/dav/principals/bob%20smith%40example.com/'), 'bob smith@example.com');
    assert.is(await found('/dav/principals/bob smith@example.com'), 'bob smith@example.com');
    assert.is(await found('https://cal.example.net/dav/principals/bob%20smith%40example.com/'), 'bob smith@example.com');
    for (const a of ['mailto:nobody@example.org', '/dav/principals/nobody/', '/dav/calendars/bob%20smith%40example.com/', '/dav/principals/', 'urn:uuid:1234', 'tel:+1', '', 'mailto:', '/dav/principals/bob%20smith%40example.com/x/']) {
      assert.is(await found(a), null, a);
    }
    assert.is(principalUserOf('/dav/principals/%ZZ/'), null);
  } finally {
    await store.close();
  }
});

test('expandGroupAddress: a group\'s mailto: or principal URL gives its members with their addresses', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const ann = await store.createUser({ username: 'ann', passwordHash: 'h', email: 'ann@example.org' });
    const ben = await store.createUser({ username: 'ben', passwordHash: 'h' });
    await store.createGroup({ name: 'team', email: 'team@example.org' });
    await store.setGroupMembers('team', [ben.id, ann.id]);
    for (const address of ['mailto:TEAM@example.org', '/dav/groups/team/', 'https://x.example/dav/groups/team']) {
      const g = await expandGroupAddress(store, address);
      assert.is(g?.group.name, 'team', address);
      assert.equal(g!.members.map((m) => [m.user.username, m.addresses]), [['ann', ['ann@example.org']], ['ben', []]]);
    }
    for (const address of ['mailto:ann@example.org', '/dav/groups/nope/', '/dav/principals/ann/', 'mailto:nobody@example.org']) {
      assert.is(await expandGroupAddress(store, address), null, address);
    }
  } finally {
    await store.close();
  }
});

test.run();
