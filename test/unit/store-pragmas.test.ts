// The connection settings of openSqliteStore, observed from outside because the store does not
// expose its database handle: WAL mode (persistent, so visible to a second connection), foreign
// keys enforced (a cascade happens) and a busy timeout (a write waits for another connection's
// lock instead of failing with SQLITE_BUSY). better-sqlite3 already defaults to foreign keys on
// (SQLITE_DEFAULT_FOREIGN_KEYS=1) and a 5 s timeout; the store sets both explicitly as well, and
// these tests check the behaviour the schema and the CLI rely on, whichever provides it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-pragmas-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('a file store is in WAL mode (seen from a second connection)', async () => {
  const file = path.join(tmp, 'wal.db');
  const store = await openSqliteStore({ path: file });
  try {
    await store.createUser({ username: 'alice', passwordHash: 'h' });
    const other = new Database(file, { readonly: true });
    try {
      assert.is(other.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      other.close();
    }
    assert.ok(fs.existsSync(file + '-wal'), 'the -wal file exists while the store is open');
  } finally {
    await store.close();
  }
  assert.not.ok(fs.existsSync(file + '-wal'), 'closing the last connection checkpoints and removes the WAL');
});

test('foreign keys are enforced: deleting a user cascades to the collections', async () => {
  const file = path.join(tmp, 'fk.db');
  const store = await openSqliteStore({ path: file });
  let id: number;
  try {
    id = (await store.createUser({ username: 'bob', passwordHash: 'h' })).id;
    await store.createCollection(id, { kind: 'calendar', uri: 'work', displayName: 'Work', components: ['VEVENT'] });
    await store.deleteUser('bob');
  } finally {
    await store.close();
  }
  const db = new Database(file, { readonly: true });
  try {
    assert.is(db.prepare('SELECT count(*) FROM collections WHERE owner_id = ?').pluck().get(id), 0);
  } finally {
    db.close();
  }
});

test('busy_timeout: a store write waits for another connection\'s write lock', async () => {
  const file = path.join(tmp, 'busy.db');
  const store = await openSqliteStore({ path: file });
  // Another thread takes the write lock and holds it for 400 ms. better-sqlite3 is synchronous,
  // so the store's write below blocks this thread until SQLite gets the lock (or gives up).
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.module);
     const db = new Database(workerData.file);
     db.exec('BEGIN IMMEDIATE');
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { file, module: createRequire(import.meta.url).resolve('better-sqlite3') } },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    const started = Date.now();
    await store.createUser({ username: 'carol', passwordHash: 'h' });
    const waited = Date.now() - started;
    assert.ok(waited >= 200, `the write waited for the lock (${waited} ms) instead of failing`);
    assert.ok(await store.getUser('carol'));
  } finally {
    await worker.terminate();
    await store.close();
  }
});

test.run();
