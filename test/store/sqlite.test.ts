// The store contract against the SQLite store, in memory and on a WAL file; and the migrations
// that build both from schema/*.sql.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrate, schemaDir } from '../../src/store/sqlite/migrate.js';
import { migrateDatabase, openSqliteStore } from '../../src/store/sqlite/index.js';
import { storeContract } from './contract.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-store-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

storeContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));
storeContract('sqlite file', () => openSqliteStore({ path: path.join(tmp, `store-${++n}.db`) }));

const migrations = suite('sqlite migrations');

migrations('applies every schema file once, in order, and records it', () => {
  const files = fs.readdirSync(schemaDir()).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  assert.ok(files.includes('001_initial.sql'));
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  assert.equal(migrate(db).applied, files);
  assert.equal(migrate(db).applied, [], 'second run applies nothing');
  const rows = db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
    applied_at: string;
  }[];
  assert.equal(rows.map((r) => r.name), files);
  assert.is(rows[0]!.version, 1);
  assert.ok(!Number.isNaN(Date.parse(rows[0]!.applied_at)));
  assert.is(db.prepare("SELECT value FROM sequence WHERE id = 1").pluck().get(), 0);
  db.close();
});

migrations('a failing migration leaves no trace', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'schema-'));
  fs.writeFileSync(path.join(dir, '001_ok.sql'), 'CREATE TABLE a (x INTEGER) STRICT;');
  fs.writeFileSync(path.join(dir, '002_bad.sql'), 'CREATE TABLE b (x INTEGER) STRICT; INSERT INTO nope VALUES (1);');
  const db = new Database(':memory:');
  assert.throws(() => migrate(db, { dir }));
  assert.equal(db.prepare('SELECT name FROM schema_migrations').pluck().all(), ['001_ok.sql']);
  assert.is(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").pluck().get(), 0);
  fs.writeFileSync(path.join(dir, '002_bad.sql'), 'CREATE TABLE b (x INTEGER) STRICT;');
  assert.equal(migrate(db, { dir }).applied, ['002_bad.sql']);
  db.close();
});

migrations('migrateDatabase and reopening a file database', async () => {
  const file = path.join(tmp, 'migrate.db');
  assert.equal(migrateDatabase(file), fs.readdirSync(schemaDir()).filter((f) => /^\d+_.*\.sql$/.test(f)).sort());
  assert.equal(migrateDatabase(file), []);
  const store = await openSqliteStore({ path: file });
  const u = await store.createUser({ username: 'alice', passwordHash: 'h' });
  await store.close();
  const again = await openSqliteStore({ path: file });
  assert.equal(await again.getUser('alice'), u);
  await again.close();
  const db = new Database(file);
  assert.is(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
});

migrations('rows stored before objects.xml_plain are decided when the store opens (schema 013)', async () => {
  const file = path.join(tmp, 'xml-plain.db');
  const store = await openSqliteStore({ path: file });
  const u = await store.createUser({ username: 'bob', passwordHash: 'h' });
  const cal = await store.createCollection(u.id, { uri: 'c', kind: 'calendar' });
  const body = (summary: string) => Buffer.from(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${summary}\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);
  await store.putObject(cal.id, { name: 'plain.ics', data: body('Réunion 🎉'), contentType: 'text/calendar' });
  await store.putObject(cal.id, { name: 'markup.ics', data: body('Tom & Jerry'), contentType: 'text/calendar' });
  await store.putObject(cal.id, { name: 'told.ics', data: body('x'), contentType: 'text/calendar', xmlPlain: false });
  await store.close();
  const db = new Database(file);
  const column = () => db.prepare('SELECT name, xml_plain FROM objects ORDER BY name').raw().all();
  assert.equal(column(), [['markup.ics', 0], ['plain.ics', 1], ['told.ics', 0]]);
  db.prepare('UPDATE objects SET xml_plain = NULL').run();
  // The check at each open reads the partial index of undecided rows, not the table.
  assert.match(JSON.stringify(db.prepare('EXPLAIN QUERY PLAN SELECT rowid, data FROM objects WHERE xml_plain IS NULL LIMIT 500').all()), 'objects_xml_plain_unknown');
  db.close();
  const again = await openSqliteStore({ path: file });
  await again.close();
  const db2 = new Database(file);
  assert.equal(db2.prepare('SELECT name, xml_plain FROM objects ORDER BY name').raw().all(), [['markup.ics', 0], ['plain.ics', 1], ['told.ics', 1]]);
  db2.close();
});

migrations.run();
