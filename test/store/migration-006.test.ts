// schema/006_addressbooks.sql rebuilds collections and instances (new CHECK and UNIQUE
// constraints) on a database that already holds data: every row, foreign key, index and the
// AUTOINCREMENT high-water mark must survive, and every existing user gets the address book
// "Contacts". The database is built with the migrations before 006, filled, then migrated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrate, schemaDir } from '../../src/store/sqlite/migrate.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-m006-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** A schema folder holding the shipped migrations up to and including `last`. */
function schemaUpTo(last: number): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'schema-'));
  for (const f of fs.readdirSync(schemaDir())) {
    const m = /^(\d+)_/.exec(f);
    if (m && Number(m[1]) <= last) fs.copyFileSync(path.join(schemaDir(), f), path.join(dir, f));
  }
  return dir;
}

const NOW = '2026-01-01T00:00:00.000Z';

/** Two users, a calendar shared from alice to bob, an object, a plain collection tree, dead properties, a feed, tombstones. */
function fill(db: Database.Database): void {
  const run = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args);
  run("UPDATE sequence SET value = 10 WHERE id = 1");
  run("INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (1, 'alice', 'Alice', 'h', ?), (2, 'bob', 'Bob', 'h', ?)", NOW, NOW);
  const coll = "INSERT INTO collections (id, owner_id, parent_id, uri, kind, displayname, components, sync_seq, pruned_below, object_count, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  run(coll, 1, 1, null, 'contacts', 'calendar', 'Contacts cal', 'VEVENT', 5, 1, 1, NOW, NOW);
  run(coll, 2, 1, null, 'files', 'plain', null, '', 2, 2, 0, NOW, NOW);
  run(coll, 3, 1, 2, 'sub', 'plain', null, '', 3, 3, 0, NOW, NOW);
  // Id 4 was used by a calendar deleted since: the AUTOINCREMENT mark stays at 4.
  run(coll, 4, 2, null, 'gone', 'calendar', null, 'VEVENT', 4, 4, 0, NOW, NOW);
  run('DELETE FROM collections WHERE id = 4');
  run("INSERT INTO instances (user_id, collection_id, uri, access, sync_enabled, changed_seq) VALUES (1, 1, 'contacts', 'owner', 1, 1), (2, 1, 'contacts', 'read', 0, 6)");
  run("INSERT INTO objects (collection_id, name, etag, content_type, size, uid, component_type, created_at, modified_at, data, classification) VALUES (1, 'e.ics', '\"e\"', 'text/calendar', 3, 'u1', 'VEVENT', ?, ?, X'616263', 'public')", NOW, NOW);
  run("INSERT INTO changes (seq, collection_id, name, deleted) VALUES (5, 1, 'e.ics', 0)");
  run("INSERT INTO dead_properties (collection_id, name, prop_name, xml) VALUES (1, '', '{urn:x}p', '<p xmlns=\"urn:x\"/>'), (3, '', '{urn:x}q', '<q xmlns=\"urn:x\"/>')");
  run("INSERT INTO feed_tokens (user_id, collection_id, token_hash, details, alarms, created_at) VALUES (1, 1, 'th', 'full', 0, ?)", NOW);
  run("INSERT INTO home_changes (seq, user_id, uri) VALUES (7, 2, 'old')");
}

const test = suite('migration 006 (address books) on a database with data');

test('keeps every row, foreign key and index, the AUTOINCREMENT mark, and adds "Contacts" per user', async () => {
  const file = path.join(tmp, 'm006.db');
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, { dir: schemaUpTo(5) });
  fill(db);
  const before = {
    objects: db.prepare('SELECT * FROM objects').all(),
    changes: db.prepare('SELECT * FROM changes').all(),
    dead: db.prepare('SELECT * FROM dead_properties ORDER BY collection_id').all(),
    feeds: db.prepare('SELECT * FROM feed_tokens').all(),
  };
  assert.equal(migrate(db).applied.filter((f) => f.startsWith('006')), ['006_addressbooks.sql']);
  assert.is(db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are on again after the rebuild');
  assert.equal(db.pragma('foreign_key_check'), []);
  assert.is(db.pragma('integrity_check', { simple: true }), 'ok');

  // Nothing referencing the rebuilt tables was cascaded away.
  assert.equal(db.prepare('SELECT * FROM objects').all(), before.objects);
  assert.equal(db.prepare('SELECT * FROM changes').all(), before.changes);
  assert.equal(db.prepare('SELECT * FROM dead_properties ORDER BY collection_id').all(), before.dead);
  assert.equal(db.prepare('SELECT * FROM feed_tokens').all(), before.feeds);
  assert.equal(db.prepare("SELECT id, uri, kind, home, parent_id AS parent, sync_seq AS seq, object_count AS n FROM collections WHERE kind <> 'addressbook' ORDER BY id").all(), [
    { id: 1, uri: 'contacts', kind: 'calendar', home: 'calendars', parent: null, seq: 5, n: 1 },
    { id: 2, uri: 'files', kind: 'plain', home: 'calendars', parent: null, seq: 2, n: 0 },
    { id: 3, uri: 'sub', kind: 'plain', home: 'calendars', parent: 2, seq: 3, n: 0 },
  ]);
  assert.equal(db.prepare('SELECT user_id AS u, collection_id AS c, uri, access, sync_enabled AS s, changed_seq AS seq, home FROM instances WHERE collection_id = 1 ORDER BY user_id').all(), [
    { u: 1, c: 1, uri: 'contacts', access: 'owner', s: 1, seq: 1, home: 'calendars' },
    { u: 2, c: 1, uri: 'contacts', access: 'read', s: 0, seq: 6, home: 'calendars' },
  ]);
  assert.equal(db.prepare('SELECT seq, user_id AS u, uri, home FROM home_changes').all(), [{ seq: 7, u: 2, uri: 'old', home: 'calendars' }]);
  const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('collections', 'instances', 'home_changes') AND sql IS NOT NULL ORDER BY name").pluck().all();
  assert.equal(indexes, ['collections_parent', 'collections_place', 'home_changes_user', 'instances_collection']);
  assert.is(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_new'").pluck().get(), 0);

  // Each user got "Contacts" in the address-book home, one sequence value past the old ones.
  const books = db.prepare("SELECT id, owner_id AS owner, uri, displayname AS name, home, sync_seq AS seq FROM collections WHERE kind = 'addressbook' ORDER BY owner_id").all() as { id: number; owner: number; seq: number }[];
  assert.equal(books.map((b) => [b.owner, b.seq]), [[1, 11], [2, 11]]);
  assert.ok(books.every((b) => b.id > 4), 'the id of the deleted calendar is never reused');
  assert.is(db.prepare('SELECT value FROM sequence').pluck().get(), 11);
  db.close();

  // The store works on the migrated file: the foreign keys cascade, both homes answer.
  const store = await openSqliteStore({ path: file });
  const alice = (await store.getUser('alice'))!;
  assert.is((await store.getInstance(alice.id, 'contacts'))!.collection.kind, 'calendar');
  const book = (await store.getInstance(alice.id, 'contacts', 'addressbooks'))!;
  assert.equal([book.collection.kind, book.collection.displayName, book.access, book.syncEnabled], ['addressbook', 'Contacts', 'owner', true]);
  const created = await store.createCollection(alice.id, { uri: 'cal2', kind: 'calendar' });
  assert.ok(created.id > books[1]!.id);
  await store.deleteCollection(1);
  assert.is((await store.getObject(1, 'e.ics')), null);
  await store.close();
  const check = new Database(file);
  assert.is(check.prepare('SELECT count(*) FROM feed_tokens').pluck().get(), 0, 'the calendar\'s feed token went with it (ON DELETE CASCADE)');
  assert.is(check.prepare('SELECT count(*) FROM dead_properties WHERE collection_id = 1').pluck().get(), 0);
  check.close();
});

test('an empty database keeps its sequence at 0', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  assert.is(db.prepare('SELECT value FROM sequence').pluck().get(), 0);
  assert.is(db.prepare('SELECT count(*) FROM collections').pluck().get(), 0);
  db.close();
});

test.run();
