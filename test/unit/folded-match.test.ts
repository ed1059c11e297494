// Text-match on folded text (src/folded-match.ts) and the per-evaluation fold memo and slicing
// (src/text-match-evaluation.ts) that CalDAV and CardDAV share: a folded text given in pieces
// answers as the whole does, for every match type, with and without CardDAV's combining-mark
// rule, however it is cut; each text is folded once per evaluation however many text-matches
// read it; a long text is folded once for all of them, between pauses, under the budget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchFolded, PieceMatch, type MatchType } from '../../src/folded-match.js';
import { LONG_TEXT, TextMatchEvaluation, foldText, type FoldedTest } from '../../src/text-match-evaluation.js';
import { unicodeCasemap } from '../../src/unicode-casemap.js';
import { mulberry32 } from '../helpers/prng.js';

const TYPES: MatchType[] = ['equals', 'contains', 'starts-with', 'ends-with'];

const rng = mulberry32;

// Few letters, so that needles often occur, and marks next to them.
const ALPHABET = ['A', 'B', 'A', '\u0301', '\u0316', '𐐀', 'Ω', '\u034F'];

function text(next: () => number, max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

/** `s` cut at random code point boundaries. */
function cut(s: string, next: () => number): string[] {
  const cps = [...s];
  const pieces: string[] = [];
  let cur = '';
  for (const cp of cps) {
    cur += cp;
    if (next() < 0.3) {
      pieces.push(cur);
      cur = '';
    }
  }
  if (cur !== '') pieces.push(cur);
  return pieces;
}

test('PieceMatch answers as matchFolded on the whole text, for every type, with and without marks, however the text is cut', () => {
  const next = rng(4790);
  let hits = 0;
  for (let i = 0; i < 20_000; i++) {
    const hay = text(next, 24);
    // Half the needles are taken from the text, so that hits (and hits beside marks) are common.
    let needle = text(next, 5);
    if (next() < 0.5 && hay.length > 0) {
      const cps = [...hay];
      const from = Math.floor(next() * cps.length);
      needle = cps.slice(from, from + Math.floor(next() * 6)).join('');
    }
    const type = TYPES[i % 4]!;
    const marks = next() < 0.5;
    const want = matchFolded(hay, needle, type, marks);
    if (want) hits++;
    const m = new PieceMatch(needle, type, marks);
    for (const piece of cut(hay, next)) m.feed(piece);
    assert.is(m.result(), want, `${type}${marks ? ' (marks)' : ''} ${JSON.stringify(needle)} in ${JSON.stringify(hay)}`);
  }
  assert.ok(hits > 4000, `${hits} hits: the cases must not be mostly misses`);
});

const test_ = (needle: string, type: MatchType = 'contains', collation: FoldedTest['collation'] = 'i;unicode-casemap'): FoldedTest =>
  ({ needle: foldText(needle, collation), collation, type, marks: collation === 'i;unicode-casemap' });

test('TextMatchEvaluation folds a text once however many text-matches read it, and again after clear', () => {
  const ev = new TextMatchEvaluation();
  const value = 'Straße ﷺ café '.repeat(50);
  const tests = Array.from({ length: 99 }, (_, i) => test_(`zz${i}`));
  for (const t of tests) assert.not.ok(ev.holds(t, value));
  assert.ok(ev.holds(test_('CAFÉ'), value));
  assert.is(ev.takeWork(), value.length, 'one fold of the value');
  ev.holds(test_('x', 'contains', 'i;ascii-casemap'), value);
  assert.is(ev.takeWork(), value.length, 'one more under the other collation');
  ev.clear();
  ev.holds(tests[0]!, value);
  assert.is(ev.takeWork(), value.length);
});

test('prepare: a long text is folded piece by piece once for all its text-matches, which then answer without folding', async () => {
  const value = 'ß\uFDFA'.repeat(20_000) + ' Ende';
  assert.ok(value.length > LONG_TEXT);
  const whole = unicodeCasemap(value);
  const tests = [
    test_('ende', 'ends-with'), test_('zzz'), test_('ß', 'starts-with'), test_('x', 'equals'), test_('ßﷺßﷺ'), test_('ende'),
    test_('END', 'contains', 'i;ascii-casemap'),
  ];
  const ev = new TextMatchEvaluation();
  await ev.prepare(tests.map((t) => [t, value] as const));
  const work = ev.takeWork();
  assert.ok(work <= whole.length + value.length, `one pass (${work} characters for a fold of ${whole.length})`);
  for (const t of tests) assert.is(ev.holds(t, value), matchFolded(t.collation === 'i;ascii-casemap' ? foldText(value, t.collation) : whole, t.needle, t.type, t.marks), `${t.type} ${t.needle}`);
  assert.is(ev.takeWork(), 0, 'nothing folded again');
  // Tests that all settle early (starts-with, equals) stop the fold after the first piece.
  const early = new TextMatchEvaluation();
  await early.prepare([[test_('x', 'equals'), value], [test_('ß', 'starts-with'), value]]);
  assert.ok(early.takeWork() < 100_000);
});

test('prepare pauses when the slice is used up and stops with the budget\'s error', async () => {
  const value = '\uFDFA'.repeat(40_000);
  let checks = 0;
  let pauses = 0;
  const slicing = { check: () => (checks++, true), pause: async () => { pauses++; } };
  await new TextMatchEvaluation(slicing).prepare([[test_('zzz'), value]]);
  assert.ok(pauses >= 8 && pauses === checks, `${pauses} pauses, ${checks} checks`);
  const spent = new Error('max-instances');
  let n = 0;
  const budget = { check: () => { if (++n > 3) throw spent; return false; }, pause: async () => {} };
  try {
    await new TextMatchEvaluation(budget).prepare([[test_('zzz'), value]]);
    assert.unreachable('the budget ran out');
  } catch (err) {
    assert.is(err, spent);
  }
});

test.run();
