// Parsed cards kept between addressbook-query requests, so repeated queries over a 9000-card
// address book read no bodies and parse nothing (docs/performance.md). An entry is found by
// collection, resource name and etag: the etag is a hash of the bytes, so a changed card is
// parsed again and an entry can never be stale. One instance per app, created at the
// composition root with the store; two apps share nothing.
//
// Shape: one map per collection (name → etag and card), the collections in recency order, and
// one byte budget (ParsedCard.bytes) over all. A query takes its collection's map once and then
// does one Map lookup per card: lru-cache with a "collection\0name\0etag" key per card cost
// ~9 ms of a 9000-card query (building 9000 keys, moving 9000 entries to the front), the map ~1 ms.
// Past the budget, the least recently queried collections go first, then the oldest entries of
// the one being read.
//
// Each collection may also keep its member list (name, etag, …) for one state of the collection,
// its sync sequence number (`keepMembers`): every change of a member bumps that number in the
// same transaction, so a query that finds the list kept for the collection's current number
// reads no member rows at all (reading 9000 rows was most of a repeated addressbook-query's
// time, docs/performance.md). The list's bytes count against the same budget.
import { parseCard, type ParsedCard } from './card.js';
import type { TextIndex } from './text-index.js';

/** What a kept member list holds per member, at least. */
export interface MemberRef {
  name: string;
  etag: string;
}

/** Bytes a member list entry is counted for: its two strings and the object and slot around them (an estimate). */
export function memberBytes(m: MemberRef): number {
  return m.name.length + m.etag.length + 96;
}

export const DEFAULT_PARSED_CARD_CACHE_BYTES = 32 * 1024 * 1024;

interface Entry {
  etag: string;
  card: ParsedCard;
}

/** A member list kept for one state of a collection, with what was derived from it for that state. */
interface Kept {
  seq: number;
  members: readonly MemberRef[];
  /** Bytes of the list and its indexes. */
  bytes: number;
  cards: readonly (ParsedCard | undefined)[] | null;
  /** Text indexes by "collation NUL name" (text-index.ts), in the order they were built. */
  indexes: Map<string, TextIndex>;
}

/** Text indexes kept per member list: one per (property, collation) a query has used, the oldest going first. */
export const MAX_INDEXES = 8;

/** The parsed cards of one collection (from ParsedCardCache.collection). */
export class CollectionCards {
  private readonly byName = new Map<string, Entry>();
  /** Bytes held by this collection's cards and member list. */
  bytes = 0;
  private kept: Kept | null = null;

  constructor(private readonly owner: ParsedCardCache) {}

  /** The parsed card if it is cached for this etag, without parsing. */
  peek(name: string, etag: string): ParsedCard | undefined {
    const e = this.byName.get(name);
    return e !== undefined && e.etag === etag ? e.card : undefined;
  }

  /** The parsed card of `text` (the body whose etag is `etag`), cached or parsed now. Throws VCardError. */
  get(name: string, etag: string, text: string): ParsedCard {
    const e = this.byName.get(name);
    if (e !== undefined && e.etag === etag) return e.card;
    const card = parseCard(text);
    if (e !== undefined) this.remove(name, e);
    this.byName.set(name, { etag, card });
    if (this.kept !== null) this.kept.cards = null; // it may name this member as not cached
    this.bytes += card.bytes;
    this.owner.grew(card.bytes);
    return card;
  }

  /**
   * Keeps `bytes`, a whole response rendered from `card` (the cached card of `name` at `etag`),
   * on the card under `key`, replacing the one it held; counted in the card's bytes. Not kept when
   * the card is no longer this collection's (evicted or replaced meanwhile).
   */
  keepResponse(name: string, etag: string, card: ParsedCard, key: string, bytes: Buffer): void {
    if (this.peek(name, etag) !== card) return;
    const old = card.response;
    const delta = (bytes.length + 2 * key.length + 64) - (old ? old.bytes.length + 2 * old.key.length + 64 : 0);
    card.response = { key, bytes };
    card.bytes += delta;
    this.bytes += delta;
    this.owner.grew(delta);
  }

  /**
   * The member list kept for the collection state `seq` (Collection.syncSeq, read before the
   * list was), or undefined. The caller's type parameter is the element type it kept.
   */
  members<T extends MemberRef>(seq: number): readonly T[] | undefined {
    return this.kept !== null && this.kept.seq === seq ? (this.kept.members as readonly T[]) : undefined;
  }

  /**
   * The parsed card of each member of the list kept for `seq`, in its order (undefined where
   * none is cached: never parsed, or a card that does not parse), or undefined when no list is
   * kept for `seq`. Built with one lookup per member the first time it is asked for a list, then
   * kept with it, so that a repeated query over an unchanged book looks nothing up (the lookups
   * were ~4 ms of a warm 9000-card query). It holds only cards this collection holds: removing
   * any card drops it (remove), and the list goes before any card when evicting (evictOldest).
   */
  cardsOf(seq: number): readonly (ParsedCard | undefined)[] | undefined {
    const k = this.kept;
    if (k === null || k.seq !== seq) return undefined;
    if (k.cards === null) {
      const cards: (ParsedCard | undefined)[] = new Array(k.members.length);
      for (let i = 0; i < k.members.length; i++) cards[i] = this.peek(k.members[i]!.name, k.members[i]!.etag);
      k.cards = cards;
    }
    return k.cards;
  }

  /**
   * The text index `key` of the list kept for `seq`, built by `build` (from that list's cards)
   * the first time and kept with the list, its bytes counted; null when no list is kept for `seq`
   * or `build` declines (returns null).
   * It describes the members of that state, whose content the etags fix, so it stays true for as
   * long as the list does.
   */
  textIndex(seq: number, key: string, build: () => TextIndex | null): TextIndex | null {
    const k = this.kept;
    if (k === null || k.seq !== seq) return null;
    let ix: TextIndex | null | undefined = k.indexes.get(key);
    if (ix !== undefined) return ix;
    ix = build();
    if (ix === null) return null;
    if (k.indexes.size >= MAX_INDEXES) {
      const [oldKey, old] = k.indexes.entries().next().value!;
      k.indexes.delete(oldKey);
      k.bytes -= old.bytes;
      this.bytes -= old.bytes;
      this.owner.grew(-old.bytes);
    }
    k.indexes.set(key, ix);
    k.bytes += ix.bytes;
    this.bytes += ix.bytes;
    this.owner.grew(ix.bytes);
    return ix;
  }

  /**
   * Keeps `members`, listed after `seq` was read, as the list of that state (replacing any
   * other); `bytes` is the sum of memberBytes. Not kept when it alone would take more than a
   * quarter of the budget: a huge collection is listed by pages each time instead.
   */
  keepMembers(seq: number, members: readonly MemberRef[], bytes: number): void {
    this.dropMembers();
    if (bytes > this.owner.maxBytes / 4) return;
    this.kept = { seq, members, bytes, cards: null, indexes: new Map() };
    this.bytes += bytes;
    this.owner.grew(bytes);
  }

  /** The most bytes a member list may take to be kept (see keepMembers). */
  get maxMemberBytes(): number {
    return this.owner.maxBytes / 4;
  }

  get size(): number {
    return this.byName.size + (this.kept !== null ? 1 : 0);
  }

  /** Drops the member list, else the oldest card; the bytes freed (0 when empty). */
  evictOldest(): number {
    if (this.kept !== null) return this.dropMembers();
    const first = this.byName.entries().next();
    if (first.done) return 0;
    return this.remove(first.value[0], first.value[1]);
  }

  private dropMembers(): number {
    const k = this.kept;
    if (k === null) return 0;
    this.kept = null;
    this.bytes -= k.bytes;
    this.owner.grew(-k.bytes);
    return k.bytes;
  }

  private remove(name: string, e: Entry): number {
    this.byName.delete(name);
    if (this.kept !== null) this.kept.cards = null;
    this.bytes -= e.card.bytes;
    this.owner.grew(-e.card.bytes);
    return e.card.bytes;
  }
}

export class ParsedCardCache {
  /** Collections in recency order: the first is the least recently used. */
  private readonly collections = new Map<string, CollectionCards>();
  private total = 0;
  private evicting = false;

  constructor(readonly maxBytes: number = DEFAULT_PARSED_CARD_CACHE_BYTES) {}

  /** The cards of one collection, marked as the most recently used. */
  collection(collectionId: number | string): CollectionCards {
    const key = String(collectionId);
    let c = this.collections.get(key);
    if (c !== undefined) this.collections.delete(key);
    else c = new CollectionCards(this);
    this.collections.set(key, c);
    return c;
  }

  /** The parsed card if it is cached, without parsing. */
  peek(collectionId: number | string, name: string, etag: string): ParsedCard | undefined {
    return this.collections.get(String(collectionId))?.peek(name, etag);
  }

  /** The parsed card of `text`, from the cache or parsed now and kept. Throws VCardError. */
  get(collectionId: number | string, name: string, etag: string, text: string): ParsedCard {
    return this.collection(collectionId).get(name, etag, text);
  }

  /** Entries and bytes held (for stats and tests). */
  get size(): { entries: number; bytes: number } {
    let entries = 0;
    for (const c of this.collections.values()) entries += c.size;
    return { entries, bytes: this.total };
  }

  /** Forgets every card; handles from `collection()` taken before must not be used after. */
  clear(): void {
    this.collections.clear();
    this.total = 0;
  }

  /** Called by a collection when its bytes change; evicts past the budget. */
  grew(delta: number): void {
    this.total += delta;
    if (this.evicting || this.total <= this.maxBytes) return;
    this.evicting = true;
    try {
      let last: string | undefined;
      for (const key of this.collections.keys()) last = key;
      for (const [key, c] of this.collections) {
        while (this.total > this.maxBytes && c.evictOldest() > 0) { /* oldest entries first */ }
        // An emptied collection is forgotten, except the most recent: its caller holds it.
        if (c.size === 0 && key !== last) this.collections.delete(key);
        if (this.total <= this.maxBytes) break;
      }
    } finally {
      this.evicting = false;
    }
  }
}
