// sundial copy-data --to postgres://… — moves a SQLite installation (the data folder's database)
// into an empty PostgreSQL database (issue 18; the steps in docs/deployment.md, "Moving from
// SQLite to PostgreSQL"). The copying itself is store/copy-to-postgres.ts.
import fs from 'node:fs';
import { loadConfig } from '../config.js';
import { databasePath } from '../server.js';
import { claimDataFolder, migrateDatabase } from '../store/sqlite/index.js';
import { DataFolderUnusable } from '../store/errors.js';
import { isPostgresUrl } from '../store/database-url.js';
import { UsageError, splitArgs, type CliIO } from './command.js';
import { takeOptions } from './feed.js';
import { progressLine } from './import.js';
import { count } from './plural.js';

export const copyDataUsage = `Usage:
  sundial copy-data --to URL          copy the SQLite database of the data folder (--data DIR) into
                                      the empty PostgreSQL database URL (postgres://…): every user,
                                      password, calendar, address book, share, device and entry,
                                      with the same ids, ETags and sync tokens. Stop the server first.`;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:…@');
}

export async function copyDataCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const { values, rest } = takeOptions(flags, ['--to'], copyDataUsage);
  const to = values['--to'];
  if (positional.length > 0 || to === undefined) throw new UsageError(copyDataUsage);
  if (!isPostgresUrl(to)) throw new UsageError(`--to: expected a postgres:// or postgresql:// URL, got "${redactUrl(to)}"`);
  const config = loadConfig(io.env, rest);
  const source = databasePath(config);
  if (!fs.existsSync(source)) throw new UsageError(`no database at ${source} (is --data or SUNDIAL_DATA right?)`);
  // No server may hand out sync tokens from SQLite after the copy: PostgreSQL continues the same
  // sequence, and a client holding such a token would silently miss the changes PostgreSQL gives
  // those numbers. Holding the data folder's claim also keeps a server from starting meanwhile.
  let release: () => void;
  try {
    release = claimDataFolder(config.dataDir);
  } catch (err) {
    if (!(err instanceof DataFolderUnusable)) throw err;
    io.err(`${err.message}\ncopy-data needs the server stopped: changes made after the copy would be lost.`);
    return 1;
  }
  try {
    // The copy reads the newest SQLite schema, which the PostgreSQL schema mirrors.
    const applied = migrateDatabase(source);
    if (applied.length > 0) io.out(`SQLite migrations applied first: ${applied.join(', ')}`);
    io.out(`copying ${source} to ${redactUrl(to)}`);
    // On a terminal, a line per table counting its rows (stderr; nothing when piped).
    let progress: ReturnType<typeof progressLine> | null = null;
    let current = '';
    let result;
    // Loaded here: every other command (and the server on SQLite) runs without node-postgres.
    const { copyToPostgres, CopyFailed, SchemaMismatch, TargetNotEmpty, TargetUnreachable } = await import('../store/copy-to-postgres.js');
    try {
      result = await copyToPostgres({
        sqlitePath: source,
        url: to,
        onProgress: (table, done, total) => {
          if (table !== current) {
            progress?.end();
            progress = progressLine(process.stderr, `  ${table}:`);
            current = table;
          }
          progress!.update(done, total);
        },
        onTable: (t) => {
          progress?.end();
          progress = null;
          current = '';
          io.out(`  ${t.table.padEnd(24)} ${count(t.rows, 'row', 'rows').padStart(14)}  ${(t.ms / 1000).toFixed(1)} s`);
        },
      });
    } catch (err) {
      (progress as ReturnType<typeof progressLine> | null)?.end();
      if (err instanceof TargetNotEmpty || err instanceof SchemaMismatch || err instanceof TargetUnreachable || err instanceof CopyFailed) {
        io.err(`copy-data: ${err.message}`);
        return 1;
      }
      throw err;
    }
    for (const s of result.skipped) io.out(`  ${s.table.padEnd(24)} skipped: ${s.why}`);
    const mb = (result.bytes / 1024 / 1024).toFixed(1);
    io.out(`copied ${count(result.tables.length, 'table', 'tables')}, ${count(result.rows, 'row', 'rows')} (${mb} MB of calendar and contact data) in ${(result.ms / 1000).toFixed(1)} s; sync tokens continue after ${result.sequence}`);
    io.out(`next: start Sundial with SUNDIAL_DATABASE_URL=${redactUrl(to)} (the SQLite database is left as it was)`);
    return 0;
  } finally {
    release();
  }
}
