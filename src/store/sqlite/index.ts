// The embedded store: better-sqlite3 behind the asynchronous Store contract of ../types.ts.
// better-sqlite3 is synchronous; the Promise wrappers keep callers ready for a networked driver.
// One factory per interface, in the file of the same name: users.ts → UserStore (../users.ts),
// collections.ts → CollectionStore, instances.ts → InstanceStore, shares.ts → ShareStore,
// objects.ts → ObjectStore, changes.ts → ChangeStore, dead-properties.ts → DeadPropertyStore,
// feeds.ts → FeedStore, groups.ts → GroupStore, devices.ts → DeviceStore, sessions.ts →
// SessionStore; connection.ts holds what they share (the connection, the write
// transaction, the global sequence, the read cache).
import Database from 'better-sqlite3';
import path from 'node:path';
import type { Store } from '../types.js';
import { DataFolderUnusable } from '../errors.js';
import { changeLog, changeStore } from './changes.js';
import { backfillClassification } from './classify.js';
import { backfillXmlPlain } from './xml-plain.js';
import { collectionStore } from './collections.js';
import { counterStore } from './counters.js';
import { makeConnection } from './connection.js';
import { deadPropertyRows, deadPropertyStore } from './dead-properties.js';
import { feedStore } from './feeds.js';
import { deviceStore } from './devices.js';
import { homes, instanceStore } from './instances.js';
import { migrate } from './migrate.js';
import { objectStore, objectWrites } from './objects.js';
import { schedulingStore } from './scheduling.js';
import { sessionStore } from './sessions.js';
import { shareStore } from './shares.js';
import { groupAccess } from './group-access.js';
import { groupStore } from './groups.js';
import { userStore } from './users.js';

export { migrate } from './migrate.js';
export { etagOf } from './objects.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests). */
  path: string;
  /**
   * Test hook: called with the open connection (e.g. to set PRAGMA max_page_count and make the
   * database "full" without filling a disk). Production code never passes it.
   */
  onOpen?: (db: Database.Database) => void;
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const { db } = openDatabase(opts.path);
  opts.onOpen?.(db);
  const conn = makeConnection(db);
  // Write-side helpers shared by several factories (not part of the Store interface).
  const log = changeLog(conn);
  const home = homes(conn);
  const groups = groupAccess(conn, log, home);
  return {
    ...userStore(conn, log),
    ...collectionStore(conn, log, home),
    ...instanceStore(conn, log),
    ...shareStore(conn, log, home, groups),
    ...objectStore(conn, log, deadPropertyRows(conn)),
    ...changeStore(conn),
    ...deadPropertyStore(conn, log),
    ...feedStore(conn),
    ...groupStore(conn, groups),
    ...deviceStore(conn),
    ...sessionStore(conn),
    ...counterStore(conn),
    ...schedulingStore(conn, objectWrites(conn, log, deadPropertyRows(conn))),
    async close() {
      if (db.open) db.close();
    },
  };
}

/** `sundial migrate`: brings the database file up to date; returns the migrations applied now. */
export function migrateDatabase(path: string): string[] {
  const { db, applied } = openDatabase(path);
  db.close();
  return applied;
}

/** Opens with the pragmas every connection needs and applies pending migrations. */
function openDatabase(path: string): { db: Database.Database; applied: string[] } {
  const db = new Database(path);
  try {
    if (path !== ':memory:') {
      // WAL: readers (PROPFIND, feeds) never wait for a writer, and the CLI can work beside the server.
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the
      // last commits, never corrupt the database.
      db.pragma('synchronous = NORMAL');
    }
    // Off by default in SQLite; every cascade of the schema depends on it.
    db.pragma('foreign_keys = ON');
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLITE_DEFAULT_CACHE_SIZE
    // -16000); malloc'd, it held a 9000-event calendar whole and was an eighth of the server's
    // peak RSS. 4 MB keeps the b-tree interior pages and the recently used leaves; other reads
    // come from the OS page cache (a pread per page), which does not count against the process.
    db.pragma('cache_size = -4000');
    // Wait for another connection's write lock instead of failing with SQLITE_BUSY at once.
    db.pragma('busy_timeout = 5000');
    const applied = migrate(db).applied;
    backfillClassification(db);
    backfillXmlPlain(db);
    return { db, applied };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Claims a data folder for one server process until `release` (or the process's end, however it
 * ends). Two servers on one database would each trust caches the other invalidates (credential
 * and response caches live in memory), so a second one refuses to start; CLI
 * commands do not claim the folder and keep working beside the server.
 * The claim is an exclusive SQLite lock on a small file of its own (sundial.lock): SQLite's lock
 * is an OS file lock (fcntl), which the kernel drops when the holder dies, even by kill -9, so
 * unlike a PID file there is never a stale lock to clean up by hand. It works across processes
 * only (locks are per process), which is what matters.
 */
export function claimDataFolder(dir: string): () => void {
  const file = path.join(dir, 'sundial.lock');
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (err) {
    throw new DataFolderUnusable(`Sundial cannot open ${file} (${(err as Error).message}); check that the data folder ${dir} is writable by the user running Sundial.`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new DataFolderUnusable(`Another Sundial server is already running with the data folder ${dir}; stop it first, or give this one its own SUNDIAL_DATA.`);
    }
    throw new DataFolderUnusable(`Sundial cannot lock ${file} (${(err as Error).message}); check that the data folder ${dir} is writable by the user running Sundial.`);
  }
  return () => {
    if (!db.open) return;
    try { db.exec('ROLLBACK'); } catch { /* nothing to roll back */ }
    db.close();
  };
}
