// The match of a text-match on texts already folded by its collation (RFC 4790 §4.2: equality and
// substring on the prepared strings; RFC 4791 §9.7.5, RFC 6352 §10.5.4 match-type), for a folded
// text held whole (`matchFolded`) or arriving in pieces (`PieceMatch`, fed by
// unicode-casemap.ts unicodeCasemapPieces, which never builds the whole fold of a long value).
// Both answer the same for every text and every way of cutting it at code point boundaries
// (test/unit/folded-match.test.ts).
//
// With `marks` (CardDAV's i;unicode-casemap), a match must not begin or end between a base
// character and its combining marks: the folded form is decomposed, so "café" folds to CAFE +
// U+0301, and "cafe" must not match it. CalDAV compares the prepared strings as RFC 4790 says.

export type MatchType = 'equals' | 'contains' | 'starts-with' | 'ends-with';

const MARK = /\p{M}/u;

/** A combining mark (general category M) at `i` of `s`. */
function isMarkChar(s: string, i: number): boolean {
  if (s.charCodeAt(i) < 0x300) return false;
  return MARK.test(String.fromCodePoint(s.codePointAt(i)!));
}

/** A combining mark at `i`, which is neither end of `s`: a match must not end or begin inside a character. */
export function isMarkAt(s: string, i: number): boolean {
  return i > 0 && i < s.length && isMarkChar(s, i);
}

/** Whether `needle` matches `hay` (both folded) by `type`. */
export function matchFolded(hay: string, needle: string, type: MatchType, marks: boolean): boolean {
  switch (type) {
    case 'equals':
      return hay === needle;
    case 'starts-with':
      return hay.startsWith(needle) && !(marks && isMarkAt(hay, needle.length));
    case 'ends-with':
      return hay.endsWith(needle) && !(marks && isMarkAt(hay, hay.length - needle.length));
    default: {
      if (!marks) return hay.includes(needle);
      for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
        if (!isMarkAt(hay, at) && !isMarkAt(hay, at + needle.length)) return true;
      }
      return false;
    }
  }
}

/**
 * `matchFolded` on a folded text given piece by piece: `feed` each piece in order (pieces never
 * split a surrogate pair), then `result()`. Between pieces it keeps at most the needle's length
 * (plus one character) of the text; `settled` says the answer is known and no more is needed.
 */
export class PieceMatch {
  /** Characters fed so far. */
  private total = 0;
  /**
   * What is kept of the text: its first L + 1 characters (starts-with), its last L + 1
   * (ends-with), L (contains with marks) or L - 1 (contains), where L is the needle's length;
   * unused by equals.
   */
  private kept = '';
  private verdict: boolean | null = null;

  constructor(
    readonly needle: string,
    readonly type: MatchType,
    readonly marks: boolean,
  ) {}

  get settled(): boolean {
    return this.verdict !== null;
  }

  feed(piece: string): void {
    if (this.verdict !== null || piece.length === 0) return;
    const n = this.needle;
    const L = n.length;
    const start = this.total;
    this.total += piece.length;
    switch (this.type) {
      case 'equals':
        // Compared as it comes: a longer text or a differing piece settles it.
        if (this.total > L || !n.startsWith(piece, start)) this.verdict = false;
        return;
      case 'starts-with':
        this.kept += piece.slice(0, Math.max(0, L + 1 - start));
        if (!(this.kept.length > L ? this.kept.startsWith(n) : n.startsWith(this.kept))) this.verdict = false;
        else if (this.kept.length > L) this.verdict = !(this.marks && isMarkAt(this.kept, L));
        return;
      case 'ends-with':
        this.keepLast(piece, L + 1);
        return;
      default:
        if (this.marks) this.containsMarked(piece, start);
        else if (piece.includes(n) || (L > 1 && this.kept.length > 0 && (this.kept + piece.slice(0, L - 1)).includes(n))) this.verdict = true;
        else this.keepLast(piece, L - 1);
    }
  }

  /** Keeps the last `k` characters of the text (without copying the piece when it alone holds them). */
  private keepLast(piece: string, k: number): void {
    if (k <= 0) this.kept = '';
    else if (piece.length >= k) this.kept = piece.slice(piece.length - k);
    else {
      const buf = this.kept + piece;
      this.kept = buf.slice(Math.max(0, buf.length - k));
    }
  }

  /**
   * contains, where a hit must not begin on a mark (unless it begins the text) nor be followed by
   * one. A hit is decided once the character after it has arrived: one that ends where the text
   * so far ends waits, and is found again with the next piece (or by result()) among the last L
   * characters, which are kept. Hits that begin in those kept characters are looked for in them
   * plus the piece's first L characters; the others in the piece itself.
   */
  private containsMarked(piece: string, start: number): void {
    const n = this.needle;
    const L = n.length;
    const kept = this.kept;
    const hit = (s: string, at: number, g: number): boolean =>
      !(g > 0 && isMarkChar(s, at)) && !(g + L > 0 && isMarkChar(s, at + L));
    if (kept.length > 0) {
      const edge = kept + piece.slice(0, L);
      const base = start - kept.length;
      for (let at = edge.indexOf(n); at >= 0 && at < kept.length && at + L < edge.length; at = edge.indexOf(n, at + 1)) {
        if (hit(edge, at, base + at)) {
          this.verdict = true;
          return;
        }
      }
    }
    for (let at = piece.indexOf(n); at >= 0 && at + L < piece.length; at = piece.indexOf(n, at + 1)) {
      if (hit(piece, at, start + at)) {
        this.verdict = true;
        return;
      }
    }
    this.keepLast(piece, L);
  }

  /** The answer once every piece was fed. */
  result(): boolean {
    if (this.verdict !== null) return this.verdict;
    const n = this.needle;
    const L = n.length;
    const k = this.kept;
    switch (this.type) {
      case 'equals':
        return this.total === L;
      case 'starts-with':
        return k.startsWith(n); // shorter than L + 1: the whole text, and no character after the needle
      case 'ends-with':
        // The character where the needle begins, at total - L, must not be a mark (unless it is
        // the first of the text): in `k`, the last L + 1 characters, it is at 1.
        return k.endsWith(n) && !(this.marks && L > 0 && this.total > L && isMarkChar(k, k.length - L));
      default:
        // contains, with nothing found so far: an empty needle in an empty text; with marks, a
        // hit that ends where the text ends (kept whole: the last L characters), whose first
        // character, at total - L, must not be a mark unless it begins the text.
        if (L === 0) return true;
        if (!this.marks || k !== n) return false;
        return !(this.total > L && isMarkChar(k, 0));
    }
  }
}
