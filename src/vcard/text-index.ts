// The folded values of one property over every card of an address book state, as one string, so
// that a text-match is first one indexOf pass over that string instead of one match per card
// (matching 9000 cards one by one took 2–15 ms of a warm addressbook-query; the pass takes well
// under one). The pass finds candidates only: every card where the needle occurs in a value of
// the property — a superset of the cards where the text-match (contains, equals, starts-with or
// ends-with, negation aside) holds — and each candidate is then matched exactly (filter.ts
// matchCard), so the index never decides an answer by itself. Kept with the member list it was
// built from (cache.ts), for that state of the book. A card whose values are not indexed (a card
// too long to fold in one go, filter.ts needsPreparation) is a candidate for every needle.
import type { CardProp, ParsedCard } from './card.js';

/** Between two values: a hit that spans it is a false candidate, which the exact match drops. */
const SEPARATOR = '\n';

export class TextIndex {
  private constructor(
    /** The folded values, each followed by SEPARATOR. */
    private readonly text: string,
    /** Offset of each value in `text`, ascending. */
    private readonly starts: Int32Array,
    /** The card (index in the member list) of each value. */
    private readonly cardOf: Int32Array,
    /** Cards whose values are not indexed: always candidates. */
    private readonly always: Int32Array,
  ) {}

  /**
   * The index of property `name` (upper-cased, interned) over `cards` (the member list's, in
   * its order; every one parsed), each value folded by `fold` (filter.ts, which keeps the fold on
   * the property).
   */
  static build(cards: readonly ParsedCard[], name: string, fold: (p: CardProp) => string): TextIndex {
    return TextIndex.buildWithin(cards, name, fold, () => false, Infinity)!;
  }

  /**
   * `build`, except the cards `skip` names (always candidates). The build is one synchronous
   * pass: past `deadline` (performance.now()) it gives up and answers null (no index: the cards
   * are then matched one by one, with pauses), so that a book of cards costly to fold does not
   * hold the event loop for the whole pass.
   */
  static buildWithin(cards: readonly ParsedCard[], name: string, fold: (p: CardProp) => string, skip: (card: ParsedCard) => boolean, deadline: number): TextIndex | null {
    const parts: string[] = [];
    const starts: number[] = [];
    const cardOf: number[] = [];
    const always: number[] = [];
    let at = 0;
    for (let i = 0; i < cards.length; i++) {
      if (deadline !== Infinity && performance.now() > deadline) return null;
      if (skip(cards[i]!)) {
        always.push(i);
        continue;
      }
      const props = cards[i]!.props;
      for (let j = 0; j < props.length; j++) {
        const p = props[j]!;
        if (p.name !== name) continue;
        const v = fold(p);
        starts.push(at);
        cardOf.push(i);
        parts.push(v);
        at += v.length + SEPARATOR.length;
      }
    }
    return new TextIndex(parts.length > 0 ? parts.join(SEPARATOR) + SEPARATOR : '', Int32Array.from(starts), Int32Array.from(cardOf), Int32Array.from(always));
  }

  /** Memory held, for the cache's byte budget (a two-byte string at worst). */
  get bytes(): number {
    return 64 + 2 * this.text.length + 8 * this.starts.length + 4 * this.always.length;
  }

  /**
   * Marks in `out` (one slot per card) every card with a value where `needle` occurs. An empty
   * needle occurs everywhere: every card holding the property is marked.
   */
  mark(needle: string, out: Uint8Array): void {
    const { text, starts, cardOf, always } = this;
    for (let i = 0; i < always.length; i++) out[always[i]!] = 1;
    let from = 0;
    let k = 0; // the value holding `from`
    for (;;) {
      const at = needle.length === 0 ? (from < text.length ? from : -1) : text.indexOf(needle, from);
      if (at < 0) return;
      // The value the hit starts in: the last start ≤ at (from k on, by binary search).
      let lo = k;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      out[cardOf[lo]!] = 1;
      // One mark per value is enough: go on from the next value.
      k = lo + 1;
      if (k >= starts.length) return;
      from = starts[k]!;
    }
  }
}
