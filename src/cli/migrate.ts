// sundial migrate — applies pending schema migrations (the server also does this at start).
import fs from 'node:fs';
import { loadConfig } from '../config.js';
import { databasePath } from '../server.js';
import { migrateDatabase } from '../store/sqlite/index.js';
import type { CliIO } from './command.js';

export const migrateUsage = `Usage:
  sundial migrate                     apply pending database migrations (the server does this at start too)
  sundial migrate --database-url URL  the same for a PostgreSQL database (postgres://…)`;

export async function migrateCommand(args: string[], io: CliIO): Promise<number> {
  const config = loadConfig(io.env, args);
  // Like the server and the other commands (openStore), create the data directory when missing.
  fs.mkdirSync(config.dataDir, { recursive: true });
  // SUNDIAL_DATABASE_URL / --database-url: the PostgreSQL migrations of schema/postgres/.
  // node-postgres is loaded only for a PostgreSQL database (store/database-url.ts).
  const applied = config.databaseUrl !== null ? await (await import('../store/postgres/index.js')).migratePostgresDatabase({ url: config.databaseUrl }) : migrateDatabase(databasePath(config));
  io.out(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  return 0;
}
