// Export of one address book as a single .vcf file (issue 14 item 6: `sundial export
// --addressbook A`, the page's download): the cards one after another, each byte for byte as
// stored (RFC 6350 §3.1 allows a file of several vCards), read page by page with a turn of the
// event loop between pages, so a 9,000-card book never sits whole in memory or holds the loop.
import type { Store } from '../store/types.js';
import { objectPages } from '../store/objects.js';

const CRLF = Buffer.from('\r\n');

export async function* exportVCards(store: Store, collectionId: number): AsyncGenerator<Buffer> {
  for await (const page of objectPages(store, collectionId, 200)) {
    const objects = await store.getObjects(collectionId, page.map((m) => m.name));
    for (const o of objects) {
      yield o.data;
      // A card PUT without a final line break still ends its line, so the next BEGIN:VCARD
      // starts a line of its own.
      if (o.data.length > 0 && o.data[o.data.length - 1] !== 0x0a) yield CRLF;
    }
  }
}
