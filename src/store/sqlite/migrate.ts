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
/**
 * First line of a migration that rebuilds a table (CREATE new, copy, DROP old, RENAME): SQLite's
 * procedure for changing CHECK or UNIQUE constraints (https://sqlite.org/lang_altertable.html
 * #otheralter) needs foreign keys off, or the DROP cascades into every referencing table. The
 * pragma cannot change inside a transaction, so it is switched around it, and the foreign keys
 * are checked (PRAGMA foreign_key_check) before the migration commits.
 */
const FOREIGN_KEYS_OFF = '-- sundial: foreign-keys off';

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
    const keysOff = sql.startsWith(FOREIGN_KEYS_OFF) && db.pragma('foreign_keys', { simple: true }) === 1;
    if (keysOff) db.pragma('foreign_keys = OFF');
    try {
      // IMMEDIATE, and checked again inside: a second process migrating at the same moment waits
      // for the write lock and then finds the version recorded instead of applying it twice.
      const ran = db.transaction(() => {
        if (isApplied.get(m.version)) return false;
        db.exec(sql);
        if (keysOff) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`${m.name} leaves ${broken.length} broken foreign key(s): ${JSON.stringify(broken.slice(0, 3))}`);
        }
        record.run(m.version, m.name, new Date().toISOString());
        return true;
      }).immediate();
      if (ran) applied.push(m.name);
    } finally {
      if (keysOff) db.pragma('foreign_keys = ON');
    }
  }
  return { applied };
}
