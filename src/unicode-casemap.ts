// The i;unicode-casemap collation's preparation of a string (RFC 5051 §2; RFC 4790 §9.3 registers
// it), shared by CalDAV text-match (RFC 4791 §9.7.5) and CardDAV text-match (RFC 6352 §10.5.4):
// each character to its titlecase (UnicodeData.txt's simple mapping), then fully decomposed. Done
// here as NFKD, titlecase of each character, NFKD again: the second decomposition is RFC 5051's
// "repeat until nothing changes" (the titlecase of a decomposed letter may decompose, and the
// ligature ﬁ equals fi only once its decomposition is titlecased), and NFKD adds canonical
// ordering, so that a letter's combining marks in either order compare equal. A character whose
// uppercase is several (ß → SS) has no simple mapping and stays itself: "ß" does not equal "SS",
// as RFC 5051 defines it. No locale rules: the Turkish dotless ı maps to I, and İ stays I + U+0307,
// so "İ" does not equal "i".
//
// Cost: linear for every input. The titlecase step is String.prototype.toUpperCase over whole
// runs of characters. That equals the per-character simple titlecase mapping, because after NFKD
// every character's full uppercase is one character except ß, and every simple uppercase equals
// the simple titlecase except the DŽ/LJ/NJ/DZ digraphs (which NFKD has already decomposed) and the
// Georgian Mkhedruli letters (their own titlecase since Unicode 11 gave them Mtavruli capitals):
// both kept as they are (test/unit/unicode-casemap.test.ts checks these claims over every code
// point and compares the result with a per-character implementation). Two costs that are not
// linear are bounded:
// - canonical ordering (NFKD) is quadratic in the length of a run of combining marks (ICU sorts
//   by insertion: 400,000 alternating marks took 36 s): as the Stream-Safe Text Process of
//   UAX #15 §13 does, a COMBINING GRAPHEME JOINER (U+034F, a starter) is inserted after every
//   30 consecutive marks, so no run the normalization sees is longer. No real text has such
//   runs; for those that have them, the fold is that of the text with the joiners inserted;
// - a long string is folded in pieces of about PIECE characters (`unicodeCasemapPieces`), so a
//   caller can give the event loop back between pieces and never needs the whole fold at once
//   (U+FDFA decomposes into 18 characters: a 2 MB value folds to 36 million).

/** About how many UTF-16 units of input one piece holds: its fold takes at most a few ms (U+FDFA × 4096: 2.5 ms). */
export const PIECE = 4096;

/** Characters whose titlecase is themselves though their uppercase is not (after NFKD; see above). */
const KEEP = /[\u00DF\u10D0-\u10FA\u10FD-\u10FF]/;
const CASED_RUNS = /[^\u00DF\u10D0-\u10FA\u10FD-\u10FF]+/g;

/**
 * Characters that are, or whose NFKD begins with, a non-starter (canonical combining class other
 * than 0): all are marks (general category M) except the halfwidth katakana sound marks. The class
 * holds every mark, a few of which are starters: a superset only makes runs look longer.
 */
export const NON_STARTER_CLASS = '\\p{M}\\uFF9E\\uFF9F';
/** The longest run of such characters folded as it is (UAX #15 §13's limit). */
export const MAX_RUN = 30;
const LONG_RUN = new RegExp(`[${NON_STARTER_CLASS}]{${MAX_RUN + 1}}`, 'u');
const RUN_BREAKS = new RegExp(`[${NON_STARTER_CLASS}]{${MAX_RUN}}(?=[${NON_STARTER_CLASS}])`, 'gu');
const STARTER = new RegExp(`[^${NON_STARTER_CLASS}]`, 'u');
const CGJ = '\u034F';
/** How far past a piece's nominal end a starter is looked for before a run of marks is cut. */
const RUN_WINDOW = 64;

/** Whether every character of `s` is ASCII (then every collation's fold is its toUpperCase or less). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** A run of characters uppercased (the replacer of the folds' run expressions). */
export const upper = (run: string) => run.toUpperCase();

/** The fold of one piece (or of a whole short string). */
function foldPiece(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  const safe = s.length > MAX_RUN && LONG_RUN.test(s) ? s.replace(RUN_BREAKS, `$&${CGJ}`) : s;
  const d = safe.normalize('NFKD');
  const up = KEEP.test(d) ? d.replace(CASED_RUNS, upper) : d.toUpperCase();
  return up.normalize('NFKD');
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The fold of `s` in consecutive pieces whose concatenation is `unicodeCasemap(s)`. Pieces end
 * just before a starter (a character no NFKD or titlecase step can reorder or merge with what
 * precedes it: the fold of the whole is the folds of the parts, put together), or, inside a run
 * of more than RUN_WINDOW marks, anywhere with a joiner (U+034F) added to the piece's fold as the
 * Stream-Safe Text Process would have. `size` is for tests.
 */
export function* unicodeCasemapPieces(s: string, size: number = PIECE): Generator<string, void, void> {
  let from = 0;
  while (from < s.length) {
    let end = from + size;
    let cut = false;
    if (end >= s.length) end = s.length;
    else {
      if (isLow(s.charCodeAt(end)) && isHigh(s.charCodeAt(end - 1))) end++;
      let windowEnd = Math.min(s.length, end + RUN_WINDOW);
      if (windowEnd < s.length && isLow(s.charCodeAt(windowEnd))) windowEnd++;
      const at = s.slice(end, windowEnd).search(STARTER);
      if (at >= 0) end += at;
      else if (windowEnd === s.length) end = s.length;
      else cut = true;
    }
    const piece = foldPiece(s.slice(from, end));
    yield cut ? piece + CGJ : piece;
    from = end;
  }
}

/** The i;unicode-casemap fold of `s` (RFC 5051 §2), whole. */
export function unicodeCasemap(s: string): string {
  if (s.length <= PIECE) return foldPiece(s);
  let out = '';
  for (const piece of unicodeCasemapPieces(s)) out += piece;
  return out;
}
