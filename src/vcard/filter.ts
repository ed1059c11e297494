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
// Collations: i;ascii-casemap (RFC 4790 §9.2), i;unicode-casemap (RFC 5051), i;octet, folded
// and matched by the code CalDAV uses too (text-match-evaluation.ts, unicode-casemap.ts,
// folded-match.ts). A card whose text is long is prepared first (`prepareCard`), in slices
// under the request's evaluation budget; matchCard then finds its long values' answers ready.
import { internName, unescapeText, type CardProp, type ParsedCard } from './card.js';
import type { TextIndex } from './text-index.js';
import { matchFolded } from '../folded-match.js';
import { foldText, LONG_TEXT, type FoldedTest, type TextMatchEvaluation } from '../text-match-evaluation.js';

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

/** A text-match compiled once per query: its needle folded (text-match-evaluation.ts foldText). */
interface CompiledMatch extends FoldedTest {
  collation: CardCollation;
  type: CardMatchType;
  negate: boolean;
}

function compileMatch(tm: CardTextMatch): CompiledMatch {
  // i;unicode-casemap: matches must not cut a character from its combining marks (folded-match.ts).
  return { collation: tm.collation, needle: foldText(tm.value, tm.collation), type: tm.matchType, negate: tm.negate, marks: tm.collation === 'i;unicode-casemap' };
}

/** Whether `text` (unfolded, unescaped) satisfies the text-match, negation included. */
export function textMatchHolds(tm: CardTextMatch, text: string): boolean {
  const m = compileMatch(tm);
  return matchFolded(foldText(text, m.collation), m.needle, m.type, m.marks) !== m.negate;
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

/** The value as a text-match reads it: unescaped (RFC 6350 §3.4), computed once and kept on the property. */
function textOf(p: CardProp): string {
  return p.text ?? (p.text = unescapeText(p.value));
}

/**
 * How many times longer than its text a fold may be to be kept on the property: an accent
 * decomposes into two characters, a Hangul syllable into three. A fold that grows more (U+FDFA
 * into 18) would hold far more memory than the card cache counts for it (card.ts parseCard), and
 * is made once per evaluation instead.
 */
const KEEP_FOLD_RATIO = 3;

/**
 * The text a text-match under `collation` compares with: the value unescaped (RFC 6350 §3.4),
 * and its folded forms, computed once per property and kept on it (card.ts CardProp; cards live
 * in ParsedCardCache, so repeated queries fold nothing: 9000 cards of non-ASCII names cost ~70 ms
 * to fold, ~5 ms to compare). The text indexes (text-index.ts) are built from the same values.
 * With `ev`, a fold not kept is made once per evaluation (ev's memo).
 */
export function foldedFor(p: CardProp, collation: CardCollation, ev?: TextMatchEvaluation): string {
  const text = textOf(p);
  if (collation === 'i;unicode-casemap') {
    if (p.unicode !== null) return p.unicode;
    const f = ev !== undefined ? ev.fold(text, collation) : foldText(text, collation);
    if (f.length <= KEEP_FOLD_RATIO * text.length) p.unicode = f;
    return f;
  }
  if (collation === 'i;ascii-casemap') return p.ascii ?? (p.ascii = foldText(text, collation));
  return text;
}

/**
 * Cards with more characters of values and parameters than this are prepared (`prepareCard`)
 * before they are matched, and left out of the text indexes (matched one by one instead): their
 * folds may take longer than one slice of the event loop.
 */
export const PREPARED_CARD_CHARS = LONG_TEXT;

export function needsPreparation(card: ParsedCard): boolean {
  return card.chars > PREPARED_CARD_CHARS;
}

/**
 * Folds, in slices and under `ev`'s budget, every value and parameter value of `card` that the
 * filter's text-matches read (text-match-evaluation.ts prepare), so that matchCard(card, filter,
 * ev) that follows folds nothing. Throws QueryError max-instances past the budget.
 */
export async function prepareCard(card: ParsedCard, filter: CompiledCardFilter, ev: TextMatchEvaluation): Promise<void> {
  const pairs: Array<[FoldedTest, string]> = [];
  for (const f of filter.propFilters) {
    if (f.textMatches.length === 0 && !f.paramFilters.some((pf) => pf.match !== null)) continue;
    for (const p of card.props) {
      if (!isInstance(f, p)) continue;
      for (const m of f.textMatches) pairs.push([m, textOf(p)]);
      for (const pf of f.paramFilters) {
        if (pf.match === null) continue;
        for (const q of p.params) if (q.name === pf.name) for (const v of q.values) pairs.push([pf.match, v]);
      }
    }
  }
  await ev.prepare(pairs);
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
 * A long value not folded whole is answered by `ev` (prepared by prepareCard).
 */
function holdsOn(m: CompiledMatch, p: CardProp, ev: TextMatchEvaluation | undefined): boolean {
  if (ev !== undefined && m.collation !== 'i;octet' && textOf(p).length > LONG_TEXT) return ev.holds(m, textOf(p)) !== m.negate;
  return matchFolded(foldedFor(p, m.collation, ev), m.needle, m.type, m.marks) !== m.negate;
}

function isInstance(f: CompiledPropFilter, p: CardProp): boolean {
  return p.name === f.name && (f.group === null || (p.group !== null && p.group.toUpperCase() === f.group));
}

function textMatchOn(f: CompiledPropFilter, m: CompiledMatch, props: readonly CardProp[], ev: TextMatchEvaluation | undefined): boolean {
  for (let i = 0; i < props.length; i++) {
    const p = props[i]!;
    if (isInstance(f, p) && holdsOn(m, p, ev)) return true;
  }
  return false;
}

/** A parameter value against a param-filter's text-match (negation aside), folded once per evaluation with `ev`. */
function paramHolds(m: CompiledMatch, v: string, ev: TextMatchEvaluation | undefined): boolean {
  return ev !== undefined ? ev.holds(m, v) : matchFolded(foldText(v, m.collation), m.needle, m.type, m.marks);
}

function paramFilterOn(f: CompiledPropFilter, pf: CompiledPropFilter['paramFilters'][number], props: readonly CardProp[], ev: TextMatchEvaluation | undefined): boolean {
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
      if (pf.match && !any) for (const v of q.values) if (paramHolds(pf.match, v, ev)) { any = true; break; }
    }
    if (carries && (!pf.match || any !== pf.match.negate)) return true;
  }
  return false;
}

function propFilterHolds(f: CompiledPropFilter, card: ParsedCard, ev: TextMatchEvaluation | undefined): boolean {
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
  for (let i = 0; i < f.textMatches.length; i++) if (textMatchOn(f, f.textMatches[i]!, props, ev) !== all) return !all;
  for (let i = 0; i < f.paramFilters.length; i++) if (paramFilterOn(f, f.paramFilters[i]!, props, ev) !== all) return !all;
  return all;
}

/**
 * Whether the card matches the filter (RFC 6352 §10.5). A filter without prop-filters matches
 * every card (the query then lists the address book). With `ev` (one per request, cleared per
 * card), every value is folded at most once and a prepared card's long values are not folded.
 */
export function matchCard(card: ParsedCard, filter: CompiledCardFilter | CardFilter, ev?: TextMatchEvaluation): boolean {
  const compiled = isCompiled(filter) ? filter : compileCardFilter(filter);
  const fs = compiled.propFilters;
  if (fs.length === 0) return true;
  if (compiled.test === 'allof') {
    for (let i = 0; i < fs.length; i++) if (!propFilterHolds(fs[i]!, card, ev)) return false;
    return true;
  }
  for (let i = 0; i < fs.length; i++) if (propFilterHolds(fs[i]!, card, ev)) return true;
  return false;
}

function isCompiled(f: CompiledCardFilter | CardFilter): f is CompiledCardFilter {
  return (f as CompiledCardFilter).compiled === true;
}
