// `sundial copy-data --to postgres://…` (issue 18 item 4): a SQLite installation built through the
// real server and CLI (users, calendars, an address book, a share, a group share, a device with a
// selection, a dead property, a feed link, a switch turned off, a deletion in the change log) is
// copied by the built command in a child process, then Sundial runs on the PostgreSQL database
// and must answer exactly as before: the same multistatus (hrefs, ETags, getctag, sync tokens),
// the same bytes, old sync tokens valid with no gap, the old passwords and app password, the
// switch, the feed. Also: a non-empty target, a running server and a table the PostgreSQL schema
// lacks are refused with exit 1 and nothing written.
// Runs when SUNDIAL_TEST_DATABASE_URL names a server (scripts/pg-test-setup.sh); each run copies
// into schemas of its own (the URL's search_path, as an operator could), dropped at the end.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import Database from 'better-sqlite3';
import { guardedBefore } from '../web/setup.js';
import { PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { run, tempDir, type RunResult } from '../helpers/cli.js';
import { CS, D, XML_HEADERS, describe, ical, parseMultistatus, propfindBody, putOk, syncCollection, syncCollectionBody, syncCollectionRaw, errorConditions, propText } from '../helpers/dav.js';
import { putVcfOk, vcard } from '../helpers/carddav.js';
import { invite } from '../scheduling/helpers.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import { isPostgresUrl } from '../../src/store/postgres/index.js';
import { SKIPPED } from '../../src/store/copy-to-postgres.js';

const base = process.env.SUNDIAL_TEST_DATABASE_URL ?? '';

const HOME = '/dav/calendars/alice/';
const PERSONAL = `${HOME}personal/`;
const WORK = `${HOME}work/`;
const HIDDEN = `${HOME}hidden/`;
const CONTACTS = '/dav/addressbooks/alice/contacts/';
const PROPS = [D('resourcetype'), D('displayname'), D('getetag'), CS('getctag'), D('sync-token'), D('getcontenttype'), '{http://example.com/ns/}color-note'];

interface Snapshot {
  /** Raw multistatus bodies of PROPFIND Depth 1, by user and path. */
  listings: Map<string, string>;
  /** Bodies of every object, by path. */
  bodies: Map<string, Buffer>;
  tokens: Map<string, string>;
  feed: string;
}

interface Ctx {
  setupError?: unknown;
  dataDir: string;
  env: Record<string, string>;
  admin: pg.Pool;
  schemas: string[];
  url: string;
  devicePassword: string;
  feedPath: string;
  before: Snapshot;
  copy: RunResult;
  copyMs: number;
  pgDir: string;
  pgSrv: TestServer;
}

let schemaCount = 0;
/** A new empty schema and a URL whose search_path names it (libpq's options parameter). */
async function newSchema(ctx: Ctx): Promise<string> {
  const schema = `sundial_copy${process.pid}_${++schemaCount}`;
  await ctx.admin.query(`CREATE SCHEMA ${schema}`);
  ctx.schemas.push(schema);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function ok(args: string[], env: Record<string, string>): Promise<RunResult> {
  const res = await run(args, { env });
  assert.is(res.code, 0, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res;
}

async function listing(srv: TestServer, user: string, path: string, password = PASSWORD): Promise<string> {
  const res = await srv.request('PROPFIND', path, { user, password, headers: { ...XML_HEADERS, Depth: '1' }, body: propfindBody(PROPS) });
  assert.is(res.status, 207, describe('PROPFIND', path, res));
  return res.text;
}

const LISTED: [string, string][] = [
  ['alice', HOME], ['alice', PERSONAL], ['alice', WORK], ['alice', HIDDEN], ['alice', CONTACTS], ['alice', '/dav/addressbooks/alice/'],
  ['bob', '/dav/calendars/bob/'], ['bob', '/dav/calendars/bob/personal/'], ['bob', '/dav/calendars/bob/inbox/'], ['carol', '/dav/calendars/carol/'],
];

async function snapshot(srv: TestServer, ctx: Ctx): Promise<Snapshot> {
  const listings = new Map<string, string>();
  const bodies = new Map<string, Buffer>();
  const tokens = new Map<string, string>();
  for (const [user, path] of LISTED) listings.set(`${user} ${path}`, await listing(srv, user, path));
  // The device's view of the home: only its selection.
  listings.set(`device ${HOME}`, await listing(srv, 'alice', HOME, ctx.devicePassword));
  // Home tokens too (RFC 6578 on the calendar home: calendars added and removed), the device's
  // own (it carries the device id) included.
  for (const who of ['alice', 'device']) {
    tokens.set(`${who} ${HOME}`, propText(parseMultistatus(listings.get(`${who} ${HOME}`)!).responses.find((r) => r.href === HOME), D('sync-token'))!);
  }
  for (const path of [PERSONAL, WORK, CONTACTS]) {
    const ms = parseMultistatus(listings.get(`alice ${path}`)!);
    tokens.set(`alice ${path}`, propText(ms.responses.find((r) => r.href === path), D('sync-token'))!);
    for (const r of ms.responses.filter((r) => r.href !== path)) {
      const res = await fetch(srv.url + r.href, { headers: { Authorization: 'Basic ' + Buffer.from(`alice:${PASSWORD}`).toString('base64') } });
      assert.is(res.status, 200, `GET ${r.href}`);
      bodies.set(r.href, Buffer.from(await res.arrayBuffer()));
    }
  }
  const feed = await srv.request('GET', ctx.feedPath);
  assert.is(feed.status, 200, describe('GET', ctx.feedPath, feed));
  return { listings, bodies, tokens, feed: feed.text };
}

const proppatch = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="http://example.com/ns/"><d:set><d:prop>${inner}</d:prop></d:set></d:propertyupdate>`;

const usage = suite('sundial copy-data: usage');
usage('--to is required and must be a postgres:// URL (exit 2), before anything is opened', async () => {
  const dir = tempDir('sundial-copy-usage-');
  const none = await run(['copy-data'], { env: { SUNDIAL_DATA: dir } });
  assert.is(none.code, 2);
  assert.match(none.stderr, /Usage:/);
  const bad = await run(['copy-data', '--to', 'mysql://x@y/z'], { env: { SUNDIAL_DATA: dir } });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /expected a postgres:\/\//);
  const noDb = await run(['copy-data', '--to', 'postgres://u@127.0.0.1:1/x'], { env: { SUNDIAL_DATA: dir } });
  assert.is(noDb.code, 2);
  assert.match(noDb.stderr, /no database at /);
  // A PostgreSQL server that is not there: one sentence, exit 1 (the port is closed).
  assert.is((await run(['migrate'], { env: { SUNDIAL_DATA: dir } })).code, 0);
  const down = await run(['copy-data', '--to', 'postgres://u:secret@127.0.0.1:1/x'], { env: { SUNDIAL_DATA: dir } });
  assert.is(down.code, 1, down.stdout + down.stderr);
  assert.match(down.stderr, /^copy-data: cannot use the PostgreSQL database: .*ECONNREFUSED/m);
  assert.not.match(down.stdout + down.stderr, /secret/);
  fs.rmSync(dir, { recursive: true, force: true });
});
usage.run();

if (!isPostgresUrl(base)) {
  console.log('\n  PostgreSQL copy-data SKIPPED: SUNDIAL_TEST_DATABASE_URL is not set (run scripts/pg-test-setup.sh and export the URL it prints).\n');
} else {
  const t = suite<Ctx>('sundial copy-data (SQLite → PostgreSQL)');

  guardedBefore(t, async (ctx) => {
    ctx.admin = new pg.Pool({ connectionString: base, max: 2 });
    ctx.schemas = [];
    ctx.dataDir = tempDir('sundial-copy-');
    ctx.env = { SUNDIAL_DATA: ctx.dataDir };
    // SQLite, whatever SUNDIAL_TEST_STORE says: this is the installation to move.
    const srv = await startTestServer({ SUNDIAL_DATA: ctx.dataDir, SUNDIAL_DATABASE_URL: '' });
    try {
      for (const u of ['alice', 'bob', 'carol']) await createUserWithCalendar(srv.store, { username: u, password: PASSWORD, email: `${u}@example.com` });
      assert.is((await srv.request('MKCALENDAR', WORK, { user: 'alice' })).status, 201);
      for (let i = 0; i < 4; i++) await putOk(srv, 'alice', `${PERSONAL}e${i}.ics`, ical(`e${i}@copy`, { summary: `Event ${i} — ünïcödé` }));
      await putOk(srv, 'alice', `${WORK}w.ics`, ical('w@copy', { start: '20300301T090000Z', end: '20300301T100000Z' }));
      assert.is((await srv.request('DELETE', `${PERSONAL}e3.ics`, { user: 'alice' })).status, 204);
      // Implicit scheduling (RFC 6638): bob gets a copy and a REQUEST in his inbox (schedule_inbox).
      await putOk(srv, 'alice', `${PERSONAL}meeting.ics`, invite({ uid: 'meeting@copy', attendees: ['bob@example.com'] }));
      await srv.store.schedulingSecret(); // the iMIP link secret (a BLOB row), made on first use
      await putVcfOk(srv, 'alice', `${CONTACTS}c.vcf`, vcard('c@copy', { fn: 'Chloé Copy' }));
      // Dead properties on a calendar and on an event (RFC 4918 §9.2).
      for (const path of [PERSONAL, `${PERSONAL}e1.ics`]) {
        const res = await srv.request('PROPPATCH', path, { user: 'alice', headers: XML_HEADERS, body: proppatch(`<x:color-note>blue <x:b>bold</x:b></x:color-note>`) });
        assert.is(res.status, 207, describe('PROPPATCH', path, res));
      }
      await ok(['share', 'alice', 'personal', 'bob', 'read-write'], ctx.env);
      await ok(['group', 'add', 'team', '--name', 'The Team', 'bob', 'carol'], ctx.env);
      await ok(['group', 'share', 'team', 'alice', 'work', 'read'], ctx.env);
      await ok(['calendar', 'create', 'alice', 'Hidden'], ctx.env);
      await ok(['calendar', 'sync', 'alice', 'hidden', 'off'], ctx.env);
      const device = await ok(['device', 'add', 'alice', 'Phone'], ctx.env);
      ctx.devicePassword = device.stdout.trim().split('\n').pop()!;
      await ok(['device', 'select', 'alice', 'Phone', 'personal'], ctx.env);
      const feed = await ok(['feed', 'create', 'alice', '--calendar', 'personal'], ctx.env);
      ctx.feedPath = /\/feeds\/[\w-]+\.ics/.exec(feed.stdout)![0];
      // The newest user, calendar and address book deleted last: SQLite's AUTOINCREMENT never hands
      // their ids out again, and PostgreSQL must not either (a sync token names a collection by id).
      await createUserWithCalendar(srv.store, { username: 'zed', password: PASSWORD });
      await ok(['user', 'delete', 'zed'], ctx.env);
      ctx.before = await snapshot(srv, ctx);
    } finally {
      // Stops the server (the copy needs the data folder free); the folder itself stays: it is ours.
      await srv.close();
    }
    ctx.url = await newSchema(ctx);
    const started = Date.now();
    ctx.copy = await run(['copy-data', '--to', ctx.url], { env: ctx.env, timeoutMs: 60_000 });
    ctx.copyMs = Date.now() - started;
    ctx.pgDir = tempDir('sundial-copy-pg-');
    ctx.pgSrv = await startTestServer({ SUNDIAL_DATA: ctx.pgDir, SUNDIAL_DATABASE_URL: ctx.url });
  });

  t.after(async (ctx) => {
    await ctx.pgSrv?.close();
    for (const d of [ctx.dataDir, ctx.pgDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    for (const s of ctx.schemas ?? []) await ctx.admin.query(`DROP SCHEMA ${s} CASCADE`);
    await ctx.admin?.end();
  });

  t('the command copies every table, prints a line per table and a summary, exit 0', (ctx) => {
    assert.is(ctx.copy.code, 0, `${ctx.copy.stdout}\n${ctx.copy.stderr}`);
    const out = ctx.copy.stdout;
    for (const table of ['users', 'collections', 'instances', 'objects', 'changes', 'dead_properties', 'feed_tokens', 'groups', 'group_members', 'group_shares', 'devices', 'device_selection', 'sequence']) {
      assert.match(out, new RegExp(`^  ${table} +\\d+ rows? `, 'm'), `a line for ${table}:\n${out}`);
    }
    assert.match(out, /^ {2}objects +7 rows /m, 'four events left in personal, one in work, one card, bob\'s copy of the meeting');
    assert.match(out, /^ {2}schema_migrations +skipped: /m);
    assert.match(out, /^copied \d+ tables, \d+ rows .* sync tokens continue after \d+$/m);
    assert.not.match(out + ctx.copy.stderr, /sundial_test:sundial_test@/, 'the password of the URL is not printed');
    console.log(`  copy-data of the small installation: ${ctx.copyMs} ms (child process)`);
  });

  t('every table holds the same rows on both sides, column by column (before the PostgreSQL server wrote anything)', async (ctx) => {
    const canon = (row: Record<string, unknown>) => JSON.stringify(Object.keys(row).sort().map((k) => {
      const v = row[k];
      return [k, Buffer.isBuffer(v) ? `x${v.toString('hex')}` : typeof v === 'number' || typeof v === 'bigint' ? String(v) : v];
    }));
    const db = new Database(`${ctx.dataDir}/sundial.db`, { readonly: true });
    db.defaultSafeIntegers(true);
    const schema = ctx.schemas[0]!;
    try {
      const tables = db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'").pluck().all() as string[];
      assert.ok(tables.length >= 20, tables.join(' '));
      const nonEmpty: string[] = [];
      for (const table of tables) {
        if (SKIPPED[table] !== undefined) {
          // Volatile state (sessions, counters) is left behind on purpose: none of it arrives.
          assert.is(Number((await ctx.admin.query(`SELECT count(*) AS n FROM ${schema}.${table}`)).rows[0].n), 0, table);
          continue;
        }
        const a = (db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]).map(canon).sort();
        const b = (await ctx.admin.query(`SELECT * FROM ${schema}.${table}`)).rows.map(canon).sort();
        assert.equal(b, a, table);
        if (a.length > 0) nonEmpty.push(table);
      }
      for (const t of ['users', 'user_addresses', 'collections', 'instances', 'objects', 'changes', 'home_changes', 'dead_properties', 'feed_tokens', 'groups', 'group_members', 'group_shares', 'devices', 'device_selection', 'schedule_inbox', 'schedule_inbox_changes', 'scheduling_secret', 'sequence']) {
        assert.ok(nonEmpty.includes(t), `the installation has rows in ${t}, so the comparison means something`);
      }
    } finally {
      db.close();
    }
  });

  t('every listing is the same multistatus, byte for byte: hrefs, ETags, getctag, sync tokens, dead properties, the switch', async (ctx) => {
    const after = await snapshot(ctx.pgSrv, ctx);
    for (const [key, text] of ctx.before.listings) assert.fixture(after.listings.get(key)!, text, key);
    assert.ok(ctx.before.listings.get(`alice ${PERSONAL}`)!.includes('bold'), 'the dead property is in the listing');
    // The switch is still off: the home does not list "hidden" to DAV clients, and the CLI says so.
    assert.not.ok(after.listings.get(`alice ${HOME}`)!.includes('/hidden/'), 'hidden stays unlisted');
    const list = await ok(['calendar', 'list', 'alice', '--database-url', ctx.url], { SUNDIAL_DATA: ctx.pgDir });
    assert.match(list.stdout, /^hidden\t.*sync off/m);
  });

  t('GET returns the same bytes and the same ETag for every object', async (ctx) => {
    const after = await snapshot(ctx.pgSrv, ctx);
    assert.is(after.bodies.size, 6, 'alice\'s objects');
    for (const [path, body] of ctx.before.bodies) assert.ok(after.bodies.get(path)!.equals(body), `${path} byte for byte`);
    const etag = propText(parseMultistatus(ctx.before.listings.get(`alice ${PERSONAL}`)!).responses.find((r) => r.href === `${PERSONAL}e0.ics`), D('getetag'))!;
    const res = await ctx.pgSrv.request('GET', `${PERSONAL}e0.ics`, { user: 'alice', headers: { 'If-None-Match': etag } });
    assert.is(res.status, 304, 'a conditional GET with the old ETag is answered 304');
  });

  t('the feed link works and serves the same calendar', async (ctx) => {
    const res = await ctx.pgSrv.request('GET', ctx.feedPath);
    assert.is(res.status, 200);
    // DTSTAMP of a feed is the time of the request (RFC 5545 §3.8.7.2 for METHOD-less objects).
    const strip = (s: string) => s.replace(/^DTSTAMP:.*$/gm, '');
    assert.fixture(strip(res.text), strip(ctx.before.feed));
  });

  t('sync-collection from the old tokens: nothing missed, and new changes continue after them', async (ctx) => {
    for (const [key, token] of ctx.before.tokens) {
      const [who, path] = key.split(' ') as [string, string];
      assert.match(token, /\d/);
      const res = await ctx.pgSrv.request('REPORT', path, {
        user: 'alice', password: who === 'device' ? ctx.devicePassword : PASSWORD, headers: { ...XML_HEADERS, ...(path === HOME ? { Depth: '1' } : {}) }, body: syncCollectionBody(token),
      });
      assert.is(res.status, 207, `${key} from ${token}: ${res.status} ${res.text.slice(0, 300)}`);
      const ms = parseMultistatus(res.text);
      assert.equal(ms.responses, [], `${key} from ${token}: no change since`);
      assert.is(ms.syncToken, token, `${key}: the token is unchanged`);
    }
    assert.match(ctx.before.tokens.get(`device ${HOME}`)!, /-d\d+$/, 'the device token names the device');
    const old = ctx.before.tokens.get(`alice ${PERSONAL}`)!;
    await putOk(ctx.pgSrv, 'alice', `${PERSONAL}new.ics`, ical('new@copy'));
    assert.is((await ctx.pgSrv.request('DELETE', `${PERSONAL}e0.ics`, { user: 'alice' })).status, 204);
    const ms = await syncCollection(ctx.pgSrv, 'alice', PERSONAL, old);
    const changed = ms.responses.map((r) => `${r.href} ${r.status ?? 200}`).sort();
    assert.equal(changed, [`${PERSONAL}e0.ics 404`, `${PERSONAL}new.ics 200`]);
    const num = (tok: string) => Number(/(\d+)$/.exec(tok)![1]);
    assert.ok(num(ms.syncToken!) > num(old), `new token ${ms.syncToken} after ${old}`);
    // An older token than any the copy knew of is still refused as before.
    const bad = await syncCollectionRaw(ctx.pgSrv, 'alice', PERSONAL, old.replace(/\d+$/, String(num(old) + 1000)));
    assert.is(bad.status, 403);
    assert.ok(errorConditions(bad.text).includes(D('valid-sync-token')));
  });

  t('the old account password and the device app password log in; the device keeps its selection', async (ctx) => {
    for (const u of ['alice', 'bob', 'carol']) {
      assert.is((await ctx.pgSrv.request('PROPFIND', '/dav/principals/' + u + '/', { user: u, headers: { Depth: '0' } })).status, 207, u);
    }
    assert.is((await ctx.pgSrv.request('PROPFIND', HOME, { user: 'alice', password: 'wrong password', headers: { Depth: '0' } })).status, 401);
    const ms = parseMultistatus(await listing(ctx.pgSrv, 'alice', HOME, ctx.devicePassword));
    assert.equal(ms.responses.map((r) => r.href).filter((h) => h.startsWith(HOME) && h !== HOME && !/\/(inbox|outbox)\/$/.test(h)).sort(), [PERSONAL]);
  });

  t('new rows get new ids, above SQLite\'s AUTOINCREMENT marks: a calendar, a user, a device, a group and a feed link are created on PostgreSQL', async (ctx) => {
    assert.is((await ctx.pgSrv.request('MKCALENDAR', `${HOME}later/`, { user: 'alice' })).status, 201);
    const env = { SUNDIAL_DATA: ctx.pgDir, SUNDIAL_DATABASE_URL: ctx.url };
    await ok(['calendar', 'create', 'bob', 'Later'], env);
    await ok(['device', 'add', 'bob', 'Tablet'], env);
    await ok(['group', 'add', 'later', 'alice'], env);
    await ok(['feed', 'create', 'bob'], env);
    await ctx.pgSrv.addUser('dave');
    assert.is((await ctx.pgSrv.request('PROPFIND', '/dav/calendars/dave/', { user: 'dave', headers: { Depth: '0' } })).status, 207);
    // Every id created on PostgreSQL is above SQLite's high-water mark, which zed's deletion left
    // above the largest id copied.
    const db = new Database(`${ctx.dataDir}/sundial.db`, { readonly: true });
    const schema = ctx.schemas[0]!;
    try {
      for (const table of ['users', 'collections']) {
        const mark = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number;
        const copied = db.prepare(`SELECT max(id) FROM ${table}`).pluck().get() as number;
        assert.ok(mark > copied, `${table}: zed's deletion left the mark ${mark} above the copied ${copied}`);
        const fresh = await ctx.admin.query(`SELECT min(id) AS m FROM ${schema}.${table} WHERE id > $1`, [copied]);
        assert.ok(Number(fresh.rows[0].m) > mark, `${table}: the first id made on PostgreSQL (${fresh.rows[0].m}) is above ${mark}`);
      }
    } finally {
      db.close();
    }
  });

  t('a second copy into the now non-empty database is refused, exit 1, and changes nothing', async (ctx) => {
    const users = async () => Number((await ctx.admin.query(`SELECT count(*) AS n FROM ${ctx.schemas[0]}.users`)).rows[0].n);
    const before = await users();
    const res = await run(['copy-data', '--to', ctx.url], { env: ctx.env, timeoutMs: 60_000 });
    assert.is(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stderr, /already holds data \(.*users: \d+/);
    assert.is(await users(), before);
  });

  t('a running server on the data folder is refused, exit 1', async (ctx) => {
    const srv = await startTestServer({ SUNDIAL_DATA: ctx.dataDir, SUNDIAL_DATABASE_URL: '' });
    try {
      const url = await newSchema(ctx);
      const res = await run(['copy-data', '--to', url], { env: ctx.env, timeoutMs: 60_000 });
      assert.is(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, /already running .*\n.*server stopped/);
    } finally {
      await srv.close();
    }
  });

  t('a row PostgreSQL refuses, late in the copy, rolls the whole copy back: exit 1, the table named, no row written', async (ctx) => {
    const dir = tempDir('sundial-copy-bad-');
    try {
      fs.copyFileSync(`${ctx.dataDir}/sundial.db`, `${dir}/sundial.db`);
      const db = new Database(`${dir}/sundial.db`);
      // SQLite text may hold NUL; PostgreSQL text may not. Dead properties come after users,
      // collections and objects, so those were already inserted when the copy fails.
      db.prepare('UPDATE dead_properties SET xml = ?').run('<x:color-note xmlns:x="http://example.com/ns/">a\u0000b</x:color-note>');
      db.close();
      const url = await newSchema(ctx);
      const res = await run(['copy-data', '--to', url], { env: { SUNDIAL_DATA: dir }, timeoutMs: 60_000 });
      assert.is(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, /^copy-data: copying dead_properties failed, nothing was copied: /m);
      assert.match(res.stdout, /^ {2}objects +\d+ rows/m, 'objects had been inserted before');
      const schema = ctx.schemas[ctx.schemas.length - 1]!;
      for (const table of ['users', 'collections', 'objects']) {
        const n = await ctx.admin.query(`SELECT count(*) AS n FROM ${schema}.${table}`);
        assert.is(Number(n.rows[0].n), 0, `${table} rolled back`);
      }
      const seq = await ctx.admin.query(`SELECT value FROM ${schema}.sequence`);
      assert.is(Number(seq.rows[0].value), 0, 'the sequence row as the migration left it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  t('a SQLite table without a PostgreSQL twin fails the copy loudly; nothing is written', async (ctx) => {
    const dir = tempDir('sundial-copy-extra-');
    try {
      fs.copyFileSync(`${ctx.dataDir}/sundial.db`, `${dir}/sundial.db`);
      const db = new Database(`${dir}/sundial.db`);
      db.exec('CREATE TABLE future_feature (id INTEGER PRIMARY KEY, x TEXT)');
      db.close();
      const url = await newSchema(ctx);
      const res = await run(['copy-data', '--to', url], { env: { SUNDIAL_DATA: dir }, timeoutMs: 60_000 });
      assert.is(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, /the SQLite table future_feature has no PostgreSQL twin/);
      const schema = ctx.schemas[ctx.schemas.length - 1]!;
      const n = await ctx.admin.query(`SELECT count(*) AS n FROM ${schema}.users`);
      assert.is(Number(n.rows[0].n), 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  t.run();
}
