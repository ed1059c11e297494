// Migration 008 (scheduling) on a database with data. The SchedulingStore's own behaviour (one
// transaction per scheduling write, the inbox's change log, Schedule-Tags, the free/busy setting,
// the secret) is a store contract section, test/store/contract/scheduling.ts, run against every
// backend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrate, schemaDir } from '../../src/store/sqlite/migrate.js';

const mig = suite('migration 008');
mig('calendars and plain collections named inbox/outbox (and sharees\' instances so named) become <name>-calendar', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-mig-'));
  try {
    // The schema as 008 found it: the migrations before it (later ones may need 008's columns).
    for (const f of fs.readdirSync(schemaDir())) if (/^\d+_.*\.sql$/.test(f) && Number(f.slice(0, 3)) < 8) fs.copyFileSync(path.join(schemaDir(), f), path.join(dir, f));
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, { dir });
    db.exec(`INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('u', 'u', 'x', 'now'), ('v', 'v', 'x', 'now')`);
    db.exec(`INSERT INTO collections (owner_id, uri, kind, sync_seq, pruned_below, created_at, modified_at) VALUES
      (1, 'inbox', 'calendar', 0, 0, 'n', 'n'), (1, 'outbox', 'plain', 0, 0, 'n', 'n'), (1, 'work', 'calendar', 0, 0, 'n', 'n')`);
    db.exec(`INSERT INTO instances (user_id, collection_id, uri, access, changed_seq) VALUES (1, 1, 'inbox', 'owner', 0), (1, 3, 'work', 'owner', 0), (2, 3, 'inbox', 'read', 0)`);
    fs.copyFileSync(path.join(schemaDir(), '008_scheduling.sql'), path.join(dir, '008_scheduling.sql'));
    assert.equal(migrate(db, { dir }).applied, ['008_scheduling.sql']);
    assert.equal(db.prepare('SELECT uri FROM collections ORDER BY id').pluck().all(), ['inbox-calendar', 'outbox-calendar', 'work']);
    assert.equal(db.prepare('SELECT uri FROM instances ORDER BY user_id, collection_id').pluck().all(), ['inbox-calendar', 'work', 'inbox-calendar']);
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

mig.run();
