// Cluster events over PostgreSQL LISTEN/NOTIFY (src/store/postgres/notifications.ts, issue 18
// item 3): two stores on one schema stand for two processes. A write's events reach the other
// store when it commits and never when it rolls back; the writer's own subscribers have them
// before the write returns; the listening connection comes back by itself after
// pg_terminate_backend, telling its subscribers that events may have been missed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { isPostgresUrl, openPostgresStore } from '../../src/store/postgres/index.js';
import { makeConnection, makePool, quoteIdent } from '../../src/store/postgres/connection.js';
import { channelOf, encodePayload, pgClusterEvents } from '../../src/store/postgres/notifications.js';
import type { ClusterEvent, Store } from '../../src/store/types.js';

const url = process.env.SUNDIAL_TEST_DATABASE_URL ?? '';

/** Waits until `cond` holds, polling; fails after `ms`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const payload = suite('cluster events: payload');
payload('events are de-duplicated; a list too long for NOTIFY becomes one "write"; channels differ per schema', () => {
  const e: ClusterEvent = { type: 'collection-changed', collectionId: 7 };
  assert.equal(JSON.parse(encodePayload('o', [e, e, { type: 'write' }])), { o: 'o', e: [e, { type: 'write' }] });
  const many = Array.from({ length: 2000 }, (_, i): ClusterEvent => ({ type: 'collection-changed', collectionId: i }));
  assert.equal(JSON.parse(encodePayload('o', many)).e, [{ type: 'write' }]);
  assert.ok(Buffer.byteLength(encodePayload('o', many)) < 8000);
  assert.is.not(channelOf('a'), channelOf('b'));
  assert.ok(channelOf('x'.repeat(200)).length < 64);
});
payload.run();

if (!isPostgresUrl(url)) {
  console.log('\n  PostgreSQL cluster events SKIPPED: SUNDIAL_TEST_DATABASE_URL is not set (run scripts/pg-test-setup.sh and export the URL it prints).\n');
} else {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const schema = `sundial_n${process.pid}`;
  const test = suite<{ a: Store; b: Store }>('cluster events: postgres LISTEN/NOTIFY', { a: undefined as unknown as Store, b: undefined as unknown as Store });
  test.before(async (ctx) => {
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    ctx.a = await openPostgresStore({ url, schema, max: 2 });
    ctx.b = await openPostgresStore({ url, schema, max: 2 });
  });
  test.after(async (ctx) => {
    await ctx.a?.close();
    await ctx.b?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.end();
  });

  test('a committed write reaches the other process; the writer has its own events before the write returns', async ({ a, b }) => {
    assert.ok(a.events?.live && b.events?.live);
    const atA: ClusterEvent[] = [];
    const atB: ClusterEvent[] = [];
    const offA = a.events!.subscribe((e) => atA.push(e));
    const offB = b.events!.subscribe((e) => atB.push(e));
    await a.createUser({ username: 'ann', passwordHash: 'h1' });
    await a.setPassword('ann', 'h2');
    assert.equal(atA.at(-2), { type: 'credentials-changed', username: 'ann' }, 'delivered at commit, before setPassword resolved');
    assert.equal(atA.at(-1), { type: 'data-changed', parts: ['accounts'] }, 'with the parts of the read cache it wrote');
    await waitFor('the event at B', () => atB.some((e) => e.type === 'credentials-changed' && e.username === 'ann'));
    assert.ok(atB.some((e) => e.type === 'data-changed' && e.parts.includes('accounts')), 'createUser names no type: the parts it wrote');
    assert.not.ok(atA.some((e, i) => atA.indexOf(e) !== i), 'no echo of its own events');
    const cal = await b.createCollection((await b.getUser('ann'))!.id, { uri: 'work', kind: 'calendar' });
    await b.putObject(cal.id, { name: 'x.ics', data: Buffer.from('x'), contentType: 'text/calendar' });
    await waitFor('collection-changed at A', () => atA.some((e) => e.type === 'collection-changed' && e.collectionId === cal.id));
    offA();
    offB();
  });

  test('a rolled-back write sends nothing', async ({ b }) => {
    // A connection of its own on the same schema, so a transaction can fail after naming events.
    const pool = makePool({ url, schema, max: 1 });
    const conn = makeConnection(pool);
    const ev = pgClusterEvents(conn, { url, schema });
    await ev.start();
    const atB: ClusterEvent[] = [];
    const off = b.events!.subscribe((e) => atB.push(e));
    try {
      await conn.tx(async (s) => {
        s.notify({ type: 'home-changed', userId: 424242 });
        throw new Error('rolled back');
      }).catch(() => {});
      await conn.tx(async (s) => s.notify({ type: 'home-changed', userId: 1 }));
      await waitFor('the committed event', () => atB.some((e) => e.type === 'home-changed' && e.userId === 1));
      assert.not.ok(atB.some((e) => e.type === 'home-changed' && e.userId === 424242), 'the rolled-back one never arrives');
      await ev.publish({ type: 'counters-changed' });
      await waitFor('a published event', () => atB.some((e) => e.type === 'counters-changed'));
    } finally {
      off();
      await ev.close();
      await pool.end();
    }
  });

  test('read cache: repeated reads make no round trip; another store\'s write empties it when its event arrives', async ({ a, b }) => {
    const ann = (await a.getUser('ann'))!;
    let seen = 0;
    const off = b.events!.subscribe(() => seen++);
    const cal = await a.createCollection(ann.id, { uri: 'cached', kind: 'calendar' });
    // Until A's event has arrived, B may still drop what it reads (that read may predate the write).
    await waitFor('the event of the new calendar at B', () => seen > 0);
    off();
    const first = (await b.getInstance(ann.id, 'cached'))!;
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.collection), 'shared values are frozen');
    assert.is(await b.getInstance(ann.id, 'cached'), first, 'the second read is the cached value');
    assert.is(await b.getCredentials('ann'), await b.getCredentials('ann'));
    await a.putObject(cal.id, { name: 'y.ics', data: Buffer.from('y'), contentType: 'text/calendar' });
    await waitFor('B to see the new sync token', async () => (await b.getInstance(ann.id, 'cached'))!.collection.syncSeq > first.collection.syncSeq);
    // Its own write is seen at once, without waiting for anything.
    await b.putObject(cal.id, { name: 'z.ics', data: Buffer.from('z'), contentType: 'text/calendar' });
    const stored = await admin.query(`SELECT sync_seq FROM ${quoteIdent(schema)}.collections WHERE id = $1`, [cal.id]);
    assert.is((await b.getInstance(ann.id, 'cached'))!.collection.syncSeq, Number(stored.rows[0].sync_seq), 'its own write, seen at once');
    // Counters: a bump through A empties B's counters when its event arrives.
    const t = Date.now();
    assert.equal(await b.getCounters(['k1'], t), [null]);
    await a.bumpCounters(['k1'], t + 60_000, t);
    await waitFor('B to see the counter', async () => (await b.getCounters(['k1'], t))[0]?.count === 1);
    assert.equal(await b.getCounters(['k1'], t + 60_000), [null], 'an ended window reads as none, from the cache too');
  });

  test('a listener that does not receive its own probe (a pooler in transaction mode) is not live', async () => {
    // NOTIFYs through this "pool" go nowhere, as when LISTEN ran on a session a pooler handed on.
    const deaf = { pool: { query: async () => ({ rows: [] }) } } as unknown as Parameters<typeof pgClusterEvents>[0];
    const errors: string[] = [];
    const ev = pgClusterEvents(deaf, { url, schema, onError: (e) => errors.push(e.message) });
    try {
      await ev.start();
      assert.is(ev.live, false, 'events are not trusted: caches fed by them stay off');
      assert.match(errors.join('\n'), /receives no notifications/);
    } finally {
      await ev.close();
    }
  });

  test('the listener comes back after pg_terminate_backend; subscribers are told to drop what they kept', async ({ a, b }) => {
    const channel = channelOf(schema);
    let resets = 0;
    const offReset = b.events!.onReset(() => resets++);
    const atB: ClusterEvent[] = [];
    const off = b.events!.subscribe((e) => atB.push(e));
    // Both stores listen on the channel; end every listening session of this schema.
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${quoteIdent(channel)}`]);
    assert.is(killed.rowCount, 2);
    await waitFor('B to notice', () => !b.events!.live || resets > 0);
    await waitFor('B to listen again', () => b.events!.live);
    assert.ok(resets >= 1, 'onReset ran');
    await waitFor('A to listen again', () => a.events!.live);
    await a.setPassword('ann', 'h3');
    await waitFor('an event after the reconnection', () => atB.some((e) => e.type === 'credentials-changed'));
    const again = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${quoteIdent(channel)}`]);
    assert.is(again.rows[0].n, 2, 'one listening session per store again, not more');
    off();
    offReset();
  });

  test.run();
}
