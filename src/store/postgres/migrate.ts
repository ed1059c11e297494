// Forward-only migrations of the PostgreSQL store: schema/postgres/NNN_name.sql in numeric order,
// each in one transaction with its schema_migrations row (PostgreSQL's DDL is transactional, so a
// failed file leaves no trace), like store/sqlite/migrate.ts for SQLite. Several Sundial
// processes may start at once on one database: a transaction-level advisory lock makes the second
// wait and then find the versions recorded instead of applying them twice.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { packageRoot } from '../../package-root.js';
import { checkout } from './connection.js';

const FILE = /^(\d+)_[\w.-]+\.sql$/;
const MIGRATE_LOCK = 7361825;

export function postgresSchemaDir(): string {
  return path.join(packageRoot(), 'schema', 'postgres');
}

function listMigrations(dir: string): { version: number; name: string; file: string }[] {
  const seen = new Map<number, string>();
  const files = [];
  for (const name of fs.readdirSync(dir)) {
    const m = FILE.exec(name);
    if (!m) continue;
    const version = Number(m[1]);
    const clash = seen.get(version);
    if (clash) throw new Error(`two migrations with version ${version}: ${clash} and ${name}`);
    seen.set(version, name);
    files.push({ version, name, file: path.join(dir, name) });
  }
  return files.sort((a, b) => a.version - b.version);
}

/** Applies the pending migrations; returns the file names applied now (empty when up to date). */
export async function migratePostgres(pool: pg.Pool, opts: { dir?: string } = {}): Promise<string[]> {
  const applied: string[] = [];
  // A broken connection fails the statement in flight; the listener keeps its 'error' from ending the process.
  const client = await checkout(pool, () => undefined);
  try {
    for (const m of listMigrations(opts.dir ?? postgresSchemaDir())) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          applied_at text NOT NULL)`);
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
        if (done.rowCount === 0) {
          await client.query(fs.readFileSync(m.file, 'utf8'));
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version, m.name, new Date().toISOString(),
          ]);
          applied.push(m.name);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  } finally {
    client.release();
  }
  return applied;
}
