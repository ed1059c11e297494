// sundial import FILE.ics --user U --calendar C — splits the file into entries by UID, validates
// each like a PUT, and stores it (re-running replaces instead of duplicating). Bad components are
// skipped and listed; exit code 1 when any was. Progress goes to stderr on a terminal: a single
// rewritten line is all this needs, so no progress-bar dependency.
import fs from 'node:fs';
import { decodeCalendarText } from '../ical/parse.js';
import { CalendarDataError } from '../ical/errors.js';
import { describeImport, importCalendar } from '../ical-files/import.js';
import { objectLimitsOf } from '../ical/limits.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { userNamed } from './lookup.js';
import { takeOptions } from './feed.js';
import { count } from './plural.js';
import { importContacts } from './contacts-files.js';

export const importUsage = `Usage:
  sundial import FILE.ics --user U --calendar C      import events and to-dos into the user's calendar C
  sundial import FILE.vcf --user U --addressbook A   import contacts into the user's address book A`;

/** A "\\r"-rewritten progress line on a terminal, at most every 100 ms; nothing otherwise. */
export function progressLine(stream: NodeJS.WriteStream, label: string): { update(done: number, total: number): void; end(): void } {
  if (!stream.isTTY) return { update() {}, end() {} };
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done !== total && now - last < 100) return;
      last = now;
      shown = true;
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      stream.write(`\r${label} ${done}/${total} (${pct}%)`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

export async function importCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const { values, rest } = takeOptions(flags, ['--user', '--calendar', '--addressbook'], importUsage);
  const [file] = positional;
  if (values['--addressbook'] !== undefined) {
    if (!file || positional.length > 1 || !values['--user'] || values['--calendar'] !== undefined) throw new UsageError(importUsage);
    return importContacts(file, values['--user'], values['--addressbook'], rest, io, importUsage);
  }
  if (!file || positional.length > 1 || !values['--user'] || !values['--calendar']) throw new UsageError(importUsage);
  let text: string;
  try {
    text = decodeCalendarText(fs.readFileSync(file));
  } catch (err) {
    if (err instanceof CalendarDataError) throw new UsageError(`${file}: not UTF-8 text`);
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return withStore(io, rest, async (store, config) => {
    const user = await userNamed(store, values['--user'], importUsage);
    const instance = await store.getInstance(user.id, values['--calendar']!);
    if (!instance) throw new UsageError(`no calendar "${values['--calendar']}" for ${user.username}`);
    if (instance.access === 'read') throw new UsageError(`${instance.uri} is shared with ${user.username} read-only`);
    const progress = progressLine(process.stderr, `Importing into ${instance.uri}:`);
    const started = Date.now();
    const summary = await importCalendar(store, instance.collection, text, {
      maxResourceSize: config.maxResourceSize,
      limits: objectLimitsOf(config),
      sharee: instance.access !== 'owner',
      onProgress: (d, t) => progress.update(d, t),
    });
    progress.end();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.out(`${file}: ${count(summary.total, 'entry', 'entries')}, processed in ${seconds} s`);
    for (const line of describeImport(summary)) io.out(line);
    if (summary.entries > config.largeCalendarThreshold) {
      io.out(`note: ${instance.uri} now has ${summary.entries} entries — devices may synchronize it slowly or fail to; consider turning its synchronization off`);
    }
    return summary.skipped.length > 0 ? 1 : 0;
  });
}
