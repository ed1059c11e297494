// Web sessions in the store (issue 18): a login survives a restart of the server on the same
// database, logout and expiry end it, a password change from another process (`sundial user
// passwd`) revokes it in the database, and only the SHA-256 of the cookie value is stored. On
// SQLite always; on PostgreSQL when SUNDIAL_TEST_DATABASE_URL names a server, where two server
// processes on one database also share the session.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestSchema, startTestServer, type TestServer } from '../helpers/server.js';
import { run, tempDir } from '../helpers/cli.js';
import { apiCall, login } from './session.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { Sessions } from '../../src/web/sessions.js';
import { StorageFull, StorageReadOnly } from '../../src/store/errors.js';

interface SessionRow { token_hash: string; csrf: string; expires_at: number }

/** One database two servers can be started on, one after the other, and read directly. */
interface Backend {
  env: Record<string, string>;
  rows(): Promise<SessionRow[]>;
  /** Moves every session's expiry into the past, as time passing would. */
  expireAll(): Promise<void>;
  drop(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = tempDir('sundial-sessions-');
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(path.join(dir, 'sundial.db'), { timeout: 5000 });
    try { return fn(db); } finally { db.close(); }
  };
  return {
    // Empty: SQLite, also when SUNDIAL_TEST_STORE=postgres runs the other servers on PostgreSQL.
    env: { SUNDIAL_DATA: dir, SUNDIAL_DATABASE_URL: '' },
    rows: async () => withDb((db) => db.prepare('SELECT token_hash, csrf, expires_at FROM web_sessions ORDER BY id').all() as SessionRow[]),
    expireAll: async () => { withDb((db) => db.prepare('UPDATE web_sessions SET expires_at = ?').run(Date.now() - 1)); },
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresBackend(): Promise<Backend> {
  const schema = await createTestSchema();
  const dir = tempDir('sundial-sessions-');
  const query = async (text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try { return (await client.query(text, values)).rows; } finally { await client.end(); }
  };
  return {
    env: { SUNDIAL_DATA: dir, SUNDIAL_DATABASE_URL: schema.url },
    rows: async () => (await query('SELECT token_hash, csrf, expires_at FROM web_sessions ORDER BY id')).map((r) => ({ ...r, expires_at: Number(r.expires_at) })) as SessionRow[],
    expireAll: async () => { await query('UPDATE web_sessions SET expires_at = $1', [Date.now() - 1]); },
    drop: async () => { fs.rmSync(dir, { recursive: true, force: true }); await schema.drop(); },
  };
}

const cookieValue = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

function backendSuite(name: string, open: () => Promise<Backend>): void {
  const test = suite<{ db: Backend; servers: TestServer[] }>(`web sessions in the store: ${name}`, { db: undefined as unknown as Backend, servers: [] });
  test.before.each(async (ctx) => {
    ctx.db = await open();
    ctx.servers = [];
  });
  test.after.each(async (ctx) => {
    for (const s of ctx.servers) await s.close().catch(() => undefined);
    await ctx.db.drop();
  });
  const start = async (ctx: { db: Backend; servers: TestServer[] }) => {
    const s = await startTestServer(ctx.db.env);
    ctx.servers.push(s);
    return s;
  };

  test('a login survives a restart on the same database; logout deletes it there', async (ctx) => {
    const a = await start(ctx);
    await a.addUser('alice');
    const web = await login(a, 'alice');
    assert.is((await web.call('GET', '/me')).status, 200);
    await a.close();
    const b = await start(ctx);
    const me = await apiCall(b, 'GET', '/me', { cookie: web.cookie });
    assert.is(me.status, 200, 'the session is still there after the restart');
    assert.is(me.json.csrfToken, web.csrf, 'with its CSRF token');
    const created = await apiCall(b, 'POST', '/calendars', { cookie: web.cookie, csrf: web.csrf, body: { displayName: 'After restart' } });
    assert.is(created.status, 201, created.text);
    assert.is((await apiCall(b, 'POST', '/calendars', { cookie: web.cookie, csrf: 'wrong', body: { displayName: 'x' } })).status, 403, 'CSRF still checked');
    assert.is((await ctx.db.rows()).length, 1);
    assert.is((await apiCall(b, 'POST', '/logout', { cookie: web.cookie, csrf: web.csrf })).status, 204);
    assert.equal(await ctx.db.rows(), [], 'logout deleted the row');
    assert.is((await apiCall(b, 'GET', '/me', { cookie: web.cookie })).status, 401);
  });

  test('only the SHA-256 of the cookie value is stored', async (ctx) => {
    const a = await start(ctx);
    await a.addUser('alice');
    const web = await login(a, 'alice');
    const [row] = await ctx.db.rows();
    const value = cookieValue(web.cookie);
    assert.ok(value.length >= 40, 'a long random cookie value');
    assert.is(row!.token_hash, sha256(value));
    assert.not.ok(JSON.stringify(await ctx.db.rows()).includes(value), 'the cookie value itself is nowhere in the table');
    assert.match(web.setCookie, /HttpOnly/i);
    assert.match(web.setCookie, /SameSite=Strict/i);
  });

  test('an expired session is refused and a new login works', async (ctx) => {
    const a = await start(ctx);
    await a.addUser('alice');
    const web = await login(a, 'alice');
    assert.is((await web.call('GET', '/me')).status, 200);
    await ctx.db.expireAll();
    assert.is((await web.call('GET', '/me')).status, 401, 'expired');
    const again = await login(a, 'alice');
    assert.is((await again.call('GET', '/me')).status, 200);
  });

  test('sundial user passwd (another process) deletes the user\'s sessions from the store', async (ctx) => {
    const a = await start(ctx);
    await a.addUser('alice');
    await a.addUser('bob');
    const a1 = await login(a, 'alice');
    const a2 = await login(a, 'alice');
    const bob = await login(a, 'bob');
    assert.is((await ctx.db.rows()).length, 3);
    const res = await run(['user', 'passwd', 'alice'], { env: ctx.db.env, input: 'a brand new password\n' });
    assert.is(res.code, 0, res.stderr);
    assert.equal((await ctx.db.rows()).map((r) => r.token_hash), [sha256(cookieValue(bob.cookie))], 'alice\'s rows are gone, bob\'s stays');
    assert.is((await a1.call('GET', '/me')).status, 401);
    assert.is((await a2.call('GET', '/me')).status, 401);
    assert.is((await bob.call('GET', '/me')).status, 200);
  });

  test.run();
}

backendSuite('sqlite', sqliteBackend);

const pgUrl = process.env.SUNDIAL_TEST_DATABASE_URL ?? '';
if (!pgUrl) {
  console.log('\n  PostgreSQL web sessions SKIPPED: SUNDIAL_TEST_DATABASE_URL is not set (run scripts/pg-test-setup.sh and export the URL it prints).\n');
} else {
  backendSuite('postgres', postgresBackend);

  const shared = suite('web sessions in the store: two processes on one PostgreSQL database');
  shared('a session opened on one server works on the other; logout on the other ends it on both', async () => {
    const db = await postgresBackend();
    const other = tempDir('sundial-sessions-');
    const a = await startTestServer(db.env);
    const b = await startTestServer({ ...db.env, SUNDIAL_DATA: other });
    try {
      await a.addUser('alice');
      const web = await login(a, 'alice');
      const me = await apiCall(b, 'GET', '/me', { cookie: web.cookie });
      assert.is(me.status, 200, me.text);
      assert.is(me.json.user.username, 'alice');
      assert.is((await apiCall(b, 'POST', '/logout', { cookie: web.cookie, csrf: web.csrf })).status, 204);
      assert.is((await web.call('GET', '/me')).status, 401, 'ended on the first server too');
    } finally {
      await a.close();
      await b.close();
      fs.rmSync(other, { recursive: true, force: true });
      await db.drop();
    }
  });
  shared.run();
}

// The sliding expiry of src/web/sessions.ts, on a clock of its own over a real store.
const sliding = suite('web sessions: sliding expiry');
sliding('a session used within its lifetime lives on; unused for longer, it ends; the expiry is written at most once a minute', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h' });
    let now = Date.UTC(2030, 0, 1);
    const HOUR = 3600_000;
    const sessions = new Sessions(store, 12 * 3600, () => now);
    const { id, session } = await sessions.create(alice.id, 1);
    const expiry = async () => (await store.findSession(session.hash, now))?.expiresAt;
    assert.is(await expiry(), now + 12 * HOUR);
    now += 30_000;
    assert.ok(await sessions.get(id));
    assert.is(await expiry(), now - 30_000 + 12 * HOUR, 'not written back within the minute');
    now += 11 * HOUR;
    assert.ok(await sessions.get(id), 'still alive after 11 hours');
    assert.is(await expiry(), now + 12 * HOUR, 'used: expiry moved');
    now += 11 * HOUR;
    assert.ok(await sessions.get(id), 'alive 22 hours after login, having been used at 11');
    now += 12 * HOUR + 1;
    assert.is(await sessions.get(id), null, 'unused for longer than its lifetime: ended');
    assert.is(await sessions.get('x'.repeat(101)), null);
    assert.is(await sessions.get(undefined), null);
  } finally {
    await store.close();
  }
});
sliding('a full or read-only database does not end a session: the expiry is simply not moved', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h' });
    let now = Date.UTC(2030, 0, 1);
    let failure: Error | null = null;
    const failing = Object.assign(Object.create(store), {
      touchSession: async (...args: Parameters<typeof store.touchSession>) => { if (failure) throw failure; return store.touchSession(...args); },
      bindSessionCredentials: async (...args: Parameters<typeof store.bindSessionCredentials>) => { if (failure) throw failure; return store.bindSessionCredentials(...args); },
    }) as typeof store;
    const sessions = new Sessions(failing, 12 * 3600, () => now);
    const { id } = await sessions.create(alice.id, null);
    now += 3600_000;
    failure = new StorageFull();
    const s1 = await sessions.get(id);
    assert.ok(s1, 'still logged in on a full disk');
    await sessions.bind(s1!, 3);
    assert.is(s1!.credentialVersion, 3, 'bound for this request');
    failure = new StorageReadOnly();
    assert.ok(await sessions.get(id), 'and on a read-only database');
    failure = new Error('a bug');
    let thrown: unknown = null;
    try { await sessions.get(id); } catch (err) { thrown = err; }
    assert.is(thrown, failure, 'other errors are not swallowed');
  } finally {
    await store.close();
  }
});
sliding.run();
