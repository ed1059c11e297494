// The `sundial` command: one file per command in this folder.
import { ConfigError } from '../config.js';
import { UsageError, processIO, type CliIO } from './command.js';
import { serveCommand } from './serve.js';
import { migrateCommand, migrateUsage } from './migrate.js';
import { userCommand, userUsage } from './user.js';
import { calendarCommand, calendarUsage } from './calendar.js';
import { addressbookCommand, addressbookUsage } from './addressbook.js';
import { shareCommand, shareUsage } from './share.js';
import { statsCommand, statsUsage } from './stats.js';
import { feedCommand, feedUsage } from './feed.js';
import { importCommand, importUsage } from './import.js';
import { exportCommand, exportUsage } from './export.js';
import { backupCommand, backupUsage } from './backup.js';
import { deviceCommand, deviceUsage } from './device.js';
import { groupCommand, groupUsage } from './group.js';
import { copyDataCommand, copyDataUsage } from './copy-data.js';

const usage = `Usage: sundial <command> [arguments]

Commands:
  serve [options]            run the server (sundial serve --help lists every option)
  migrate                    apply pending database migrations
  user add|passwd|list|delete|set|show  manage accounts, names and e-mail addresses
  calendar list|create|sync|freebusy  a user's calendars, their Synchronization switch and free/busy
  addressbook list|create|sync  a user's address books and their Synchronization switch
  share                      share a calendar (or, with --addressbook, an address book), or stop sharing
  group add|list|members|delete|share  groups of users, and calendars shared with a group
  stats                      calendars with their number of entries; flags large ones
  feed create|list|revoke|regenerate  private subscription links (webcal)
  import FILE.ics --user U --calendar C  import an .ics file (re-running replaces, never duplicates)
  import FILE.vcf --user U --addressbook A  import a .vcf file of contacts (the same)
  export --user U --calendar C [--output FILE]  a calendar as one .ics file
  export --user U --addressbook A [--output FILE]  an address book as one .vcf file
  backup FILE                a consistent copy of the database, also while the server runs
  device add|list|select|revoke|policy  devices: an app password each, and what each synchronizes
  copy-data --to URL         move the SQLite installation into an empty PostgreSQL database (postgres://…)

sundial <command> --help explains a command. Data-touching commands take the server's options
too (e.g. --data DIR, or SUNDIAL_DATA).`;

type Command = (args: string[], io: CliIO) => Promise<number>;

/** `usage` answers `sundial <command> --help`; serve answers it itself (with every option). */
const commands: Record<string, { run: Command; usage?: string }> = {
  serve: { run: serveCommand },
  migrate: { run: migrateCommand, usage: migrateUsage },
  user: { run: userCommand, usage: userUsage },
  calendar: { run: calendarCommand, usage: calendarUsage },
  addressbook: { run: addressbookCommand, usage: addressbookUsage },
  share: { run: shareCommand, usage: shareUsage },
  stats: { run: statsCommand, usage: statsUsage },
  feed: { run: feedCommand, usage: feedUsage },
  import: { run: importCommand, usage: importUsage },
  export: { run: exportCommand, usage: exportUsage },
  backup: { run: backupCommand, usage: backupUsage },
  device: { run: deviceCommand, usage: deviceUsage },
  group: { run: groupCommand, usage: groupUsage },
  'copy-data': { run: copyDataCommand, usage: copyDataUsage },
};

const SERVER_OPTIONS = 'It also takes the server\'s options, e.g. --data DIR (sundial serve --help lists them).';
const isHelp = (a: string) => a === '--help' || a === '-h';

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || isHelp(name)) {
    // `sundial help feed` is `sundial feed --help`.
    if (name === 'help' && rest[0] && commands[rest[0]]) return main([rest[0], '--help'], io);
    io.out(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  // Asking for help is answered here, before a command reads its arguments: every command then
  // answers it the same way (on stdout, exit 0) instead of taking --help for a server option.
  if (command.usage !== undefined && rest.some(isHelp)) {
    io.out(`${command.usage}\n\n${SERVER_OPTIONS}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
}
