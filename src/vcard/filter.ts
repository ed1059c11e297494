// The CARDDAV:filter of addressbook-query (RFC 6352 §10.5) as a model, and its evaluation on a
// parsed card (card.ts). Semantics where RFC 6352 leaves room, as the CardDAV interoperability
// suite of carddavclient (doc/QUIRKS.md) expects them:
// - a text-match holds when SOME instance of the property matches it; negated, when some
//   instance does not match (not "no instance matches": sabre/dav's and Radicale's bug
//   BUG_INVTEXTMATCH_SOMEMATCH); a card without the property never matches a text-match,
//   negated or not (DAViCal's BUG_INVTEXTMATCH_MATCHES_UNDEF_PROPS);
// - a param-filter with is-not-defined holds when no instance carries the parameter
//   (DAViCal's BUG_PARAMNOTDEF_SOMEMATCH); with a text-match, when some instance carries it and
//   one of its values matches (negated: none of its values matches);
// - a prop-filter needs the property to exist, unless it is is-not-defined.
// Collations: i;ascii-casemap (RFC 4790 §9.2), i;unicode-casemap (RFC 5051), i;octet.
import { internName, unescapeText, type CardProp, type ParsedCard } from './card.js';
import type { TextIndex } from './text-index.js';

export type CardCollation = 'i;ascii-casemap' | 'i;unicode-casemap' | 'i;octet';
export type CardMatchType = 'equals' | 'contains' | 'starts-with' | 'ends-with';

/** CARDDAV:supported-collation-set: RFC 6352 §8.3 requires the first two. */
export const SUPPORTED_CARD_COLLATIONS: readonly CardCollation[] = ['i;ascii-casemap', 'i;unicode-casemap', 'i;octet'];
/** RFC 6352 §10.5.4: the collation when the attribute is absent. */
export const DEFAULT_CARD_COLLATION: CardCollation = 'i;unicode-casemap';

export interface CardTextMatch {
  value: string;
  collation: CardCollation;
  matchType: CardMatchType;
  negate: boolean;
}

export interface CardParamFilter {
  /** Upper-cased parameter name. */
  name: string;
  isNotDefined: boolean;
  textMatch: CardTextMatch | null;
}

export interface CardPropFilter {
  /** Upper-cased property name; `group.NAME` restricts it to one group. */
  name: string;
  test: 'anyof' | 'allof';
  isNotDefined: boolean;
  textMatches: CardTextMatch[];
  paramFilters: CardParamFilter[];
}

export interface CardFilter {
  test: 'anyof' | 'allof';
  propFilters: CardPropFilter[];
}

// --- collations -------------------------------------------------------------------------------

/** RFC 4790 §9.2: only a–z map to A–Z; every other character is left alone. */
function asciiFold(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return s.toUpperCase() === s ? s : asciiUpper(s);
  }
  return s;
}
function asciiUpper(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) {
      out += s.slice(from, i) + String.fromCharCode(c - 0x20);
      from = i + 1;
    }
  }
  return out + s.slice(from);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * RFC 5051 §2: each character to its (simple, one-character) titlecase mapping, then NFKD.
 * JavaScript has no titlecase mapping; the simple uppercase mapping is the same except for the
 * DŽ/LJ/NJ/DZ digraphs (mapped to their titlecase forms below). A character whose uppercase is
 * several characters (ß → SS, ŉ → ʼN) has no simple mapping and stays itself, so "ß" does not
 * equal "SS" under this collation, as RFC 5051 defines it. No locale rules: the Turkish dotless
 * ı maps to I, and İ stays İ (NFKD: I + U+0307), so "İ" does not equal "i". The mapping is
 * applied to the decomposed form (as Dovecot's "decomposed titlecase" does), so that what NFKD
 * produces is mapped too: the ligature ﬁ equals fi.
 */
export function unicodeCasemap(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  const d = s.normalize('NFKD');
  const up = d.toUpperCase();
  // Fast path: no character mapped to several (full uppercase = simple mapping) and no digraph.
  if (up.length === d.length && !hasDigraph(d)) return up.normalize('NFKD');
  let out = '';
  for (const ch of d) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x1c4 && cp <= 0x1cc) out += String.fromCodePoint(0x1c5 + 3 * Math.floor((cp - 0x1c4) / 3));
    else if (cp >= 0x1f1 && cp <= 0x1f3) out += '\u01f2';
    else {
      const u = ch.toUpperCase();
      out += u.length === ch.length ? u : ch;
    }
  }
  return out.normalize('NFKD');
}

function hasDigraph(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x1c4 && c <= 0x1cc) || (c >= 0x1f1 && c <= 0x1f3)) return true;
  }
  return false;
}

export function foldFor(collation: CardCollation): (s: string) => string {
  return collation === 'i;octet' ? (s) => s : collation === 'i;ascii-casemap' ? asciiFold : unicodeCasemap;
}

/** A combining mark (general category M) at `i`: a match must not end or begin inside a character. */
function isMarkAt(s: string, i: number): boolean {
  if (i <= 0 || i >= s.length) return false;
  const c = s.charCodeAt(i);
  if (c < 0x300) return false;
  return /\p{M}/u.test(String.fromCodePoint(s.codePointAt(i)!));
}

/**
 * Whether `needle` matches `hay` (both already folded) by `type`. Under i;unicode-casemap the
 * folded form is decomposed, so "café" folds to CAFE + U+0301: a match must not begin or end
 * between a base character and its combining marks ("cafe" does not match "café").
 */
function matchFolded(hay: string, needle: string, type: CardMatchType, checkMarks: boolean): boolean {
  switch (type) {
    case 'equals':
      return hay === needle;
    case 'starts-with':
      return hay.startsWith(needle) && !(checkMarks && isMarkAt(hay, needle.length));
    case 'ends-with':
      return hay.endsWith(needle) && !(checkMarks && isMarkAt(hay, hay.length - needle.length));
    default: {
      if (!checkMarks) return hay.includes(needle);
      for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
        if (!isMarkAt(hay, at) && !isMarkAt(hay, at + needle.length)) return true;
      }
      return false;
    }
  }
}

/** A text-match compiled once per query: the needle folded. */
interface CompiledMatch {
  collation: CardCollation;
  needle: string;
  fold: (s: string) => string;
  type: CardMatchType;
  negate: boolean;
  /** i;unicode-casemap: matches must not cut a character from its combining marks. */
  marks: boolean;
}

function compileMatch(tm: CardTextMatch): CompiledMatch {
  const fold = foldFor(tm.collation);
  const needle = fold(tm.value);
  return { collation: tm.collation, needle, fold, type: tm.matchType, negate: tm.negate, marks: tm.collation === 'i;unicode-casemap' };
}

/** Whether `text` (unfolded, unescaped) satisfies the text-match, negation included. */
export function textMatchHolds(tm: CardTextMatch, text: string): boolean {
  return holds(compileMatch(tm), text);
}

function holds(m: CompiledMatch, text: string): boolean {
  const hay = m.fold(text);
  return matchFolded(hay, m.needle, m.type, m.marks) !== m.negate;
}

// --- evaluation -------------------------------------------------------------------------------

interface CompiledPropFilter {
  name: string;
  group: string | null;
  test: 'anyof' | 'allof';
  isNotDefined: boolean;
  textMatches: CompiledMatch[];
  paramFilters: Array<{ name: string; isNotDefined: boolean; match: CompiledMatch | null }>;
}

/** A filter ready to run on many cards (needles folded once). */
export interface CompiledCardFilter {
  compiled: true;
  test: 'anyof' | 'allof';
  propFilters: CompiledPropFilter[];
}

export function compileCardFilter(filter: CardFilter): CompiledCardFilter {
  return {
    compiled: true,
    test: filter.test,
    propFilters: filter.propFilters.map((pf) => {
      const dot = pf.name.indexOf('.');
      return {
        name: internName((dot < 0 ? pf.name : pf.name.slice(dot + 1)).toUpperCase()),
        group: dot < 0 ? null : pf.name.slice(0, dot).toUpperCase(),
        test: pf.test,
        isNotDefined: pf.isNotDefined,
        textMatches: pf.textMatches.map(compileMatch),
        paramFilters: pf.paramFilters.map((p) => ({ name: p.name.toUpperCase(), isNotDefined: p.isNotDefined, match: p.textMatch ? compileMatch(p.textMatch) : null })),
      };
    }),
  };
}

/**
 * The text a text-match under `collation` compares with: the value unescaped (RFC 6350 §3.4),
 * and its folded forms, computed once per property and kept on it (card.ts CardProp; cards live
 * in ParsedCardCache, so repeated queries fold nothing: 9000 cards of non-ASCII names cost ~70 ms
 * to fold, ~5 ms to compare). The text indexes (text-index.ts) are built from the same values.
 */
export function foldedFor(p: CardProp, collation: CardCollation): string {
  const text = p.text ?? (p.text = unescapeText(p.value));
  if (collation === 'i;unicode-casemap') return p.unicode ?? (p.unicode = unicodeCasemap(text));
  if (collation === 'i;ascii-casemap') return p.ascii ?? (p.ascii = asciiFold(text));
  return text;
}

// --- candidates -------------------------------------------------------------------------------

/** The text index of property `name` under `collation` over the cards being matched, or null when there is none. */
export type IndexLookup = (name: string, collation: CardCollation) => TextIndex | null;

/**
 * A superset of the cards (slots 0…n-1 of the member list) that can match the filter, from the
 * text indexes (text-index.ts): a card where no positive text-match's needle occurs in a value of
 * its property cannot satisfy a prop-filter that needs that text-match, so only the marked cards
 * need matchCard. null when the filter gives no bound (a negated text-match, is-not-defined,
 * a param-filter in an anyof, an empty prop-filter, or no index): every card is matched.
 */
export function candidateCards(filter: CompiledCardFilter, n: number, index: IndexLookup): Uint8Array | null {
  const fs = filter.propFilters;
  if (fs.length === 0) return null;
  if (filter.test === 'allof') {
    // Every prop-filter must hold: the bound of any one of them bounds the filter.
    for (const f of fs) {
      const b = propFilterBound(f, n, index);
      if (b !== null) return b;
    }
    return null;
  }
  let out: Uint8Array | null = null;
  for (const f of fs) {
    const b = propFilterBound(f, n, index);
    if (b === null) return null;
    if (out === null) out = b;
    else for (let i = 0; i < n; i++) out[i]! |= b[i]!;
  }
  return out;
}

function propFilterBound(f: CompiledPropFilter, n: number, index: IndexLookup): Uint8Array | null {
  if (f.isNotDefined) return null;
  const positive = f.textMatches.filter((m) => !m.negate);
  if (f.test === 'anyof') {
    // Holds when one of its tests holds: bounded only when each is a positive text-match.
    if (f.paramFilters.length > 0 || positive.length === 0 || positive.length !== f.textMatches.length) return null;
    const out = new Uint8Array(n);
    for (const m of positive) {
      const ix = index(f.name, m.collation);
      if (ix === null) return null;
      ix.mark(m.needle, out);
    }
    return out;
  }
  // allof: every test must hold, so any positive text-match bounds it.
  for (const m of positive) {
    const ix = index(f.name, m.collation);
    if (ix === null) continue;
    const out = new Uint8Array(n);
    ix.mark(m.needle, out);
    return out;
  }
  return null;
}

/**
 * Whether the property's value satisfies the text-match. The combining-mark test (matchFolded)
 * only looks at the characters around a hit, and a character below U+0300 is never a mark, so it
 * is asked for every unicode-casemap match: on an ASCII value it answers what skipping it would
 * (the value was scanned for non-ASCII on every match before: most of the warm query's matching).
 */
function holdsOn(m: CompiledMatch, p: CardProp): boolean {
  return matchFolded(foldedFor(p, m.collation), m.needle, m.type, m.marks) !== m.negate;
}

function isInstance(f: CompiledPropFilter, p: CardProp): boolean {
  return p.name === f.name && (f.group === null || (p.group !== null && p.group.toUpperCase() === f.group));
}

function textMatchOn(f: CompiledPropFilter, m: CompiledMatch, props: readonly CardProp[]): boolean {
  for (let i = 0; i < props.length; i++) {
    const p = props[i]!;
    if (isInstance(f, p) && holdsOn(m, p)) return true;
  }
  return false;
}

function paramFilterOn(f: CompiledPropFilter, pf: CompiledPropFilter['paramFilters'][number], props: readonly CardProp[]): boolean {
  if (pf.isNotDefined) {
    for (const p of props) if (isInstance(f, p) && p.params.some((q) => q.name === pf.name)) return false;
    return true;
  }
  for (const p of props) {
    if (!isInstance(f, p)) continue;
    let carries = false;
    let any = false;
    for (const q of p.params) {
      if (q.name !== pf.name) continue;
      carries = true;
      if (pf.match) for (const v of q.values) if (matchFolded(pf.match.fold(v), pf.match.needle, pf.match.type, pf.match.marks)) any = true;
    }
    if (carries && (!pf.match || any !== pf.match.negate)) return true;
  }
  return false;
}

function propFilterHolds(f: CompiledPropFilter, card: ParsedCard): boolean {
  const props = card.props;
  let defined = false;
  for (let i = 0; i < props.length; i++) {
    if (isInstance(f, props[i]!)) {
      defined = true;
      break;
    }
  }
  if (f.isNotDefined) return !defined;
  if (!defined) return false;
  const n = f.textMatches.length + f.paramFilters.length;
  if (n === 0) return true; // an empty prop-filter: the property exists
  const all = f.test === 'allof';
  for (let i = 0; i < f.textMatches.length; i++) if (textMatchOn(f, f.textMatches[i]!, props) !== all) return !all;
  for (let i = 0; i < f.paramFilters.length; i++) if (paramFilterOn(f, f.paramFilters[i]!, props) !== all) return !all;
  return all;
}

/**
 * Whether the card matches the filter (RFC 6352 §10.5). A filter without prop-filters matches
 * every card (the query then lists the address book).
 */
export function matchCard(card: ParsedCard, filter: CompiledCardFilter | CardFilter): boolean {
  const compiled = isCompiled(filter) ? filter : compileCardFilter(filter);
  const fs = compiled.propFilters;
  if (fs.length === 0) return true;
  if (compiled.test === 'allof') {
    for (let i = 0; i < fs.length; i++) if (!propFilterHolds(fs[i]!, card)) return false;
    return true;
  }
  for (let i = 0; i < fs.length; i++) if (propFilterHolds(fs[i]!, card)) return true;
  return false;
}

function isCompiled(f: CompiledCardFilter | CardFilter): f is CompiledCardFilter {
  return (f as CompiledCardFilter).compiled === true;
}
