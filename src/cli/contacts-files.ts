// The address-book halves of `sundial import` and `sundial export` (issue 14 item 6):
//   sundial import FILE.vcf --user U --addressbook A   cards into the address book, re-run safe
//   sundial export --user U --addressbook A [--output FILE]
// import.ts and export.ts hand over when --addressbook is given. The import reports like the
// calendar import: a progress line on a terminal, the counts, one line per skipped card with its
// line number, exit code 1 when any card was skipped.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeImport } from '../ical-files/import.js';
import { importVCards } from '../vcard-files/import.js';
import { exportVCards } from '../vcard-files/export.js';
import { decodeVCard, vcardLimitsOf } from '../vcard/validate.js';
import { VCardError } from '../vcard/errors.js';
import { addressBookInstance } from '../services/addressbooks.js';
import { UsageError, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';
import { count } from './plural.js';
import { progressLine } from './import.js';

export async function importContacts(file: string, username: string, addressbook: string, serverFlags: string[], io: CliIO, usage: string): Promise<number> {
  let text: string;
  try {
    text = decodeVCard(fs.readFileSync(file));
  } catch (err) {
    if (err instanceof VCardError) throw new UsageError(`${file}: not UTF-8 text`);
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return withStore(io, serverFlags, async (store, config) => {
    const user = await userNamed(store, username, usage);
    const instance = await asUsage(() => addressBookInstance(store, user, addressbook));
    if (instance.access === 'read') throw new UsageError(`${instance.uri} is shared with ${user.username} read-only`);
    const progress = progressLine(process.stderr, `Importing into ${instance.uri}:`);
    const started = Date.now();
    const summary = await importVCards(store, instance.collection, text, { limits: vcardLimitsOf(config), onProgress: (d, t) => progress.update(d, t) });
    progress.end();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.out(`${file}: ${count(summary.total, 'card', 'cards')}, processed in ${seconds} s`);
    for (const line of describeImport(summary)) io.out(line);
    if (summary.entries > config.largeCalendarThreshold) {
      io.out(`note: ${instance.uri} now has ${summary.entries} cards — devices may synchronize it slowly or fail to; consider turning its synchronization off`);
    }
    return summary.skipped.length > 0 ? 1 : 0;
  });
}

export async function exportContacts(username: string, addressbook: string, output: string | undefined, serverFlags: string[], io: CliIO, usage: string): Promise<number> {
  return withStore(io, serverFlags, async (store) => {
    const user = await userNamed(store, username, usage);
    const instance = await asUsage(() => addressBookInstance(store, user, addressbook));
    const body = exportVCards(store, instance.collection.id);
    if (output) {
      const tmp = `${output}.part`;
      await pipeline(Readable.from(body), fs.createWriteStream(tmp));
      fs.renameSync(tmp, output);
      io.out(`${count(instance.collection.objectCount, 'card', 'cards')} of ${instance.uri} written to ${output}`);
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
