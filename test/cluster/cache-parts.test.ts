// The parts of the PostgreSQL read cache (src/store/postgres/cache-parts.ts, issue 18): a write
// empties, in every process, only the parts whose tables it wrote. Two stores on one schema stand
// for two processes. A PUT on a calendar at A leaves B's cached credentials, devices and device
// policy in place (the very same frozen objects, and the accounts part's drop count unmoved),
// while a password change at A is seen by B's next request at once (refresh), before its
// notification is waited for.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { isPostgresUrl, openPostgresStore } from '../../src/store/postgres/index.js';
import { quoteIdent, sql } from '../../src/store/postgres/connection.js';
import { movesInstances, partsOfEvent, partsWritten } from '../../src/store/postgres/cache-parts.js';
import { withReadCache, type ReadCacheStats } from '../../src/store/postgres/read-cache.js';
import type { CachePart } from '../../src/store/postgres/cache-parts.js';
import type { ClusterEvents } from '../../src/store/cluster-events.js';
import type { ClusterEvent, Store } from '../../src/store/types.js';

const url = process.env.SUNDIAL_TEST_DATABASE_URL ?? '';

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const parse = suite('cache parts: the tables a statement writes');
parse('writes map to their parts; unknown tables, TRUNCATE and deletes that cascade across parts move more', () => {
  assert.equal(partsWritten('SELECT * FROM users WHERE id = $1 FOR UPDATE'), []);
  assert.equal(partsWritten('UPDATE users SET password_hash = $1 WHERE username = $2'), ['accounts']);
  assert.equal(partsWritten('INSERT INTO objects (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a'), ['collections']);
  assert.equal(partsWritten('UPDATE collections SET sync_seq = $1'), ['collections']);
  // device_selection references collections ON DELETE CASCADE; users cascade to everything.
  assert.equal(partsWritten('DELETE FROM collections WHERE id = $1').sort(), ['accounts', 'collections']);
  assert.equal(partsWritten('DELETE FROM users WHERE username = $1').sort(), ['accounts', 'collections']);
  assert.equal(partsWritten('WITH moved AS (UPDATE write_version SET value = value + 1 WHERE id = 3) DELETE FROM counters WHERE key = $1'), ['counters']);
  assert.equal(partsWritten('INSERT INTO brand_new_table (a) VALUES ($1)').sort(), ['accounts', 'collections', 'counters']);
  assert.equal(partsWritten('TRUNCATE web_sessions').sort(), ['accounts', 'collections', 'counters']);
  assert.equal(partsWritten('SELECT 1 FROM objects o FOR UPDATE OF o SKIP LOCKED'), []);
  assert.equal(partsWritten('INSERT INTO web_sessions (id) VALUES ($1)'), []);
  // What may change a cached instance (read-cache.ts patchInstances).
  assert.is(movesInstances('INSERT INTO objects (a) VALUES ($1)'), false);
  assert.is(movesInstances('DELETE FROM dead_properties WHERE collection_id = $1'), false);
  assert.is(movesInstances('SELECT 1 FROM collections FOR UPDATE'), false);
  assert.is(movesInstances('UPDATE collections SET displayname = $1'), true);
  assert.is(movesInstances('UPDATE instances SET sync_enabled = 0'), true);
  assert.is(movesInstances('DELETE FROM users WHERE id = $1'), true);
  assert.is(movesInstances('INSERT INTO brand_new_table (a) VALUES ($1)'), true);
  assert.is(movesInstances('TRUNCATE objects'), true);
  assert.is(sql('WITH l AS (INSERT INTO changes (a) VALUES (1)) UPDATE collections SET sync_seq = 1', { countersOnly: true }).movesInstances, false);
  assert.is(sql('WITH l AS (INSERT INTO changes (a) VALUES (1)) UPDATE collections SET sync_seq = 1').movesInstances, true);
  assert.equal(partsOfEvent({ type: 'write' }).length, 3);
  assert.equal(partsOfEvent({ type: 'something-new' }).length, 3);
  assert.equal(partsOfEvent({ type: 'data-changed', parts: ['collections'] }), ['collections']);
  assert.equal(partsOfEvent({ type: 'data-changed', parts: ['nonsense'] }).length, 3);
});
parse.run();

// read-cache.ts refresh(): the calls of one turn of the event loop share one read of the write
// versions, sent at the end of that turn; a call made once the read is sent waits for a new one
// (its request began after that read's snapshot may have been taken).
const batching = suite('read cache: refresh() calls of one turn share one read');
batching('one read per turn; a later call gets a read of its own that sees a newer version', async () => {
  let reads = 0;
  let version = 1;
  let gate: Promise<void> = Promise.resolve();
  const readVersions = async () => {
    reads++;
    const v = version;
    await gate;
    return new Map<CachePart, number>([['accounts', 1], ['collections', v], ['counters', 1]]);
  };
  let loads = 0;
  const fn = () => async () => null;
  const stub = {
    getCounters: async () => [], getCredentials: fn(), findDeviceByToken: fn(), getDevicePolicy: fn(), changedMetasSince: fn(),
    getInstance: async () => ({ n: ++loads }), bumpCounters: fn(), unbumpCounters: fn(), setCounter: fn(), deleteCounter: fn(),
  } as unknown as Store;
  const events = { live: true, subscribe: () => () => undefined, onReset: () => () => undefined, publish: async () => undefined } as unknown as ClusterEvents;
  const cache = withReadCache(stub, events, readVersions);
  await Promise.all([cache.refresh!(), cache.refresh!(), cache.refresh!()]);
  assert.is(reads, 1, 'three calls in one turn: one read');
  const first = await cache.getInstance(1, 'c');
  assert.is(await cache.getInstance(1, 'c'), first, 'cached');
  // A read under way (sent, not answered) is not shared with a call made after it was sent.
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const a = cache.refresh!();
  await new Promise((r) => setImmediate(r)); // a's read is sent
  version = 2; // a write commits after a's read was sent, before b's request begins
  const b = cache.refresh!();
  open();
  await Promise.all([a, b]);
  assert.is(reads, 3, 'the later call made a read of its own');
  assert.is.not(await cache.getInstance(1, 'c'), first, 'and it saw the new version: the part was dropped');
});
batching.run();

if (!isPostgresUrl(url)) {
  console.log('\n  PostgreSQL cache parts SKIPPED: SUNDIAL_TEST_DATABASE_URL is not set (run scripts/pg-test-setup.sh and export the URL it prints).\n');
} else {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const schema = `sundial_p${process.pid}`;
  type Cached = Store & { readCacheStats: ReadCacheStats };
  const test = suite<{ a: Cached; b: Cached }>('cache parts: postgres, two processes', { a: undefined as unknown as Cached, b: undefined as unknown as Cached });
  test.before(async (ctx) => {
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    ctx.a = (await openPostgresStore({ url, schema, max: 2 })) as Cached;
    ctx.b = (await openPostgresStore({ url, schema, max: 2 })) as Cached;
  });
  test.after(async (ctx) => {
    await ctx.a?.close();
    await ctx.b?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  });

  test('one write_version row per part', async () => {
    const r = await admin.query(`SELECT id, value FROM ${quoteIdent(schema)}.write_version ORDER BY id`);
    assert.equal(r.rows.map((x) => x.id), [1, 2, 3]);
  });

  test('a calendar write keeps the other process\'s accounts part; a password change drops it at its next request', async ({ a, b }) => {
    await a.createUser({ username: 'ann', passwordHash: 'h1' });
    const ann = (await a.getUser('ann'))!;
    const cal = await a.createCollection(ann.id, { uri: 'work', kind: 'calendar' });
    const device = await a.createDevice({ userId: ann.id, name: 'phone', tokenHash: 'tok' });
    await a.setDeviceSelection(ann.id, device.id, [cal.id]);
    const atB: ClusterEvent[] = [];
    const off = b.events!.subscribe((e) => atB.push(e));
    // Until A's events have arrived, B may still drop what it reads. Notifications arrive in commit
    // order, so a marker sent after the selection's commit arrives after its event (which itself
    // may have reached B before the subscription above: waiting for it could time out).
    await a.events!.publish({ type: 'counters-changed' });
    await waitFor('the selection event at B', () => atB.some((e) => e.type === 'counters-changed'));
    await b.refresh!();
    const creds = (await b.getCredentials('ann'))!;
    const found = (await b.findDeviceByToken('tok'))!;
    const policy = await b.getDevicePolicy(ann.id);
    const inst = (await b.getInstance(ann.id, 'work'))!;
    assert.is(await b.getCredentials('ann'), creds, 'cached');
    const dropped = { ...b.readCacheStats };

    atB.length = 0;
    await a.putObject(cal.id, { name: 'x.ics', data: Buffer.from('x'), contentType: 'text/calendar' });
    // B's next request: refresh sees the collections version moved, not the accounts one.
    await b.refresh!();
    assert.ok((await b.getInstance(ann.id, 'work'))!.collection.syncSeq > inst.collection.syncSeq, 'the calendar write is seen at once');
    await waitFor('the PUT event at B', () => atB.some((e) => e.type === 'collection-changed'));
    await b.refresh!();
    assert.is(b.readCacheStats.accounts, dropped.accounts, 'the accounts part was not dropped');
    assert.is(b.readCacheStats.counters, dropped.counters, 'nor the counters');
    assert.ok(b.readCacheStats.collections > dropped.collections, 'the collections part was');
    assert.is(await b.getCredentials('ann'), creds, 'the credentials are still the cached value');
    assert.is(await b.findDeviceByToken('tok'), found, 'the device too');
    assert.is(await b.getDevicePolicy(ann.id), policy);

    // A password change at A: B's next request reads the new hash, notification or not.
    await a.setPassword('ann', 'h2');
    await b.refresh!();
    assert.is((await b.getCredentials('ann'))!.passwordHash, 'h2');
    assert.ok(b.readCacheStats.accounts > dropped.accounts);

    // Deleting the calendar cascades to the device's selection (accounts part).
    const before = (await b.findDeviceByToken('tok'))!;
    assert.equal(before.device.selection, [cal.id]);
    await a.deleteCollection(cal.id);
    await b.refresh!();
    assert.equal((await b.findDeviceByToken('tok'))!.device.selection, [], 'the selection lost the deleted calendar');
    off();
  });

  test('a sync answer is served from the cache until a write of either process; many changes are not kept', async ({ a, b }) => {
    const bob = await a.createUser({ username: 'bob', passwordHash: 'h' });
    const cal = await a.createCollection(bob.id, { uri: 'sync', kind: 'calendar' });
    await a.putObject(cal.id, { name: 'a.ics', data: Buffer.from('a'), contentType: 'text/calendar' });
    const token = (await a.getCollection(cal.id))!.syncSeq;
    await b.refresh!();
    const empty = await b.changedMetasSince(cal.id, token);
    assert.equal(empty.changes, []);
    assert.is(await b.changedMetasSince(cal.id, token), empty, 'the second read is the cached answer');
    // A write at A: B's next request sees it (refresh), before any notification.
    await a.putObject(cal.id, { name: 'b.ics', data: Buffer.from('b'), contentType: 'text/calendar' });
    await b.refresh!();
    const one = await b.changedMetasSince(cal.id, token);
    assert.equal(one.changes.map((c) => c.name), ['b.ics']);
    assert.equal(one.metas.map((m) => m.etag), [(await a.getObjectMeta(cal.id, 'b.ics'))!.etag]);
    // B's own write is seen without a refresh (its commit empties the part).
    await b.putObject(cal.id, { name: 'b.ics', data: Buffer.from('b2'), contentType: 'text/calendar' });
    const again = await b.changedMetasSince(cal.id, token);
    assert.equal(again.metas.map((m) => m.etag), [(await a.getObjectMeta(cal.id, 'b.ics'))!.etag]);
    assert.is.not(again.metas[0]!.etag, one.metas[0]!.etag);
    // An answer of more than 32 changes is read again each time, never held.
    for (let i = 0; i < 40; i++) await a.putObject(cal.id, { name: `m${i}.ics`, data: Buffer.from(`m${i}`), contentType: 'text/calendar' });
    await b.refresh!();
    const many = await b.changedMetasSince(cal.id, token);
    assert.is(many.changes.length, 41);
    assert.is.not(await b.changedMetasSince(cal.id, token), many, 'not kept');
  });

  // read-cache.ts patchInstances: a process's own write of members moves the counters of its
  // cached instances (the owner's and a sharee's) instead of dropping them, so the sync or poll
  // after a client's PUTs reads no instance; anything else drops the part as before.
  test('own member writes move cached instances\' counters; another process\'s write or an instance change drops them', async ({ a, b }) => {
    const cat = await a.createUser({ username: 'cat', passwordHash: 'h' });
    const dan = await a.createUser({ username: 'dan', passwordHash: 'h' });
    const one = await a.createCollection(cat.id, { uri: 'one', kind: 'calendar' });
    const two = await a.createCollection(cat.id, { uri: 'two', kind: 'calendar' });
    await a.share(one.id, dan.id, 'read');
    const danUri = (await a.listInstances(dan.id)).find((i) => i.collection.id === one.id)!.uri;
    // What the database holds, read past the cache (listInstances is not cached).
    const truth = async (userId: number, uri: string) => (await a.listInstances(userId)).find((i) => i.uri === uri)!;
    const cachedAll = async () => [await b.getInstance(cat.id, 'one'), await b.getInstance(cat.id, 'two'), await b.getInstance(dan.id, danUri)];
    const check = async (what: string) => {
      assert.equal(await b.getInstance(cat.id, 'one'), await truth(cat.id, 'one'), `${what}: cat's one`);
      assert.equal(await b.getInstance(cat.id, 'two'), await truth(cat.id, 'two'), `${what}: cat's two`);
      assert.equal(await b.getInstance(dan.id, danUri), await truth(dan.id, danUri), `${what}: dan's share of one`);
    };
    await b.refresh!();
    await cachedAll();
    await b.refresh!();
    const dropped = b.readCacheStats.collections;

    const before = (await b.getInstance(cat.id, 'one'))!;
    await b.putObject(one.id, { name: 'a.ics', data: Buffer.from('a'), contentType: 'text/calendar' });
    await b.refresh!();
    const after = (await b.getInstance(cat.id, 'one'))!;
    assert.is(after.collection.objectCount, before.collection.objectCount + 1);
    assert.ok(after.collection.syncSeq > before.collection.syncSeq);
    await check('a new member');
    assert.ok(Object.isFrozen(after) && Object.isFrozen(after.collection), 'patched values stay frozen');
    await b.putObject(one.id, { name: 'a.ics', data: Buffer.from('a2'), contentType: 'text/calendar' });
    await b.putObject(one.id, { name: 'b.ics', data: Buffer.from('b'), contentType: 'text/calendar' });
    await b.refresh!();
    await check('a changed member and another new one');
    await b.moveObject(one.id, 'b.ics', two.id, 'b.ics');
    await b.refresh!();
    await check('a member moved to another calendar');
    await b.patchDeadProperties(one.id, 'a.ics', [{ name: '{urn:x}color', xml: '<x:color xmlns:x="urn:x">red</x:color>' }]);
    await b.deleteObject(one.id, 'a.ics');
    await b.refresh!();
    await check('a dead property and a delete');
    assert.is(b.readCacheStats.collections, dropped, 'none of these dropped the part');

    // Another process's write before B's own: B's commit is two versions on, so it drops the part.
    await a.putObject(two.id, { name: 'c.ics', data: Buffer.from('c'), contentType: 'text/calendar' });
    await b.putObject(one.id, { name: 'd.ics', data: Buffer.from('d'), contentType: 'text/calendar' });
    assert.ok(b.readCacheStats.collections > dropped, 'dropped');
    await b.refresh!();
    await check('a write of A, then one of B');

    // An own write that changes an instance (a rename) drops the part.
    await cachedAll();
    await b.refresh!();
    const dropped2 = b.readCacheStats.collections;
    await b.updateCollection(two.id, { displayName: 'Two' });
    assert.ok(b.readCacheStats.collections > dropped2, 'a rename drops the part');
    await b.refresh!();
    assert.is((await b.getInstance(cat.id, 'two'))!.collection.displayName, 'Two');
    await check('a rename');
  });

  test.run();
}
