// What every part of the SQLite store shares: the connection, the write-transaction wrapper and
// the global sequence. Parts are factories taking a Ctx so their prepared statements sit next
// to the methods that use them.
import type BetterSqlite3 from 'better-sqlite3';
import { Conflict } from '../errors.js';

export type DB = BetterSqlite3.Database;

export interface Ctx {
  db: DB;
  /** Runs fn in one IMMEDIATE transaction (nested calls become savepoints). */
  write<T>(fn: () => T): T;
  /** Next value of the global sequence; only inside write(). */
  nextSeq(): number;
}

export function makeContext(db: DB): Ctx {
  // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes can
  // fail with SQLITE_BUSY when another connection (the CLI beside the server) wrote in between,
  // and busy_timeout cannot help with that upgrade.
  const run = db.transaction((fn: () => unknown) => fn());
  const bump = db.prepare('UPDATE sequence SET value = value + 1 WHERE id = 1 RETURNING value').pluck();
  return {
    db,
    write<T>(fn: () => T): T {
      try {
        return run.immediate(fn) as T;
      } catch (err) {
        throw translate(err);
      }
    },
    nextSeq: () => bump.get() as number,
  };
}

/** Driver errors never cross the store boundary: a unique violation the pre-checks missed is a Conflict. */
function translate(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new Conflict((err as Error).message);
  }
  return err;
}

export const now = (): string => new Date().toISOString();
export const bit = (b: boolean): number => (b ? 1 : 0);
