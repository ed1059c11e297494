// sundial backup FILE — a consistent copy of the database while the server runs (SPEC "Running
// it"; restore steps in docs/deployment.md). Progress goes to stderr on a terminal.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { databasePath } from '../server.js';
import { backupDatabase } from '../store/sqlite/backup.js';
import { UsageError, splitArgs, type CliIO } from './command.js';
import { progressLine } from './import.js';
import { count } from './plural.js';

export const backupUsage = `Usage:
  sundial backup FILE                 copy the database to FILE, also while the server runs`;

export async function backupCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const [file] = positional;
  if (!file || positional.length > 1) throw new UsageError(backupUsage);
  const config = loadConfig(io.env, flags);
  const source = databasePath(config);
  if (!fs.existsSync(source)) throw new UsageError(`no database at ${source} (is --data or SUNDIAL_DATA right?)`);
  const target = path.resolve(file);
  if (target === path.resolve(source)) throw new UsageError('the backup cannot replace the database itself');
  if (!fs.existsSync(path.dirname(target))) throw new UsageError(`the folder ${path.dirname(target)} does not exist`);
  const progress = progressLine(process.stderr, 'Backing up, pages:');
  let result;
  try {
    result = await backupDatabase(source, target, { onProgress: (p) => progress.update(p.done, p.total) });
  } finally {
    progress.end();
  }
  const restarted = result.restarts ? ` (restarted ${count(result.restarts, 'time', 'times')} after writes by the server)` : '';
  io.out(`backup of ${source} written to ${target}: ${count(result.pages, 'page', 'pages')}, ${result.bytes} bytes${restarted}`);
  return 0;
}
