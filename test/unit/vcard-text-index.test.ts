// The text indexes of addressbook-query (src/vcard/text-index.ts) only narrow the cards matched
// one by one (filter.ts candidateCards): for any filter, the cards matchCard accepts among the
// candidates are exactly the cards it accepts among all. Checked on random filters — every match
// type, both case-folding collations and i;octet, negation, is-not-defined, param-filters,
// anyof/allof at both levels, groups, empty needles — over cards with non-ASCII names,
// combining marks, escapes, folded lines and repeated properties; and the folds an index is built
// with are the text-match's own (a needle folded otherwise finds nothing and the test fails).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCard, unescapeText, type ParsedCard } from '../../src/vcard/card.js';
import { candidateCards, compileCardFilter, foldedFor, matchCard, textMatchHolds, type CardCollation, type CardFilter, type CardMatchType, type CardPropFilter, type CardTextMatch } from '../../src/vcard/filter.js';
import { TextIndex } from '../../src/vcard/text-index.js';

const card = (...lines: string[]) => parseCard(['BEGIN:VCARD', 'VERSION:4.0', 'UID:u', ...lines, 'END:VCARD', ''].join('\r\n'));

/** A deterministic generator (xorshift), so that a failure can be replayed. */
function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

const NAMES = ['Müller', 'MUELLER', 'Mueller', 'García', 'Garcia', 'straße', 'STRASSE', 'Ǆemal', 'ǅ', 'İpek', 'ıdil', 'café', 'cafe\u0301', 'ﬁsh', 'Ann & <Co>', 'Ünal', 'o\'Neil', 'Zoë'];
const WORDS = ['müller', 'MÜL', 'ler', 'garc', 'í', 'cafe', 'café', 'ss', 'ß', 'fi', 'ǅ', 'i', 'İ', 'ann', 'x', '', 'e\u0301', 'ZOË', '@ex', 'home'];

function randomCard(r: () => number, i: number): string[] {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const lines = [`FN:${pick(NAMES)} ${pick(NAMES)}`];
  if (r() < 0.8) lines.push(`N:${pick(NAMES)};${pick(NAMES)};;;`);
  const emails = Math.floor(r() * 3);
  for (let k = 0; k < emails; k++) lines.push(`${r() < 0.3 ? 'item1.' : ''}EMAIL;TYPE=${pick(['work', 'home', 'pref'])}:${pick(NAMES).toLowerCase()}${i}@ex.org`);
  if (r() < 0.3) lines.push(`NOTE:line\\nbreak\\, ${pick(NAMES)}`);
  if (r() < 0.2) lines.push(`NICKNAME:${pick(NAMES)}`, ` ${pick(NAMES)}`); // a folded line
  return lines;
}

function randomFilter(r: () => number): CardFilter {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const tm = (): CardTextMatch => ({ value: pick(WORDS), collation: pick<CardCollation>(['i;unicode-casemap', 'i;unicode-casemap', 'i;ascii-casemap', 'i;octet']), matchType: pick<CardMatchType>(['contains', 'contains', 'equals', 'starts-with', 'ends-with']), negate: r() < 0.15 });
  const pf = (): CardPropFilter => ({
    name: pick(['FN', 'FN', 'EMAIL', 'N', 'NOTE', 'NICKNAME', 'item1.EMAIL', 'fn', 'X-NONE']),
    test: r() < 0.6 ? 'anyof' : 'allof',
    isNotDefined: r() < 0.08,
    textMatches: Array.from({ length: Math.floor(r() * 3) }, tm),
    paramFilters: r() < 0.15 ? [{ name: 'TYPE', isNotDefined: r() < 0.3, textMatch: r() < 0.5 ? tm() : null }] : [],
  });
  return { test: r() < 0.6 ? 'anyof' : 'allof', propFilters: Array.from({ length: 1 + Math.floor(r() * 3) }, pf) };
}

/**
 * RFC 6352 §10.5 as filter.ts reads it (see its header), written plainly: every value folded
 * afresh by textMatchHolds, nothing kept on the cards — the reference the cached folds, the
 * indexes and the matching loop are compared with.
 */
function oracle(c: ParsedCard, f: CardFilter): boolean {
  const holdsPf = (pf: CardPropFilter): boolean => {
    const dot = pf.name.indexOf('.');
    const name = (dot < 0 ? pf.name : pf.name.slice(dot + 1)).toUpperCase();
    const group = dot < 0 ? null : pf.name.slice(0, dot).toUpperCase();
    const inst = c.props.filter((p) => p.name === name && (group === null || p.group?.toUpperCase() === group));
    if (pf.isNotDefined) return inst.length === 0;
    if (inst.length === 0) return false;
    const tests: boolean[] = [
      ...pf.textMatches.map((tm) => inst.some((p) => textMatchHolds(tm, unescapeText(p.value)))),
      ...pf.paramFilters.map((q) => {
        if (q.isNotDefined) return !inst.some((p) => p.params.some((x) => x.name === q.name));
        return inst.some((p) => {
          const carried = p.params.filter((x) => x.name === q.name);
          if (carried.length === 0) return false;
          if (!q.textMatch) return true;
          const any = carried.some((x) => x.values.some((v) => textMatchHolds({ ...q.textMatch!, negate: false }, v)));
          return any !== q.textMatch.negate;
        });
      }),
    ];
    if (tests.length === 0) return true;
    return pf.test === 'allof' ? tests.every(Boolean) : tests.some(Boolean);
  };
  if (f.propFilters.length === 0) return true;
  return f.test === 'allof' ? f.propFilters.every(holdsPf) : f.propFilters.some(holdsPf);
}

test('candidates from the text indexes, then matchCard: exactly the cards the plain reading of the filter selects', () => {
  const r = rng(0x5eed);
  const texts = Array.from({ length: 300 }, (_, i) => randomCard(r, i));
  // Two parses: the reference never sees the folds the indexes and matchCard keep on the cards.
  const cards: ParsedCard[] = texts.map((t) => card(...t));
  const plain: ParsedCard[] = texts.map((t) => card(...t));
  let bounded = 0;
  let matched = 0;
  for (let q = 0; q < 400; q++) {
    const raw = randomFilter(r);
    const f = compileCardFilter(raw);
    const indexes = new Map<string, TextIndex>();
    const cand = candidateCards(f, cards.length, (name, collation) => {
      const key = `${collation}\0${name}`;
      if (!indexes.has(key)) indexes.set(key, TextIndex.build(cards, name, (p) => foldedFor(p, collation)));
      return indexes.get(key)!;
    });
    const all = plain.map((c, i) => (oracle(c, raw) ? i : -1)).filter((i) => i >= 0);
    const viaIndex = cards.map((c, i) => ((cand === null || cand[i] === 1) && matchCard(c, f) ? i : -1)).filter((i) => i >= 0);
    assert.equal(viaIndex, all, `query ${q}: ${JSON.stringify(f.propFilters.map((p) => [p.name, p.test, p.isNotDefined, p.textMatches.map((m) => [m.needle, m.type, m.negate])]))}`);
    if (cand !== null) bounded++;
    matched += all.length;
  }
  assert.ok(bounded > 100, `only ${bounded} filters were bounded by an index`);
  assert.ok(matched > 1000, `only ${matched} matches in all`);
});

test('the index narrows: a contains-match marks only the cards whose property holds the folded needle', () => {
  const cards = [card('FN:Jürgen Müller'), card('FN:Mueller'), card('FN:Ann', 'EMAIL:müller@x'), card('FN:MÜLLER-Lüdenscheidt'), card('FN:Mu\u0308ller (decomposed)')];
  const f = compileCardFilter({ test: 'anyof', propFilters: [{ name: 'FN', test: 'anyof', isNotDefined: false, textMatches: [{ value: 'müller', collation: 'i;unicode-casemap', matchType: 'contains', negate: false }], paramFilters: [] }] });
  const cand = candidateCards(f, cards.length, (name, collation) => TextIndex.build(cards, name, (p) => foldedFor(p, collation)));
  // The precomposed and the decomposed ü fold alike (NFKD); "Mueller" and the EMAIL do not hold it.
  assert.equal(Array.from(cand!), [1, 0, 0, 1, 1]);
  assert.equal(cards.map((c) => matchCard(c, f)), [true, false, false, true, true]);
});

test('no bound where the filter gives none: negation, is-not-defined, a param-filter in an anyof', () => {
  const cards = [card('FN:A')];
  const ix = () => TextIndex.build(cards, 'FN', (p) => foldedFor(p, 'i;unicode-casemap'));
  const one = (p: Partial<CardPropFilter>) => compileCardFilter({ test: 'anyof', propFilters: [{ name: 'FN', test: 'anyof', isNotDefined: false, textMatches: [], paramFilters: [], ...p }] });
  const m = (negate: boolean): CardTextMatch => ({ value: 'a', collation: 'i;unicode-casemap', matchType: 'contains', negate });
  assert.is(candidateCards(one({ textMatches: [m(true)] }), 1, ix), null);
  assert.is(candidateCards(one({ isNotDefined: true }), 1, ix), null);
  assert.is(candidateCards(one({ textMatches: [m(false)], paramFilters: [{ name: 'TYPE', isNotDefined: true, textMatch: null }] }), 1, ix), null);
  assert.is(candidateCards(one({}), 1, ix), null);
  assert.ok(candidateCards(one({ textMatches: [m(false)] }), 1, ix) !== null);
});

test.run();
