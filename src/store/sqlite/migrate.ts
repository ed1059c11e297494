// Forward-only schema migrations: schema/NNN_name.sql applied in numeric order, each in one
// transaction together with its schema_migrations row, so a failed file leaves no trace and a
// rerun applies exactly what is missing. Tests build their databases through this same code.
import fs from 'node:fs';
import { packageRoot } from '../../package-root.js';
export { packageRoot };
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;

const FILE = /^(\d+)_[\w.-]+\.sql$/;

/** The package root: the first directory above this file holding a package.json (works from src/ and dist/src/). */
export function schemaDir(): string {
  return path.join(packageRoot(), 'schema');
}

interface MigrationFile {
  version: number;
  name: string;
  file: string;
}

function listMigrations(dir: string): MigrationFile[] {
  const seen = new Map<number, string>();
  const files: MigrationFile[] = [];
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
export function migrate(db: Database, opts: { dir?: string } = {}): { applied: string[] } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: string[] = [];
  for (const m of listMigrations(opts.dir ?? schemaDir())) {
    if (isApplied.get(m.version)) continue;
    const sql = fs.readFileSync(m.file, 'utf8');
    // IMMEDIATE, and checked again inside: a second process migrating at the same moment waits
    // for the write lock and then finds the version recorded instead of applying it twice.
    const ran = db.transaction(() => {
      if (isApplied.get(m.version)) return false;
      db.exec(sql);
      record.run(m.version, m.name, new Date().toISOString());
      return true;
    }).immediate();
    if (ran) applied.push(m.name);
  }
  return { applied };
}
