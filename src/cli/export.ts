// sundial export --user U --calendar C [--output FILE] — the calendar as one .ics file (stdout by
// default), streamed in batches so a large calendar never sits whole in memory.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exportCalendar } from '../ical-files/export.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { userNamed } from './lookup.js';
import { takeOptions } from './feed.js';
import { count } from './plural.js';
import { exportContacts } from './contacts-files.js';

export const exportUsage = `Usage:
  sundial export --user U --calendar C [--output FILE]      write the calendar as one .ics (stdout by default)
  sundial export --user U --addressbook A [--output FILE]   write the address book as one .vcf (stdout by default)`;

export async function exportCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const { values, rest } = takeOptions(flags, ['--user', '--calendar', '--output', '--addressbook'], exportUsage);
  if (values['--addressbook'] !== undefined) {
    if (positional.length > 0 || !values['--user'] || values['--calendar'] !== undefined) throw new UsageError(exportUsage);
    return exportContacts(values['--user'], values['--addressbook'], values['--output'], rest, io, exportUsage);
  }
  if (positional.length > 0 || !values['--user'] || !values['--calendar']) throw new UsageError(exportUsage);
  return withStore(io, rest, async (store) => {
    const user = await userNamed(store, values['--user'], exportUsage);
    const instance = await store.getInstance(user.id, values['--calendar']!);
    if (!instance) throw new UsageError(`no calendar "${values['--calendar']}" for ${user.username}`);
    const body = exportCalendar(store, instance);
    const output = values['--output'];
    if (output) {
      const tmp = `${output}.part`;
      await pipeline(Readable.from(body), fs.createWriteStream(tmp));
      fs.renameSync(tmp, output);
      io.out(`${count(instance.collection.objectCount, 'entry', 'entries')} of ${instance.uri} written to ${output}`);
    } else {
      try {
        await pipeline(Readable.from(body), process.stdout);
      } catch (err) {
        // `sundial export … | head`: the reader went away; that is not a failure of the export.
        const code = (err as { code?: string }).code;
        if (code !== 'EPIPE' && code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
      }
    }
    return 0;
  });
}
