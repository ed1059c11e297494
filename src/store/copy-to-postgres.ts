// `sundial copy-data`: copies a whole SQLite installation into an empty PostgreSQL database
// (issue 18, "Moving data"), so that clients keep their URLs, ETags and sync tokens.
//
// Driven by the two schemas, not by a list of columns written here: every table of the SQLite
// database is either copied into the PostgreSQL table of the same name (same columns, checked) or
// named in SKIPPED with the reason, and every PostgreSQL table is either a copy target or named in
// POSTGRES_ONLY. A migration that adds a table to one schema and not to this file makes the copy
// fail with a sentence saying so — never a silently forgotten table.
//
// What stays the same:
// - ids (users, collections, devices, feed tokens, groups …) are copied, so every URL that names
//   one and every token that embeds one keeps working; each identity sequence is then moved past
//   the copied maximum and past SQLite's AUTOINCREMENT high-water mark (sqlite_sequence), so an id
//   SQLite once handed out is never handed out again (schema/postgres/001_initial.sql, "never
//   reused");
// - object bodies (BLOB → bytea), ETags, schedule tags and timestamps are copied byte for byte;
// - the global sequence row (value, floor) is copied as it is, with every collection's sync_seq,
//   pruned_below and the change log: sync tokens are plain numbers of that sequence
//   (dav/properties/values.ts), so a token handed out by SQLite means exactly the same on
//   PostgreSQL, and new tokens continue after it. Tokens below a restore floor stay invalid
//   (valid-sync-token), as they were.
// That only holds if SQLite hands out no token after the copy: the caller claims the data folder
// (no server may run on it), and the SQLite side is read in one read transaction (one snapshot).
//
// The PostgreSQL side is one transaction: migrations applied first, Sundial's write lock taken
// (connection.ts: no Sundial process on that database writes meanwhile), emptiness checked, rows
// inserted table by table in foreign-key order, in batches of INSERT … SELECT FROM unnest(arrays)
// (one statement per few thousand rows, no limit on parameters), sequences set, committed. A
// failure leaves the target as empty as it was.
import Database from 'better-sqlite3';
import pg from 'pg';
import { makePool, quoteIdent } from './postgres/connection.js';
import { migratePostgres } from './postgres/migrate.js';

/**
 * SQLite tables that are not copied, and why. SQLite's own tables (sqlite_schema, sqlite_sequence,
 * sqlite_stat1 …) are never Sundial data and are not listed; sqlite_sequence is read to set the
 * identity sequences. Volatile state is listed here: a copy would only carry state about to
 * expire (web-page sessions last hours; counters such as the login throttle, minutes).
 */
export const SKIPPED: Readonly<Record<string, string>> = {
  schema_migrations: 'each backend records its own migrations (PostgreSQL: schema/postgres, applied before the copy)',
  web_sessions: 'web-page logins are not carried over: users log in to the page again (docs/deployment.md)',
  counters: 'windowed counts (failed logins, iMIP mails per hour) that expire within the hour',
};

/** PostgreSQL tables with no SQLite twin, and why they stay as the migrations left them. */
export const POSTGRES_ONLY: Readonly<Record<string, string>> = {
  schema_migrations: 'filled by the PostgreSQL migrations themselves',
  write_version: 'the versions (one row per cache part, postgres/cache-parts.ts) each process compares its cached reads against (postgres/read-cache.ts); no process runs during the copy, so none holds a cache to invalidate',
};

/**
 * Tables whose rows the PostgreSQL migrations insert (the sequence row (1, 0)): allowed in an
 * "empty" database as long as they hold exactly what the migration put there, and replaced by the
 * copied rows.
 */
const SEEDED: Readonly<Record<string, string>> = {
  sequence: 'SELECT count(*) = 1 AND bool_and(id = 1 AND value = 0 AND floor = 0) FROM sequence',
};

/** The target already holds Sundial data: nothing was written. */
export class TargetNotEmpty extends Error {
  override name = 'TargetNotEmpty';
  constructor(readonly counts: Record<string, number>) {
    super(`the PostgreSQL database already holds data (${Object.entries(counts).map(([t, n]) => `${t}: ${n}`).join(', ')}); copy-data only fills an empty database — drop and recreate it (or use another one) first`);
  }
}

/** PostgreSQL could not be reached or refused the login: nothing was written. */
export class TargetUnreachable extends Error {
  override name = 'TargetUnreachable';
}

/**
 * Errors of the first contact that are the operator's to fix (PostgreSQL appendix A and Node's
 * socket errors): a wrong host or port, a wrong password, a database or schema that does not exist.
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '28000', '3D000', '3F000', '42501']);

/** A row could not be written (the transaction was rolled back: nothing was copied). */
export class CopyFailed extends Error {
  override name = 'CopyFailed';
}

/** The two schemas do not match (a table or column on one side only): nothing was written. */
export class SchemaMismatch extends Error {
  override name = 'SchemaMismatch';
}

export interface TableCopied {
  table: string;
  rows: number;
  ms: number;
}

export interface CopyResult {
  tables: TableCopied[];
  skipped: { table: string; why: string }[];
  rows: number;
  /** Bytes of object and inbox bodies (bytea columns) copied. */
  bytes: number;
  /** The global sequence on the target: the next sync token is above it. */
  sequence: number;
  ms: number;
}

export interface CopyOptions {
  /** The SQLite database file (already migrated to the newest schema). */
  sqlitePath: string;
  url: string;
  /** Schema to work in (tests); default: the URL's search_path. */
  schema?: string;
  /** Called before a table is copied, with its row count, and as batches are written. */
  onProgress?: (table: string, done: number, total: number) => void;
  /** Called when a table is copied. */
  onTable?: (t: TableCopied) => void;
  /** Rows per INSERT (default 5000); a batch also ends at ~16 MB of values. */
  batchRows?: number;
}

interface Column {
  name: string;
  /** PostgreSQL type as format_type() spells it (bigint, text, bytea …). */
  type: string;
  identity: boolean;
}

const BATCH_BYTES = 16 * 1024 * 1024;
/** Sundial's write lock (postgres/connection.ts): no Sundial process writes while the copy runs. */
const WRITE_LOCK = 7361826;

export async function copyToPostgres(opts: CopyOptions): Promise<CopyResult> {
  const started = Date.now();
  const db = new Database(opts.sqlitePath, { fileMustExist: true });
  const pool = makePool({ url: opts.url, max: 1, ...(opts.schema ? { schema: opts.schema } : {}) });
  try {
    db.pragma('busy_timeout = 5000');
    // Integers as BigInt: nothing rounds on the way (ids, epoch ms and sequence values are far
    // below 2^53 today; a restore point adds 10^12), and pg sends them as decimal text.
    db.defaultSafeIntegers(true);
    try {
      await migratePostgres(pool);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && UNREACHABLE.has(code)) throw new TargetUnreachable(`cannot use the PostgreSQL database: ${(err as Error).message}`);
      throw err;
    }
    const client = await pool.connect();
    let broken: unknown;
    try {
      // One snapshot of SQLite for the whole copy (WAL: a CLI command writing meanwhile is not seen).
      db.exec('BEGIN');
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const result = await copyTables(db, client, opts);
      await client.query('COMMIT');
      db.exec('COMMIT');
      // Fresh tables have no planner statistics until autovacuum comes by; the first queries of
      // the server would be planned blind (sequential scans of objects).
      for (const t of result.tables) await client.query(`ANALYZE ${quoteIdent(t.table)}`);
      return { ...result, ms: Date.now() - started };
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (e) {
        broken = e;
      }
      throw err;
    } finally {
      client.release(broken as Error | undefined);
    }
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    await pool.end();
  }
}

async function copyTables(db: Database.Database, client: pg.PoolClient, opts: CopyOptions): Promise<Omit<CopyResult, 'ms'>> {
  const source = sqliteTables(db);
  const target = await postgresTables(client);
  const skipped: { table: string; why: string }[] = [];
  const toCopy: string[] = [];
  const problems: string[] = [];
  for (const table of source.keys()) {
    const why = SKIPPED[table];
    if (why !== undefined) skipped.push({ table, why });
    else if (target.has(table)) toCopy.push(table);
    else problems.push(`the SQLite table ${table} has no PostgreSQL twin (add it to schema/postgres/, or to SKIPPED in src/store/copy-to-postgres.ts with the reason)`);
  }
  for (const table of target.keys()) {
    if (!source.has(table) && POSTGRES_ONLY[table] === undefined) {
      problems.push(`the PostgreSQL table ${table} has no SQLite twin (add it to the SQLite schema, or to POSTGRES_ONLY in src/store/copy-to-postgres.ts with the reason)`);
    }
  }
  for (const table of toCopy) {
    const a = source.get(table)!.columns;
    const b = target.get(table)!.columns.map((c) => c.name);
    const onlyA = a.filter((c) => !b.includes(c));
    const onlyB = b.filter((c) => !a.includes(c));
    if (onlyA.length > 0 || onlyB.length > 0) {
      problems.push(`the columns of ${table} differ: ${[...onlyA.map((c) => `${c} only in SQLite`), ...onlyB.map((c) => `${c} only in PostgreSQL`)].join(', ')}`);
    }
  }
  if (problems.length > 0) throw new SchemaMismatch(`the SQLite and PostgreSQL schemas do not match, nothing was copied:\n  ${problems.join('\n  ')}`);

  await checkEmpty(client, toCopy);

  const order = foreignKeyOrder(toCopy, target);
  const tables: TableCopied[] = [];
  let rows = 0;
  let bytes = 0;
  const high = highWaterMarks(db);
  // Counted before any iterator is open: better-sqlite3 runs one statement at a time per connection.
  const totals = new Map(order.map((t) => [t, Number(db.prepare(`SELECT count(*) FROM ${quoteIdent(t)}`).pluck().get() as bigint)]));
  for (const table of order) {
    const started = Date.now();
    if (SEEDED[table] !== undefined) await client.query(`DELETE FROM ${quoteIdent(table)}`);
    let copied;
    try {
      copied = await copyTable(db, client, table, source.get(table)!, target.get(table)!, totals.get(table)!, opts);
    } catch (err) {
      // A row PostgreSQL refuses (a NUL character in text, a value a CHECK rejects): say where.
      throw new CopyFailed(`copying ${table} failed, nothing was copied: ${(err as Error).message}`, { cause: err });
    }
    rows += copied.rows;
    bytes += copied.bytes;
    await moveIdentities(client, table, target.get(table)!, high.get(table) ?? 0n);
    const t = { table, rows: copied.rows, ms: Date.now() - started };
    tables.push(t);
    opts.onTable?.(t);
  }
  const sequence = Number((await client.query('SELECT value FROM sequence WHERE id = 1')).rows[0]?.value ?? 0);
  return { tables, skipped, rows, bytes, sequence };
}

interface SqliteTable {
  columns: string[];
  /** WITHOUT ROWID tables have no rowid to order by (they are read in primary-key order). */
  rowid: boolean;
}

function sqliteTables(db: Database.Database): Map<string, SqliteTable> {
  // sqlite_schema's rowid order is creation order (a table rebuilt by a migration moves to its end).
  const rows = db.prepare(`SELECT s.name, l.wr FROM sqlite_schema s JOIN pragma_table_list l ON l.schema = 'main' AND l.name = s.name
    WHERE s.type = 'table' AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY s.rowid`).all() as { name: string; wr: bigint }[];
  const tables = new Map<string, SqliteTable>();
  for (const r of rows) {
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(r.name) as string[]);
    tables.set(r.name, { columns, rowid: Number(r.wr) === 0 });
  }
  return tables;
}

interface PostgresTable {
  columns: Column[];
  /** Tables this one references (foreign keys), itself excluded. */
  references: Set<string>;
}

async function postgresTables(client: pg.PoolClient): Promise<Map<string, PostgresTable>> {
  const cols = await client.query<{ table: string; column: string; type: string; identity: string }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity AS identity
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`);
  const tables = new Map<string, PostgresTable>();
  for (const r of cols.rows) {
    let t = tables.get(r.table);
    if (!t) tables.set(r.table, (t = { columns: [], references: new Set() }));
    t.columns.push({ name: r.column, type: r.type, identity: r.identity !== '' });
  }
  const fks = await client.query<{ table: string; ref: string }>(`
    SELECT c.relname AS table, r.relname AS ref
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
    WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`);
  for (const r of fks.rows) if (r.table !== r.ref) tables.get(r.table)?.references.add(r.ref);
  return tables;
}

/**
 * The tables in the order SQLite created them (migration order: sequence, users, collections …),
 * each moved after the tables it references (depth first); a cycle would be a schema bug.
 */
function foreignKeyOrder(tables: string[], target: Map<string, PostgresTable>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: string, path: string[]) => {
    if (state.get(t) === 'done') return;
    if (state.get(t) === 'visiting') throw new SchemaMismatch(`foreign keys form a cycle: ${[...path, t].join(' → ')}`);
    state.set(t, 'visiting');
    for (const r of target.get(t)!.references) if (tables.includes(r)) visit(r, [...path, t]);
    state.set(t, 'done');
    order.push(t);
  };
  for (const t of tables) visit(t, []);
  return order;
}

/** Refuses a target holding anything but what the migrations put there. */
async function checkEmpty(client: pg.PoolClient, tables: string[]): Promise<void> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const seeded = SEEDED[table];
    if (seeded !== undefined) {
      const pristine = (await client.query({ text: seeded, rowMode: 'array' })).rows[0]?.[0] === true;
      if (!pristine) counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)).rows[0].n);
      continue;
    }
    const n = Number((await client.query(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)).rows[0].n);
    if (n > 0) counts[table] = n;
  }
  if (Object.keys(counts).length > 0) throw new TargetNotEmpty(counts);
}

/** SQLite's AUTOINCREMENT high-water marks: ids handed out once, even if their rows are gone. */
function highWaterMarks(db: Database.Database): Map<string, bigint> {
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'").get();
  if (!exists) return new Map();
  const rows = db.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: bigint }[];
  return new Map(rows.map((r) => [r.name, BigInt(r.seq)]));
}

async function copyTable(
  db: Database.Database, client: pg.PoolClient, table: string, source: SqliteTable, target: PostgresTable, total: number, opts: CopyOptions,
): Promise<{ rows: number; bytes: number }> {
  const columns = target.columns;
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  // rowid order: a row referencing its own table (collections.parent_id) comes after its parent,
  // which was created first and so has the smaller id (AUTOINCREMENT never reuses one).
  const select = db.prepare(`SELECT ${list} FROM ${quoteIdent(table)}${source.rowid ? ' ORDER BY rowid' : ''}`).raw(true);
  const insert = {
    name: `sundial_copy_${table}`,
    text: `INSERT INTO ${quoteIdent(table)} (${list}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`,
  };
  const maxRows = opts.batchRows ?? 5000;
  let batch: unknown[][] = columns.map(() => []);
  let batchRows = 0;
  let batchBytes = 0;
  let rows = 0;
  let bytes = 0;
  const flush = async () => {
    if (batchRows === 0) return;
    const r = await client.query({ ...insert, values: batch });
    if (r.rowCount !== batchRows) throw new Error(`${table}: inserted ${r.rowCount} rows of ${batchRows}`);
    rows += batchRows;
    batch = columns.map(() => []);
    batchRows = 0;
    batchBytes = 0;
    opts.onProgress?.(table, rows, total);
  };
  opts.onProgress?.(table, 0, total);
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    for (let i = 0; i < columns.length; i++) {
      const v = row[i];
      batch[i]!.push(v);
      if (Buffer.isBuffer(v)) {
        batchBytes += v.length * 2; // sent hex-encoded inside the array literal
        bytes += v.length;
      } else if (typeof v === 'string') batchBytes += v.length;
    }
    batchRows++;
    // Holding the iterator across the await is fine: nothing else runs on this SQLite connection.
    if (batchRows >= maxRows || batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return { rows, bytes };
}

/** Moves each identity sequence of the table past the copied ids and SQLite's high-water mark. */
async function moveIdentities(client: pg.PoolClient, table: string, target: PostgresTable, high: bigint): Promise<void> {
  for (const c of target.columns.filter((c) => c.identity)) {
    const max = (await client.query({ text: `SELECT max(${quoteIdent(c.name)})::text FROM ${quoteIdent(table)}`, rowMode: 'array' })).rows[0]?.[0] as string | null;
    const last = [high, BigInt(max ?? 0)].reduce((a, b) => (a > b ? a : b));
    if (last === 0n) continue;
    await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3)', [quoteIdent(table), c.name, last.toString()]);
  }
}
