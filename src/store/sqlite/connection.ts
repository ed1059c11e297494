// The connection every part of the SQLite store shares: the better-sqlite3 handle, the
// write-transaction wrapper (with the translation of driver errors into domain errors), the global
// sequence and the read cache. Each interface's factory (users.ts, objects.ts, …) takes a
// Connection so its prepared statements sit next to the methods that use them.
import type BetterSqlite3 from 'better-sqlite3';
import { Conflict, NotFound, StorageFull, StorageReadOnly, StorageUnavailable } from '../errors.js';

export type DB = BetterSqlite3.Database;

export interface Connection {
  db: DB;
  /** Runs fn in one IMMEDIATE transaction (nested calls become savepoints). */
  write<T>(fn: () => T): T;
  /** Next value of the global sequence; only inside write(). */
  nextSeq(): number;
  /** A cache of committed reads (see ReadCache); `max` bounds its entries. */
  readCache<V>(max: number): ReadCache<V>;
}

/**
 * Rows read on every request (the logged-in user, the addressed calendar instance) cached as long
 * as the database provably did not change: this connection wrote nothing since (every write goes
 * through write(), which counts) and no other connection committed by the last check, at most
 * RECHECK_MS ago (SQLite's `PRAGMA data_version` changes whenever another connection — the CLI
 * beside the server — commits).
 * Any change seen empties every cache, so a cached read is what the query returned at most
 * RECHECK_MS ago (and, after a write of this connection, what it returns now).
 * Inside a transaction the cache is bypassed: uncommitted rows must never be cached. Cached values
 * are frozen and shared: callers must not mutate them.
 */
export interface ReadCache<V> {
  get(key: string, load: () => V): V;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * How long a check for other connections' commits holds. It was once per turn of the event loop;
 * under DAVx5's concurrent multigets that was a `PRAGMA data_version` (a read transaction with
 * its file-lock calls, ~20 µs in the middle of a request) for nearly every request, and two
 * servers compared block by block (890 multigets each, alternating) ran 6% faster with 2 ms.
 */
const RECHECK_MS = 2;

export function makeConnection(db: DB): Connection {
  // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes can
  // fail with SQLITE_BUSY when another connection (the CLI beside the server) wrote in between,
  // and busy_timeout cannot help with that upgrade.
  const run = db.transaction((fn: () => unknown) => fn());
  const bump = db.prepare('UPDATE sequence SET value = value + 1 WHERE id = 1 RETURNING value').pluck();
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let writes = 0;
  let seenWrites = -1;
  let seenVersion = -1;
  const caches: Map<string, unknown>[] = [];
  // Another connection's commit is looked for at most once per RECHECK_MS, not on every cached
  // read: a request reads four or five cached rows, each a statement (and two file-lock calls) of
  // its own before. A commit by another process is seen up to RECHECK_MS later, as if it had come
  // a moment later; this process's own writes still count at once.
  let checkedAt = -Infinity;
  /** Empties the caches when anything may have changed since they were filled. */
  const validate = () => {
    const t = performance.now();
    if (t - checkedAt < RECHECK_MS && writes === seenWrites) return;
    checkedAt = t;
    const version = dataVersion.get() as number;
    if (version === seenVersion && writes === seenWrites) return;
    for (const c of caches) c.clear();
    seenVersion = version;
    seenWrites = writes;
  };
  return {
    db,
    write<T>(fn: () => T): T {
      try {
        return run.immediate(fn) as T;
      } catch (err) {
        throw translate(err);
      } finally {
        writes++;
      }
    },
    nextSeq: () => bump.get() as number,
    readCache<V>(max: number): ReadCache<V> {
      const entries = new Map<string, V>();
      caches.push(entries);
      return {
        get(key, load) {
          if (db.inTransaction) return load();
          validate();
          let v = entries.get(key);
          if (v === undefined && !entries.has(key)) {
            v = deepFreeze(load());
            if (entries.size >= max) entries.clear();
            entries.set(key, v);
          }
          return v as V;
        },
      };
    },
  };
}

/**
 * Driver errors never cross the store boundary: a unique violation the pre-checks missed is a
 * Conflict; a full disk (SQLITE_FULL, also when the WAL or a journal could not grow) is
 * StorageFull; a read-only file or folder is StorageReadOnly. The transaction was rolled back.
 */
function translate(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new Conflict((err as Error).message);
  }
  // A row referenced by the write (a user, a collection) deleted by a concurrent request since
  // the write's caller read it: the thing is gone, NotFound, not an error of the server.
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new NotFound((err as Error).message);
  if (code === 'SQLITE_FULL') return new StorageFull();
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return new StorageReadOnly();
  // Another process (a CLI command beside the server) held the write lock past busy_timeout:
  // temporary and not the request's fault, so 503 with Retry-After (http/errors.ts), not 500.
  // Nothing of the failed transaction was committed.
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new StorageUnavailable(`the database is locked by another process (${code})`);
  }
  return err;
}

export const now = (): string => new Date().toISOString();
export const bit = (b: boolean): number => (b ? 1 : 0);
