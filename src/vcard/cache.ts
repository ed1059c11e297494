// Parsed cards kept between addressbook-query requests, so repeated queries over a 9000-card
// address book read no bodies and parse nothing (docs/performance.md). Keyed by collection,
// resource name and etag: the etag is a hash of the bytes, so a changed card is a new key and an
// entry can never be stale; old ones age out. Bounded by the memory the parsed cards hold
// (ParsedCard.bytes), hence lru-cache's maxSize directly rather than bounded-cache.ts's
// one-per-entry count. One instance per app, created at the composition root with the store.
import { LRUCache } from 'lru-cache';
import { parseCard, type ParsedCard } from './card.js';

export const DEFAULT_PARSED_CARD_CACHE_BYTES = 32 * 1024 * 1024;

export class ParsedCardCache {
  private readonly cards: LRUCache<string, ParsedCard>;

  constructor(maxBytes: number = DEFAULT_PARSED_CARD_CACHE_BYTES) {
    this.cards = new LRUCache<string, ParsedCard>({ maxSize: maxBytes, sizeCalculation: (c) => Math.max(1, c.bytes) });
  }

  private static key(collectionId: number | string, name: string, etag: string): string {
    return `${collectionId}\u0000${name}\u0000${etag}`;
  }

  /** The parsed card if it is cached, without parsing. */
  peek(collectionId: number | string, name: string, etag: string): ParsedCard | undefined {
    return this.cards.get(ParsedCardCache.key(collectionId, name, etag));
  }

  /** The parsed card of `text`, from the cache or parsed now and kept. Throws VCardError. */
  get(collectionId: number | string, name: string, etag: string, text: string): ParsedCard {
    const key = ParsedCardCache.key(collectionId, name, etag);
    const hit = this.cards.get(key);
    if (hit) return hit;
    const card = parseCard(text);
    this.cards.set(key, card);
    return card;
  }

  /** Entries and bytes held (for stats and tests). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.cards.size, bytes: this.cards.calculatedSize };
  }

  clear(): void {
    this.cards.clear();
  }
}
