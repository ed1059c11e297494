// The `sundial` command: one file per command in this folder.
import { ConfigError } from '../config.js';
import { UsageError, processIO, type CliIO } from './context.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { userCommand } from './user.js';
import { calendarCommand } from './calendar.js';
import { shareCommand } from './share.js';
import { statsCommand } from './stats.js';
import { feedCommand } from './feed.js';
import { importCommand } from './import.js';
import { exportCommand } from './export.js';

const usage = `Usage: sundial <command> [arguments]

Commands:
  serve [options]            run the server (sundial serve --help lists every option)
  migrate                    apply pending database migrations
  user add|passwd|list|delete  manage accounts (sundial user for details)
  calendar list|create|sync  a user's calendars and their Synchronization switch
  share                      share a calendar with another user, or stop sharing
  stats                      calendars with their number of entries; flags large ones
  feed create|list|revoke|regenerate  private subscription links (webcal)
  import FILE.ics --user U --calendar C  import an .ics file (re-running replaces, never duplicates)
  export --user U --calendar C [--output FILE]  a calendar as one .ics file

Data-touching commands take the server's options too (e.g. --data DIR, or SUNDIAL_DATA).`;

type Command = (args: string[], io: CliIO) => Promise<number>;
const commands: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  user: userCommand,
  calendar: calendarCommand,
  share: shareCommand,
  stats: statsCommand,
  feed: feedCommand,
  import: importCommand,
  export: exportCommand,
};

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
}
