// Import of a .vcf file of many cards into an address book (issue 14 item 6: `sundial import
// FILE.vcf --addressbook A`, the preferences page's upload). The file is split into cards by
// src/vcard/split.ts (each validated as a PUT validates it, RFC 6352 §5.1: one vCard with UID, FN
// and VERSION), and each card is stored with its bytes exactly as in the file, under the name its
// UID already has in the address book or a name derived from the UID — so importing the same file
// again changes nothing ("unchanged"), and a card edited since is replaced, never duplicated. Bad
// cards are skipped and reported with their line; the rest goes on.
import type { Collection, Store } from '../store/types.js';
import { UidConflict } from '../store/errors.js';
import { splitVCardSteps, type SplitVCards } from '../vcard/split.js';
import type { VCardLimits } from '../vcard/validate.js';
import { objectName, type ImportSummary } from '../ical-files/import.js';
import { SLICE_MS, slicer } from '../time-slice.js';

/** The media type a card is stored with (RFC 6350 §10.1), as a PUT stores it (dav/address-objects.ts). */
export const VCARD_CONTENT_TYPE = 'text/vcard; charset=utf-8';

/** The resource name of an imported card: its UID when that is a safe segment, with ".vcf". */
export const cardName = (uid: string) => objectName(uid, '.vcf');

export interface VCardImportOptions {
  /** What one card may be: the configured limits (vcardLimitsOf(config)), as at PUT. */
  limits: VCardLimits;
  /** Called after each card with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Longest stretch of work, in ms, before other callbacks get their turn (default SLICE_MS). */
  sliceMs?: number;
}

/** Imports the cards of `text` into `collection` (an address book); throws only for storage failures. */
export async function importVCards(store: Store, collection: Collection, text: string, opts: VCardImportOptions): Promise<ImportSummary> {
  // The split and the (synchronous underneath) store are CPU work: run in slices of ~SLICE_MS so
  // that a server importing 9,000 cards still answers other requests in between (issue 11 item 4).
  const pause = slicer(opts.sliceMs ?? SLICE_MS);
  const steps = splitVCardSteps(text, opts.limits, 50);
  let split: IteratorResult<void, SplitVCards>;
  while (!(split = steps.next()).done) await pause();
  const { cards, problems } = split.value;
  // With pauses too: a file of a million BEGIN:VCARD lines has a million problems (0.7 s to map).
  const skipped: ImportSummary['skipped'] = [];
  for (const p of problems) {
    skipped.push({ item: `line ${p.line} (${p.item})`, reason: p.reason });
    const wait = pause();
    if (wait) await wait;
  }
  if (cards.length === 0 && problems.length === 0) skipped.push({ item: 'file', reason: 'not a vCard file (no BEGIN:VCARD)' });
  const summary: ImportSummary = { total: cards.length, imported: 0, replaced: 0, unchanged: 0, skipped, entries: 0 };
  let done = 0;
  for (const card of cards) {
    await pause();
    try {
      const data = Buffer.from(card.text, 'utf8');
      // Where the UID already lives (a device may have created it under any name), else a name
      // from the UID — unless a card of another UID sits there.
      let name = await store.findByUid(collection.id, card.uid);
      if (name === null) {
        name = cardName(card.uid);
        const there = await store.getObjectMeta(collection.id, name);
        if (there && there.uid !== card.uid) name = cardName(`${card.uid}\u0000`);
      } else {
        const current = await store.getObject(collection.id, name);
        if (current && current.data.equals(data)) {
          summary.unchanged++;
          continue;
        }
      }
      const { created } = await store.putObject(collection.id, { name, data, contentType: VCARD_CONTENT_TYPE, uid: card.uid, componentType: null, classification: 'public' });
      if (created) summary.imported++;
      else summary.replaced++;
    } catch (err) {
      if (!(err instanceof UidConflict)) throw err;
      skipped.push({ item: `line ${card.line} (UID ${card.uid.slice(0, 60)})`, reason: 'another card with this UID was written at the same time' });
    } finally {
      opts.onProgress?.(++done, cards.length);
    }
  }
  summary.entries = (await store.getCollection(collection.id))?.objectCount ?? 0;
  return summary;
}
