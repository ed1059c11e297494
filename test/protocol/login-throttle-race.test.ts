// The login throttle under concurrent guesses (src/auth/throttle.ts reserve): an attempt that goes
// on to argon2 is counted before its password is checked, so concurrent wrong guesses cannot pass
// the limits together. When the counters were read first and a failure written only after argon2
// (~50 ms later), 30 concurrent wrong guesses with a per-account limit of 3 got 29–30 password
// checks (401) before any 429, on SQLite and on PostgreSQL alike.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';

const t = suite<{ srv: TestServer }>('login throttle: concurrent guesses');

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_TRUST_PROXY: 'true', SUNDIAL_LOGIN_FAILURE_LIMIT: '3', SUNDIAL_LOGIN_ADDRESS_FAILURE_LIMIT: '5' });
  for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) await ctx.srv.addUser(u);
});
t.after(async (ctx) => { await ctx.srv.close(); });

const propfind = (srv: TestServer, user: string, password: string | undefined, from: string) =>
  srv.request('PROPFIND', '/dav/', { user, ...(password ? { password } : {}), headers: { Depth: '0', 'X-Forwarded-For': from } });

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

t('30 concurrent wrong passwords for one account: at most the limit (3) are checked, the rest 429', async ({ srv }) => {
  const statuses = (await Promise.all(Array.from({ length: 30 }, (_, i) => propfind(srv, 'alice', `guess-${i}`, '10.1.0.1')))).map((r) => r.status);
  assert.equal(tally(statuses), { 401: 3, 429: 27 }, `statuses: ${statuses}`);
  const blocked = await propfind(srv, 'alice', undefined, '10.1.0.1');
  assert.is(blocked.status, 429, 'the right password afterwards is refused while throttled, as before');
  assert.ok(Number(blocked.headers.get('retry-after')) > 0, 'with Retry-After');
  assert.is((await propfind(srv, 'alice', undefined, '10.1.0.2')).status, 207, 'from elsewhere alice is not locked out');
});

t('30 concurrent wrong passwords over 30 accounts from one address: at most the address limit (5) are checked', async ({ srv }) => {
  // bob logged in from that address before: the address limit does not apply to him.
  assert.is((await propfind(srv, 'bob', undefined, '10.2.0.1')).status, 207);
  const statuses = (await Promise.all(Array.from({ length: 30 }, (_, i) => propfind(srv, `sprayed${i}`, 'guess-password', '10.2.0.1')))).map((r) => r.status);
  assert.equal(tally(statuses), { 401: 5, 429: 25 }, `statuses: ${statuses}`);
  assert.is((await propfind(srv, 'carol', undefined, '10.2.0.1')).status, 429, 'a right password of another account from that address is refused, as before');
  assert.is((await propfind(srv, 'bob', undefined, '10.2.0.1')).status, 207, 'a remembered login from that address still works');
});

t('a success is not left counted: the address limit counts failures only', async ({ srv }) => {
  for (let i = 0; i < 4; i++) assert.is((await propfind(srv, `nobody${i}`, 'guess-password', '10.3.0.1')).status, 401);
  // dave's first login anywhere: verified by argon2, so counted before the check and taken back.
  assert.is((await propfind(srv, 'dave', undefined, '10.3.0.1')).status, 207);
  assert.is((await propfind(srv, 'nobody4', 'guess-password', '10.3.0.1')).status, 401, 'the fifth failure is still checked');
  assert.is((await propfind(srv, 'nobody5', 'guess-password', '10.3.0.1')).status, 429, 'the sixth is not');
});

t('a client\'s first burst with the right password on many connections is one attempt, not refused by the limit', async ({ srv }) => {
  // erin has 2 failures already; 10 concurrent first requests with the right password are one
  // guess: none is refused for the others' reservations.
  for (let i = 0; i < 2; i++) assert.is((await propfind(srv, 'erin', `typo-${i}`, '10.4.0.1')).status, 401);
  const statuses = (await Promise.all(Array.from({ length: 10 }, () => propfind(srv, 'erin', undefined, '10.4.0.1')))).map((r) => r.status);
  assert.equal(tally(statuses), { 207: 10 }, `statuses: ${statuses}`);
  // The success cleared the pair's failures, as before: three more wrong guesses are checked.
  for (let i = 0; i < 3; i++) assert.is((await propfind(srv, 'erin', `typo-again-${i}`, '10.4.0.1')).status, 401);
  assert.is((await propfind(srv, 'erin', 'typo-4', '10.4.0.1')).status, 429);
});

t.run();
