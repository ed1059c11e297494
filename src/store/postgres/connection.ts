// What every part of the PostgreSQL store shares: the pool, the one-transaction-per-write helper
// (tx) with the translation of driver errors into domain errors, the global sequence, and a small
// SQL compiler so the statements read like their SQLite twins (`?` and `@name` parameters).
// One Connection per store, created by openPostgresStore: no module-level state (the pool and its
// type parsers belong to the store object).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Conflict, NotFound, StorageFull, StorageReadOnly, StorageUnavailable } from '../errors.js';
import { connectionFault } from './faults.js';
import type { ClusterEvent, CounterMove } from '../cluster-events.js';
import { movesInstances, partsWritten, type CachePart } from './cache-parts.js';

/** Runs statements: the pool outside a transaction, the transaction's client inside one. */
export interface Sql {
  rows<T>(stmt: Stmt, params?: Params): Promise<T[]>;
  row<T>(stmt: Stmt, params?: Params): Promise<T | undefined>;
  /** The first column of the first row (undefined when there is no row). */
  value<T>(stmt: Stmt, params?: Params): Promise<T | undefined>;
  /** Runs a statement; returns the number of rows it touched. */
  run(stmt: Stmt, params?: Params): Promise<number>;
  /** Inside tx(): names what the write changed, for the other processes (notifications.ts). */
  notify?(e: ClusterEvent): void;
  /** Inside tx(): a change-log entry moved a collection's counters (for this process's read cache). */
  countersMoved?(m: CounterMove): void;
}

export interface Connection extends Sql {
  pool: pg.Pool;
  /**
   * Runs fn in one transaction on one pooled client, committed when fn resolves and rolled back
   * when it throws. Writes are serialized across every process on the database (an advisory
   * transaction lock taken first), as SQLite's single writer serializes them: the store's
   * read-check-write sequences (a name free? then insert) and the monotonic sequence below rely on
   * it. Driver errors become domain errors (translate).
   */
  tx<T>(fn: (sql: Tx) => Promise<T>): Promise<T>;
  /** Set by the store when it has cluster events: every tx() then sends its events (issue 18 item 3). */
  notifier?: TxNotifier;
}

/** Where a transaction's events go (notifications.ts). */
export interface TxNotifier {
  /**
   * The statements (SQL text, literals escaped) sent inside the transaction, in the same round
   * trip as COMMIT: the move of the write versions of `parts` (read-cache.ts) and the NOTIFY, so
   * both take effect only if the write commits.
   */
  statement(events: readonly ClusterEvent[], parts: readonly CachePart[]): string;
  /**
   * This process's own subscribers, after COMMIT and before tx() returns: `result` is what the
   * round trip of `statement` and COMMIT returned; `counterMoves` the transaction's counter moves,
   * null if a statement may have changed an instance otherwise (Stmt.movesInstances).
   */
  committed(events: readonly ClusterEvent[], result: unknown, counterMoves: readonly CounterMove[] | null): void;
}

export interface Tx extends Sql {
  /** Next value of the global sequence (a sync token); inside tx() only. */
  nextSeq(): Promise<number>;
  notify(e: ClusterEvent): void;
}

type Params = readonly unknown[] | Record<string, unknown>;

/** A statement compiled once: `?` become $1, $2, … in order; `@name` become one $n per name. */
export interface Stmt {
  text: string;
  names: string[] | null;
  /**
   * Name of the server-side prepared statement: each pooled connection parses and plans it once,
   * then only binds and executes (a store write runs several statements per transaction). Derived
   * from the text, so equal statements share it and no counter is kept.
   */
  prepared: string;
  /** The read-cache parts its writes move (cache-parts.ts), derived from the text once. */
  parts: readonly CachePart[];
  /** Whether it may change a cached instance (cache-parts.ts movesInstances; false for a `countersOnly` statement). */
  movesInstances: boolean;
}

/**
 * Compiles SQL written with SQLite's parameter styles for node-postgres. Mixed styles are refused.
 * The pattern is a single alternation without nested quantifiers (linear time).
 */
export function sql(text: string, opts: { countersOnly?: boolean } = {}): Stmt {
  const names: string[] = [];
  let positional = 0;
  const out = text.replace(/@(\w+)|\?/g, (m, name: string | undefined) => {
    if (name === undefined) return `$${++positional}`;
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  if (positional > 0 && names.length > 0) throw new Error(`mixed parameter styles in: ${text}`);
  return { text: out, names: names.length > 0 ? names : null, prepared: `sundial_${createHash('sha1').update(out).digest('hex').slice(0, 20)}`, parts: partsWritten(out), movesInstances: !opts.countersOnly && movesInstances(out) };
}

function values(stmt: Stmt, params: Params | undefined): unknown[] {
  if (!params) return [];
  if (stmt.names) {
    const p = params as Record<string, unknown>;
    return stmt.names.map((n) => {
      if (!(n in p)) throw new Error(`missing parameter @${n}`);
      return p[n] === undefined ? null : p[n];
    });
  }
  return (params as unknown[]).map((v) => (v === undefined ? null : v));
}

/** `seen` is told of every statement before it runs (tx() collects the parts written). */
function runner(q: pg.Pool | pg.PoolClient, seen?: (stmt: Stmt) => void): Sql {
  // Outside tx() too, driver errors leave as domain errors (a server gone is StorageUnavailable).
  const query = async (config: pg.QueryConfig | pg.QueryArrayConfig) => {
    try {
      return await q.query(config as pg.QueryConfig);
    } catch (err) {
      throw translate(err);
    }
  };
  const exec = async (stmt: Stmt, params?: Params) => {
    seen?.(stmt);
    return query({ name: stmt.prepared, text: stmt.text, values: values(stmt, params) });
  };
  return {
    async rows<T>(stmt: Stmt, params?: Params) {
      return (await exec(stmt, params)).rows as T[];
    },
    async row<T>(stmt: Stmt, params?: Params) {
      return (await exec(stmt, params)).rows[0] as T | undefined;
    },
    async value<T>(stmt: Stmt, params?: Params) {
      seen?.(stmt);
      const r = await query({ name: stmt.prepared, text: stmt.text, values: values(stmt, params), rowMode: 'array' });
      return (r.rows[0] as unknown[] | undefined)?.[0] as T | undefined;
    },
    async run(stmt: Stmt, params?: Params) {
      return (await exec(stmt, params)).rowCount ?? 0;
    },
  };
}

/**
 * Per-pool type parsers: bigint (int8) columns — ids, sequence values, epoch milliseconds — come
 * back as JavaScript numbers (all stay far below 2^53), as better-sqlite3 returns them; count(*)
 * is int8 too. Set on this pool only, never on pg's global parser table.
 */
function typesFor(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export interface PoolOptions {
  url: string;
  /** Schema to work in (search_path); tests give each store its own. */
  schema?: string;
  max?: number;
  /** Errors of idle pooled connections (the server restarted, a network cut); see makePool. */
  onIdleError?: (err: Error) => void;
  /** How long opening a connection may take before it fails as StorageUnavailable (default 5). */
  connectTimeoutSeconds?: number;
}

export function makePool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    // Without it, a server that does not answer (a dropped route, a host that is down) holds
    // every request until the kernel gives up on the connect, minutes later.
    connectionTimeoutMillis: (opts.connectTimeoutSeconds ?? 5) * 1000,
    types: typesFor(),
    ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
  });
  // An idle client whose connection breaks makes the pool emit 'error'; unhandled, that event
  // would end the process. The pool has already dropped the client and opens a new one on demand.
  pool.on('error', (err) => opts.onIdleError?.(err));
  return pool;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Serializes writers across processes (see Connection.tx); any fixed 64-bit key will do. */
const WRITE_LOCK = sql('SELECT pg_advisory_xact_lock(7361826)');
const BUMP = sql('UPDATE sequence SET value = value + 1 WHERE id = 1 RETURNING value');

/**
 * A client of the pool with `onError` attached inside the pool's own callback, not after an
 * `await`: the pool takes its idle-error listener off when it hands a client out, and when a
 * fresh connection's ready message and a FATAL (57P01, the backend ended during a PostgreSQL
 * restart) arrive in one TCP read, the parser emits the 'error' before any promise continuation
 * runs — with no listener, that ended the process (seen once in CI, under load, in
 * fault/postgres-outage's "backends ended during a burst").
 */
export function checkout(pool: pg.Pool, onError: (err: Error) => void): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) return reject(err ?? new Error('no client'));
      client.on('error', onError);
      resolve(client);
    });
  });
}

export function makeConnection(pool: pg.Pool): Connection {
  const conn: Connection = {
    pool,
    ...runner(pool),
    async tx<T>(fn: (sql: Tx) => Promise<T>): Promise<T> {
      // A checked-out client has no 'error' listener of the pool's: a connection that breaks
      // while fn runs JavaScript between statements would emit an unhandled 'error' and end the
      // process. The statement in flight (or the next one) fails and the client is dropped below.
      const onError = (): void => undefined;
      let client: pg.PoolClient;
      try {
        client = await checkout(pool, onError);
      } catch (err) {
        throw translate(err);
      }
      let broken: unknown;
      try {
        await client.query('BEGIN');
        // The read-cache parts this transaction writes, from its statements (cache-parts.ts).
        const parts = new Set<CachePart>();
        let instancesMoved = false;
        const s = runner(client, (stmt) => {
          for (const p of stmt.parts) parts.add(p);
          if (stmt.movesInstances) instancesMoved = true;
        });
        await s.run(WRITE_LOCK);
        const events: ClusterEvent[] = [];
        const moves: CounterMove[] = [];
        const t: Tx = { ...s, nextSeq: async () => (await s.value<number>(BUMP))!, notify: (e) => void events.push(e), countersMoved: (m) => void moves.push(m) };
        const result = await fn(t);
        const notifier = conn.notifier;
        // Always one event naming the parts written (possibly none): the read caches of the other
        // processes empty those, whatever typed events the write method sent.
        const written = [...parts];
        events.push({ type: 'data-changed', parts: written });
        // One simple-protocol round trip: an error in the NOTIFY skips the COMMIT (rolled back below).
        const committed: unknown = await client.query(notifier ? `${notifier.statement(events, written)}; COMMIT` : 'COMMIT');
        notifier?.committed(events, committed, instancesMoved ? null : moves);
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (e) {
          broken = e; // the connection is gone: do not return it to the pool
        }
        throw translate(err);
      } finally {
        client.removeListener('error', onError);
        client.release(broken as Error | undefined);
      }
    },
  };
  return conn;
}

/**
 * Driver errors never cross the store boundary (SQLSTATE codes, PostgreSQL appendix A): a unique
 * violation the pre-checks missed is a Conflict; disk full (53100) is StorageFull (out of memory
 * stays an error of the server); a read-only
 * transaction (25006, a standby) is StorageReadOnly; a server that cannot be reached (refused,
 * reset, shutting down, connect timeout: faults.ts) is StorageUnavailable. The transaction was
 * rolled back (or never began).
 */
export function translate(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') return new Conflict((err as Error).message);
  // A foreign-key violation: a referenced row deleted by a concurrent request (see sqlite/connection.ts).
  if (code === '23503') return new NotFound((err as Error).message);
  if (code === '53100') return new StorageFull();
  if (code === '25006') return new StorageReadOnly();
  const unreachable = connectionFault(err);
  if (unreachable !== null) return new StorageUnavailable(unreachable);
  return err;
}

export const now = (): string => new Date().toISOString();
export const bit = (b: boolean): number => (b ? 1 : 0);
