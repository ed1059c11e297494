// The i;unicode-casemap fold (src/unicode-casemap.ts, RFC 5051 §2) against a per-character
// implementation of the RFC's steps: the facts its whole-string fast path rests on, checked over
// every code point; equality with the per-character fold on single code points and on generated
// strings (ß, ﬃ, Turkish İ/ı, Greek final sigma, U+FDFA, combining marks in any order, astral
// characters, Hangul, Georgian, digraphs); the pieces a long string is folded in put together
// give the whole fold; and the two inputs that were not linear (a long run of marks, ß with
// U+FDFA) fold in a few milliseconds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_RUN, NON_STARTER_CLASS, unicodeCasemap, unicodeCasemapPieces } from '../../src/unicode-casemap.js';
import { mulberry32 } from '../helpers/prng.js';

/** RFC 5051 §2 (2a) for one character: its simple titlecase mapping, from what JavaScript has. */
function titlecase(ch: string): string {
  const cp = ch.codePointAt(0)!;
  // UnicodeData.txt field 14: the digraphs' titlecase is their mixed-case form...
  if (cp >= 0x1c4 && cp <= 0x1cc) return String.fromCodePoint(0x1c5 + 3 * Math.floor((cp - 0x1c4) / 3));
  if (cp >= 0x1f1 && cp <= 0x1f3) return '\u01f2';
  // ...and Georgian Mkhedruli letters are their own titlecase (their uppercase is Mtavruli).
  if ((cp >= 0x10d0 && cp <= 0x10fa) || (cp >= 0x10fd && cp <= 0x10ff)) return ch;
  // Otherwise the simple uppercase mapping: the full one when it is one character (a character
  // whose full uppercase is several, ß → SS, has no simple mapping and stays).
  const up = ch.toUpperCase();
  return [...up].length === 1 ? up : ch;
}

/** The per-character fold: NFKD, each character to its titlecase, NFKD (as unicode-casemap.ts describes). */
function reference(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFKD')) out += titlecase(ch);
  return out.normalize('NFKD');
}

/** Canonical combining class 0, probed through canonical ordering (`ch` must not decompose). */
function isStarter(ch: string): boolean {
  const a = `a\u0345${ch}`; // U+0345 has class 240: a class in 1..239 moves before it
  const b = `a${ch}\u0334`; // U+0334 has class 1: a class above 1 moves after it
  return a.normalize('NFD') === a && b.normalize('NFD') === b;
}

const NON_STARTER = new RegExp(`[${NON_STARTER_CLASS}]`, 'u');

test('every code point: the facts the whole-string fold rests on, and the same fold as the per-character one', () => {
  const multiUpper: number[] = [];
  const missedNonStarters: number[] = [];
  const unsafeStarters: number[] = [];
  const differ: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp === 0xd800) cp = 0xe000; // surrogates are not characters
    const ch = String.fromCodePoint(cp);
    const d = ch.normalize('NFKD');
    const first = String.fromCodePoint(d.codePointAt(0)!);
    // A piece may end before any character outside NON_STARTER_CLASS: its NFKD must begin with
    // a starter, and so must the NFKD of that starter's titlecase.
    if (!NON_STARTER.test(ch)) {
      if (!isStarter(first)) missedNonStarters.push(cp);
      else if (!isStarter(String.fromCodePoint(titlecase(first).normalize('NFKD').codePointAt(0)!))) unsafeStarters.push(cp);
    }
    // After NFKD, toUpperCase maps every character to one, except ß.
    if (d === ch && [...ch.toUpperCase()].length !== 1) multiUpper.push(cp);
    if (unicodeCasemap(ch) !== reference(ch)) differ.push(cp);
  }
  assert.equal(multiUpper, [0xdf]);
  assert.equal(missedNonStarters, [], 'characters whose NFKD begins with a non-starter, outside NON_STARTER_CLASS');
  assert.equal(unsafeStarters, []);
  assert.equal(differ, []);
  // The digraphs, whose titlecase is not their uppercase, never survive NFKD.
  for (let cp = 0x1c4; cp <= 0x1cc; cp++) assert.is.not(String.fromCodePoint(cp).normalize('NFKD'), String.fromCodePoint(cp));
  for (let cp = 0x1f1; cp <= 0x1f3; cp++) assert.is.not(String.fromCodePoint(cp).normalize('NFKD'), String.fromCodePoint(cp));
});

const rng = mulberry32;

const LETTERS = [
  'a', 'Z', 'é', 'É', 'ß', 'ẞ', 'ﬃ', 'ﬁ', 'İ', 'ı', 'i', 'I', 'σ', 'ς', 'Σ', 'ΐ', 'ᾳ', 'ᾼ', '\uFDFA', 'ǅ', 'Ǆ', 'ǆ', 'ǰ', 'ŉ',
  '가', '각', 'ა', 'Ა', '𐐨', '𐐀', '𝐀', '😀', '中', 'ｶ', '¨', 'µ', 'Å', 'Å', 'ǖ', 'ω', ' ', '-', '\u0587',
];
const MARKS = ['\u0301', '\u0300', '\u0316', '\u0327', '\u0345', '\u0308', '\u0323', '\u0302', '\u05B0', '\u{1D165}', '\uFF9E', '\u034F', '\u0F73'];

function generated(next: () => number, maxLength: number): string {
  let s = '';
  let run = 0;
  const n = Math.floor(next() * maxLength);
  for (let i = 0; i < n; i++) {
    // Marks in runs of at most MAX_RUN (longer runs are the stream-safe case, tested below).
    if (next() < 0.35 && run < MAX_RUN) {
      s += MARKS[Math.floor(next() * MARKS.length)];
      run++;
    } else {
      s += LETTERS[Math.floor(next() * LETTERS.length)];
      run = 0;
    }
  }
  return s;
}

test('generated strings: the fold equals the per-character fold, whole and put together from pieces of any size', () => {
  const next = rng(5051);
  for (let i = 0; i < 3000; i++) {
    const s = generated(next, 40);
    const want = reference(s);
    assert.is(unicodeCasemap(s), want, JSON.stringify(s));
    const size = 1 + Math.floor(next() * 9);
    assert.is([...unicodeCasemapPieces(s, size)].join(''), want, `${JSON.stringify(s)} in pieces of ${size}`);
  }
  // Long enough for the whole-string path to cut pieces itself.
  for (let i = 0; i < 20; i++) {
    let s = '';
    while (s.length < 20_000) s += generated(next, 60);
    assert.is(unicodeCasemap(s), reference(s));
  }
});

test('the edge cases RFC 5051 and the CardDAV tests name', () => {
  assert.is(unicodeCasemap('ß'), 'ß');
  assert.is(unicodeCasemap('Straße'), 'STRAßE');
  assert.is(unicodeCasemap('ﬃ'), 'FFI');
  assert.is(unicodeCasemap('ı'), 'I');
  assert.is(unicodeCasemap('İ'), 'I\u0307');
  assert.is(unicodeCasemap('ς'), unicodeCasemap('Σ'));
  assert.is(unicodeCasemap('café'), unicodeCasemap('CAFE\u0301'));
  assert.is(unicodeCasemap('e\u0316\u0301'), unicodeCasemap('e\u0301\u0316'), 'canonical order');
  assert.is(unicodeCasemap('ǆ'), unicodeCasemap('Ǆ'));
  assert.is(unicodeCasemap('𐐨'), '𐐀');
  assert.is(unicodeCasemap('ა'), 'ა', 'Georgian Mkhedruli is its own titlecase');
  assert.is(unicodeCasemap('\uFDFA').length, 18);
});

test('a run of more than 30 marks: a joiner after every 30 (UAX #15 §13), and linear time', () => {
  const run = 'a' + '\u0301\u0316'.repeat(50);
  const folded = unicodeCasemap(run);
  assert.is(folded.split('\u034F').length, 4, '100 marks: three joiners');
  // Such a text's fold is that of the text with the joiners: defined by where they go, which for
  // a run longer than a piece depends on the pieces (unicodeCasemap always uses the same).
  const long = 'a' + '\u0301\u0316'.repeat(5000);
  assert.is([...unicodeCasemapPieces(long)].join(''), unicodeCasemap(long));
  // 200,000 marks in alternating classes: ICU's canonical ordering sorts a run by insertion
  // (the fold took ~9 s); with the joiners it is a few milliseconds.
  const hostile = 'a' + '\u0301\u0316'.repeat(100_000);
  const t0 = performance.now();
  let length = 0;
  for (const piece of unicodeCasemapPieces(hostile)) length += piece.length;
  const ms = performance.now() - t0;
  assert.ok(length > hostile.length);
  assert.ok(ms < 500, `${ms.toFixed(0)} ms`);
});

test('ß with U+FDFA: folded in pieces of a few ms, no per-character loop', () => {
  // The per-character loop the former CardDAV fold fell back to on ß took ~3.5 s for 1 M characters.
  const s = 'ß\uFDFA'.repeat(100_000);
  const t0 = performance.now();
  let worst = 0;
  let last = t0;
  let length = 0;
  for (const piece of unicodeCasemapPieces(s)) {
    length += piece.length;
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }
  const ms = performance.now() - t0;
  assert.is(length, 1_900_000);
  assert.ok(ms < 400, `${ms.toFixed(0)} ms`);
  assert.ok(worst < 100, `a piece took ${worst.toFixed(0)} ms`);
});

test.run();
