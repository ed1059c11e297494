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

t.run();
