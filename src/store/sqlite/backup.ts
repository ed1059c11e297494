// `sundial backup`: an online copy of the database file through SQLite's backup API
// (https://sqlite.org/backup.html), taken beside a running server.
//
// Each backup step reads the source in one read transaction; WAL mode lets the server keep
// writing meanwhile. A write by another connection (the server) between two steps makes SQLite
// restart the copy from the first page, so the finished file is always one committed state of the
// database — never a mix of two. Under steady writes a copy in small steps could restart forever:
// each restart doubles the pages per step, so at worst the rest is copied in a single step (one
// read transaction, which in WAL mode does not block the server's writers).
import fs from 'node:fs';
import Database from 'better-sqlite3';

export interface BackupProgress {
  /** Pages copied in the current pass, and the database's size in pages. */
  done: number;
  total: number;
  /** How many times a write by another connection restarted the copy. */
  restarts: number;
}

export interface BackupResult {
  pages: number;
  bytes: number;
  restarts: number;
}

/**
 * How far a backup moves the sequence ahead of the state it copied: more writes than any server
 * makes between taking a backup and restoring it. Tokens stay below 10^15 (properties/values.ts).
 */
const RESTORE_GAP = 1_000_000_000_000;

/**
 * Makes the copy a restore point (migration 004): a device that synchronized with the live server
 * after this backup holds tokens that the restored database would hand out again for other
 * changes, and it would silently keep events the restored database never had. So every token
 * handed out before the copy becomes invalid — each collection's log is pruned below the new
 * sequence, homes below sequence.floor — and the sequence jumps past anything the live server
 * could still reach. After a restore, clients get DAV:valid-sync-token once and resynchronize
 * (ETags are unchanged, so unchanged events are not downloaded again).
 */
function markRestorePoint(db: Database.Database): void {
  db.transaction(() => {
    const next = db.prepare('UPDATE sequence SET value = value + ? WHERE id = 1 RETURNING value').pluck().get(RESTORE_GAP) as number;
    const columns = db.prepare("SELECT name FROM pragma_table_info('sequence')").pluck().all() as string[];
    if (columns.includes('floor')) db.prepare('UPDATE sequence SET floor = ? WHERE id = 1').run(next);
    db.prepare('UPDATE collections SET sync_seq = ?, pruned_below = ?').run(next, next);
    // Home tokens are at least `next` from now on, so the ones the restored server hands out pass the floor.
    db.prepare('UPDATE instances SET changed_seq = ?').run(next);
  })();
}

/** 4 MB at SQLite's default 4 KiB page per step, for a progress display that moves. */
const INITIAL_PAGES_PER_STEP = 1000;

/**
 * Copies the database at `source` to `target` (written as `target.part`, checked with
 * `PRAGMA quick_check`, then renamed, so `target` is either the previous file or a complete copy).
 * The source must exist; it is never created or migrated, and its content never changes.
 */
export async function backupDatabase(source: string, target: string, opts: { onProgress?: (p: BackupProgress) => void; pagesPerStep?: number } = {}): Promise<BackupResult> {
  const onProgress = opts.onProgress ?? (() => {});
  const db = new Database(source, { fileMustExist: true });
  const partial = `${target}.part`;
  try {
    // The server may hold the write lock for a moment (a checkpoint, an import batch).
    db.pragma('busy_timeout = 5000');
    fs.rmSync(partial, { force: true });
    let rate = opts.pagesPerStep ?? INITIAL_PAGES_PER_STEP;
    let previousRemaining = Infinity;
    let restarts = 0;
    const { totalPages } = await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        // No fewer pages left than after the last step: another connection wrote and SQLite
        // started the copy over.
        if (remainingPages >= previousRemaining) {
          restarts++;
          rate = Math.min(rate * 2, 0x7fffffff);
        }
        previousRemaining = remainingPages;
        onProgress({ done: totalPages - remainingPages, total: totalPages, restarts });
        return rate;
      },
    });
    onProgress({ done: totalPages, total: totalPages, restarts });
    // Read-write: the copy is in WAL mode like its source, and a read-only connection could not
    // create the -shm file it needs. Closing it removes the -wal/-shm it made.
    const check = new Database(partial, { fileMustExist: true });
    try {
      const result = check.pragma('quick_check', { simple: true });
      if (result !== 'ok') throw new Error(`the copy failed its integrity check: ${String(result)}`);
      markRestorePoint(check);
    } finally {
      check.close();
    }
    fs.renameSync(partial, target);
    return { pages: totalPages, bytes: fs.statSync(target).size, restarts };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
}
