// The store contract, section sessions: what every implementation of SessionStore
// (src/store/sessions.ts) must do. Run by the entry test/store/contract.ts; each test gets a fresh,
// empty store.
import * as assert from 'uvu/assert';
import { Conflict, NotFound } from '../../../src/store/errors.js';
import { MAX_SESSIONS_PER_USER, type SessionInit } from '../../../src/store/sessions.js';
import { rejects, user, contractSuite, type StoreFactory } from './helpers.js';

const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3600_000;

const init = (userId: number, tokenHash: string, over: Partial<SessionInit> = {}): SessionInit => ({
  tokenHash, userId, csrf: `csrf-${tokenHash}`, credentialVersion: 1, createdAt: T0, expiresAt: T0 + HOUR, ...over,
});

export function sessionsContract(backend: string, makeStore: StoreFactory): void {
  const test = contractSuite(backend, 'sessions', makeStore);

  test('sessions: create, find by hash until expiry, touch slides the expiry forward only, delete', async ({ store }) => {
    const alice = await user(store, 'alice');
    await store.createSession(init(alice.id, 'h1'));
    assert.equal(await store.findSession('h1', T0), { userId: alice.id, csrf: 'csrf-h1', credentialVersion: 1, createdAt: T0, expiresAt: T0 + HOUR });
    assert.is(await store.findSession('nope', T0), null);
    assert.is(await store.findSession('h1', T0 + HOUR), null, 'expired at its expiry');
    await store.touchSession('h1', T0 + 2 * HOUR, T0 + HOUR / 2);
    assert.is((await store.findSession('h1', T0 + HOUR))?.expiresAt, T0 + 2 * HOUR, 'a touch keeps it alive');
    await store.touchSession('h1', T0 + HOUR, T0 + HOUR / 2);
    assert.is((await store.findSession('h1', T0))?.expiresAt, T0 + 2 * HOUR, 'never backwards');
    await store.touchSession('h1', T0 + 9 * HOUR, T0 + 3 * HOUR);
    assert.is(await store.findSession('h1', T0 + 4 * HOUR), null, 'an expired session cannot be revived by a touch');
    await store.createSession(init(alice.id, 'h2'));
    assert.is(await store.deleteSession('h2'), true);
    assert.is(await store.deleteSession('h2'), false);
    assert.is(await store.findSession('h2', T0), null);
  });

  test('sessions: unknown user is NotFound, a hash in use is Conflict, deleting the user ends its sessions', async ({ store }) => {
    const alice = await user(store, 'alice');
    await rejects(store.createSession(init(9999, 'h1')), NotFound);
    await store.createSession(init(alice.id, 'h1'));
    await rejects(store.createSession(init(alice.id, 'h1')), Conflict);
    await store.deleteUser('alice');
    assert.is(await store.findSession('h1', T0), null);
  });

  test('sessions: deleteUserSessions ends the user\'s sessions but the kept one, which is unbound; bind sets a null version only', async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    for (const h of ['a1', 'a2', 'a3']) await store.createSession(init(alice.id, h));
    await store.createSession(init(bob.id, 'b1'));
    assert.is(await store.deleteUserSessions(alice.id, 'a2'), 2);
    assert.is(await store.findSession('a1', T0), null);
    assert.is(await store.findSession('a3', T0), null);
    assert.is((await store.findSession('a2', T0))?.credentialVersion, null, 'the kept session binds anew');
    assert.is((await store.findSession('b1', T0))?.credentialVersion, 1, 'other users keep theirs');
    await store.bindSessionCredentials('a2', 7);
    assert.is((await store.findSession('a2', T0))?.credentialVersion, 7);
    await store.bindSessionCredentials('a2', 8);
    assert.is((await store.findSession('a2', T0))?.credentialVersion, 7, 'a bound session is not rebound');
    assert.is(await store.deleteUserSessions(alice.id), 1);
    assert.is(await store.findSession('a2', T0), null);
    assert.ok(await store.findSession('b1', T0));
  });

  test(`sessions: at most ${MAX_SESSIONS_PER_USER} per user, the least recently used dropped; expired ones pruned`, async ({ store }) => {
    const alice = await user(store, 'alice');
    const bob = await user(store, 'bob');
    await store.createSession(init(bob.id, 'b-old', { expiresAt: T0 + 10 }));
    await store.createSession(init(bob.id, 'b-live', { expiresAt: T0 + 10 * HOUR }));
    for (let i = 0; i < MAX_SESSIONS_PER_USER; i++) await store.createSession(init(alice.id, `a${i}`, { createdAt: T0 + i, expiresAt: T0 + HOUR + i }));
    // a0 is the oldest, but it was used last: a1 is the least recently used.
    await store.touchSession('a0', T0 + 2 * HOUR, T0 + 200);
    await store.createSession(init(alice.id, 'a-new', { createdAt: T0 + 1000, expiresAt: T0 + HOUR + 1000 }));
    assert.is(await store.findSession('a1', T0 + 1000), null, 'the least recently used went');
    assert.ok(await store.findSession('a0', T0 + 1000), 'the recently used oldest stayed');
    assert.ok(await store.findSession('a2', T0 + 1000));
    assert.ok(await store.findSession('a-new', T0 + 1000));
    assert.ok(await store.findSession('b-live', T0 + 1000), 'another user\'s sessions do not count');
    assert.is(await store.pruneSessions(T0 + 100), 1, 'only bob\'s expired session');
    assert.is(await store.pruneSessions(T0 + 100), 0);
    assert.is(await store.pruneSessions(T0 + 3 * HOUR), MAX_SESSIONS_PER_USER);
    assert.ok(await store.findSession('b-live', T0 + 3 * HOUR));
  });

  test.run();
}
