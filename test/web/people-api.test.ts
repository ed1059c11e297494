// The JSON API of people (issue 15 item 1; docs/api.md "People"): a user's own name and
// addresses, an admin setting another user's, and bad input answered with a 4xx that changes nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from './setup.js';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from './session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  bob: WebSession;
  root: WebSession;
}

const t = suite<Ctx>('people API');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  await ctx.srv.addUser('root', PASSWORD, true);
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.bob = await login(ctx.srv, 'bob');
  ctx.root = await login(ctx.srv, 'root');
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('a user sets their own name and addresses; GET /api/profile reads them back', async ({ alice }) => {
  assert.equal(await alice.ok('GET', '/profile'), { username: 'alice', displayName: 'alice', addresses: [] });
  const p = await alice.ok('PATCH', '/profile', { displayName: '  Alice Liddell ', addresses: ['Alice@Example.org', 'mailto:al@example.net'] });
  assert.equal(p, { username: 'alice', displayName: 'Alice Liddell', addresses: ['Alice@Example.org', 'al@example.net'] });
  assert.equal(await alice.ok('GET', '/profile'), p);
  // /api/me shows the primary address and the name too.
  const me = await alice.ok('GET', '/me');
  assert.is(me.user.displayName, 'Alice Liddell');
  assert.is(me.user.email, 'Alice@Example.org');
  // Only the name: the addresses stay.
  assert.equal((await alice.ok('PATCH', '/profile', { displayName: 'Alice' })).addresses, ['Alice@Example.org', 'al@example.net']);
});

t('an address of another user, in any case, is 409 and changes nothing', async ({ bob }) => {
  const res = await bob.call('PATCH', '/profile', { displayName: 'Bob', addresses: ['bob@example.org', 'ALICE@example.ORG'] });
  assert.is(res.status, 409, res.text);
  assert.is(res.json.error, 'conflict');
  assert.equal(await bob.ok('GET', '/profile'), { username: 'bob', displayName: 'bob', addresses: [] });
});

t('bad names and addresses are 400 and change nothing', async ({ bob }) => {
  const bad: unknown[] = [
    { displayName: '' },
    { displayName: 'x'.repeat(201) },
    { displayName: 'a\u0000b' },
    { displayName: 42 },
    { addresses: 'bob@example.org' },
    { addresses: ['no at sign'] },
    { addresses: ['two@@example.org'] },
    { addresses: ['a b@example.org'] },
    { addresses: [`${'x'.repeat(250)}@example.org`] },
    { addresses: [7] },
    { addresses: Array.from({ length: 11 }, (_, i) => `b${i}@example.org`) },
  ];
  for (const body of bad) {
    const res = await bob.call('PATCH', '/profile', body);
    assert.is(res.status, 400, `${JSON.stringify(body)}: ${res.status} ${res.text}`);
  }
  assert.equal(await bob.ok('GET', '/profile'), { username: 'bob', displayName: 'bob', addresses: [] });
  // Without the CSRF token nothing happens.
  const csrf = await bob.call('PATCH', '/profile', { displayName: 'Mallory' }, { csrf: null });
  assert.is(csrf.status, 403);
  assert.is((await bob.ok('GET', '/profile')).displayName, 'bob');
});

t('admins set and read another user\'s profile; others may not', async ({ root, bob }) => {
  const p = await root.ok('PATCH', '/users/bob/profile', { displayName: 'Robert', addresses: ['robert@example.org'] });
  assert.equal(p, { username: 'bob', displayName: 'Robert', addresses: ['robert@example.org'] });
  assert.equal(await root.ok('GET', '/users/bob/profile'), p);
  assert.is((await bob.call('PATCH', '/users/alice/profile', { displayName: 'x' })).status, 403);
  assert.is((await bob.call('GET', '/users/alice/profile')).status, 403);
  assert.is((await root.call('PATCH', '/users/nobody/profile', { displayName: 'x' })).status, 404);
  assert.is((await root.call('GET', '/users/nobody/profile')).status, 404);
});

t('groups: admins create, rename, set members, delete; everyone lists; bad input 4xx changes nothing', async ({ srv, root, alice, bob }) => {
  const made = await root.ok('POST', '/groups', { name: 'team', displayName: 'The Team', email: 'team@example.org', members: ['alice'] });
  assert.equal(made, { name: 'team', displayName: 'The Team', email: 'team@example.org', principal: '/dav/groups/team/', members: ['alice'] });
  assert.equal((await bob.ok('GET', '/groups')).groups.map((g: { name: string }) => g.name), ['team']);
  assert.equal((await bob.ok('GET', '/groups/team')).members, ['alice']);
  // Not an admin: 403 for every change.
  for (const [m, p, b] of [['POST', '/groups', { name: 'x' }], ['PATCH', '/groups/team', { displayName: 'x' }], ['DELETE', '/groups/team', undefined], ['PUT', '/groups/team/members', { members: [] }], ['PUT', '/groups/team/members/bob', undefined], ['DELETE', '/groups/team/members/alice', undefined]] as const) {
    assert.is((await alice.call(m, p, b)).status, 403, `${m} ${p}`);
  }
  // Bad input.
  for (const body of [{ name: 'a/b' }, { name: '' }, { name: 'team' }, { name: 'ok', email: 'nope' }, { name: 'ok', members: ['nobody'] }, { name: 'ok', members: 'alice' }, { name: 'ok', email: 'TEAM@example.org' }]) {
    const res = await root.call('POST', '/groups', body);
    assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(body)} → ${res.status}`);
  }
  assert.is((await root.call('PUT', '/groups/team/members', { members: ['alice', 'nobody'] })).status, 404);
  assert.is((await root.call('PUT', '/groups/nope/members', { members: [] })).status, 404);
  assert.equal((await root.ok('GET', '/groups')).groups.map((g: { name: string }) => g.name), ['team'], 'the bad requests created nothing');
  assert.equal((await root.ok('GET', '/groups/team')).members, ['alice']);

  assert.equal((await root.ok('PUT', '/groups/team/members', { members: ['bob', 'alice'] })).members, ['alice', 'bob']);
  assert.is((await root.call('DELETE', '/groups/team/members/alice')).status, 204);
  assert.is((await root.call('PUT', '/groups/team/members/root')).status, 204);
  assert.equal((await root.ok('GET', '/groups/team')).members, ['bob', 'root']);
  assert.is((await root.ok('PATCH', '/groups/team', { displayName: 'Team B' })).displayName, 'Team B');
  assert.is((await root.call('DELETE', '/groups/team')).status, 204);
  assert.is((await root.call('DELETE', '/groups/team')).status, 404);
  assert.is((await srv.store.getGroup('team')), null);
});

t('a calendar shared with a group by its owner reaches the members; only the owner shares', async ({ srv, root, alice, bob }) => {
  await root.ok('POST', '/groups', { name: 'crew', members: ['bob'] });
  assert.is((await alice.call('PUT', '/calendars/personal/group-shares/crew', { access: 'read' })).status, 204);
  assert.equal(await alice.ok('GET', '/calendars/personal/group-shares'), { shares: [{ group: 'crew', access: 'read' }] });
  const bobs = await bob.ok('GET', '/calendars');
  assert.ok(bobs.others.some((c: { owner: string; access: string }) => c.owner === 'alice' && c.access === 'read'), JSON.stringify(bobs));
  // Bob cannot re-share alice's calendar, nor remove it from his list (membership decides).
  const shared = bobs.others.find((c: { owner: string }) => c.owner === 'alice');
  assert.is((await bob.call('PUT', `/calendars/${shared.uri}/group-shares/crew`, { access: 'read-write' })).status, 403);
  assert.is((await bob.call('DELETE', `/calendars/${shared.uri}`)).status, 403);
  for (const body of [{ access: 'owner' }, {}]) assert.is((await alice.call('PUT', '/calendars/personal/group-shares/crew', body)).status, 400);
  assert.is((await alice.call('PUT', '/calendars/personal/group-shares/nope', { access: 'read' })).status, 404);
  assert.is((await alice.call('DELETE', '/calendars/personal/group-shares/crew')).status, 204);
  assert.is((await alice.call('DELETE', '/calendars/personal/group-shares/crew')).status, 404);
  assert.not.ok((await bob.ok('GET', '/calendars')).others.some((c: { owner: string }) => c.owner === 'alice'));
  await srv.store.deleteGroup('crew');
});

t('an address book shared with a group reaches the members\' address-book home; a member cannot remove it (403, not 500)', async ({ srv, root, alice, bob }) => {
  await root.ok('POST', '/groups', { name: 'cards', members: ['bob'] });
  assert.is((await alice.call('PUT', '/addressbooks/contacts/group-shares/cards', { access: 'read' })).status, 204);
  assert.equal(await alice.ok('GET', '/addressbooks/contacts/group-shares'), { shares: [{ group: 'cards', access: 'read' }] });
  const books = await bob.ok('GET', '/addressbooks');
  const shared = books.others.find((b: { owner: string }) => b.owner === 'alice');
  assert.ok(shared, JSON.stringify(books));
  assert.not.ok((await bob.ok('GET', '/calendars')).others.some((c: { owner: string }) => c.owner === 'alice'), 'not in the calendar home');
  const removed = await bob.call('DELETE', `/addressbooks/${shared.uri}`);
  assert.is(removed.status, 403);
  assert.ok((await bob.ok('GET', '/addressbooks')).others.some((b: { owner: string }) => b.owner === 'alice'), 'nothing changed');
  assert.is((await alice.call('DELETE', '/addressbooks/contacts/group-shares/cards')).status, 204);
  assert.not.ok((await bob.ok('GET', '/addressbooks')).others.some((b: { owner: string }) => b.owner === 'alice'));
  await srv.store.deleteGroup('cards');
});

t.run();
