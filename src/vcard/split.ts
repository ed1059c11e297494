// A file of many vCards (an export from Contacts, Thunderbird, Google) split into one resource
// per card for import (issue 14 item 6). One linear pass over the physical lines finds the
// BEGIN:VCARD … END:VCARD spans; each card is then validated on its own (validate.ts), so one bad
// card is reported with its line numbers and the others are imported. The split runs as a
// generator that yields every few hundred cards, so an importer can pause between slices.
import { VCardError, type VCardCondition } from './errors.js';
import { DEFAULT_VCARD_LIMITS, validateVCard, type VCardLimits } from './validate.js';

export interface SplitCard {
  /** The card's text, as in the file (line endings kept; a final line break added if missing). */
  text: string;
  uid: string;
  fn: string;
  version: '3.0' | '4.0';
  /** 1-based line of its BEGIN:VCARD in the file. */
  line: number;
}

export interface SplitProblem {
  /** 1-based line in the file where the problem is (the card's BEGIN, or the line at fault). */
  line: number;
  /** The card's FN or UID when they could be read, for the report. */
  item: string;
  reason: string;
  condition: VCardCondition;
}

export interface SplitVCards {
  cards: SplitCard[];
  problems: SplitProblem[];
}

/** Whether the physical line `text[from, to)` is `<word>:VCARD`, ignoring case and trailing blanks. */
function isMarker(text: string, from: number, to: number, word: 'BEGIN' | 'END'): boolean {
  while (to > from && (text.charCodeAt(to - 1) === 0x20 || text.charCodeAt(to - 1) === 0x09)) to--;
  if (to - from !== word.length + 6) return false;
  return text.slice(from, to).toUpperCase() === `${word}:VCARD`;
}

/** Whether `card` has `key` (upper-case ASCII) at `at`, ignoring the case of ASCII letters. */
function startsWithAt(card: string, at: number, key: string): boolean {
  if (at + key.length > card.length) return false;
  for (let i = 0; i < key.length; i++) {
    let c = card.charCodeAt(at + i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== key.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A short name for a card in a report: its FN or UID as written, if a line says so. Only line
 * starts are looked at (found with indexOf): the upper-cased copy this made before called a
 * function per lower-case letter, 2.2 s of the event loop for a refused card of 5 MB of "x".
 */
function describe(card: string): string {
  for (const key of ['FN:', 'FN;', 'UID:']) {
    for (let at = card.indexOf('\n'); at >= 0; at = card.indexOf('\n', at + 1)) {
      if (!startsWithAt(card, at + 1, key)) continue;
      const start = card.indexOf(':', at + 1) + 1;
      let end = card.indexOf('\n', start);
      if (end < 0) end = card.length;
      return `${key.slice(0, -1)} ${card.slice(start, end).trim().slice(0, 60)}`;
    }
  }
  return 'a card';
}

/**
 * splitVCards as a sequence of steps: yields after every `every` cards; returns the cards and the
 * problems. A UID seen twice keeps the later card (concatenated exports), reported as a problem.
 */
export function* splitVCardSteps(text: string, limits: VCardLimits = DEFAULT_VCARD_LIMITS, every = 200): Generator<void, SplitVCards> {
  const cards: SplitCard[] = [];
  const problems: SplitProblem[] = [];
  const byUid = new Map<string, number>();
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let cardStart = -1;
  let cardLine = 0;
  let strayLine = 0;
  const take = (from: number, to: number, line: number) => {
    let card = text.slice(from, to);
    if (!card.endsWith('\n')) card += '\r\n';
    try {
      const v = validateVCard(card, limits);
      const seen = byUid.get(v.uid);
      const entry: SplitCard = { text: card, uid: v.uid, fn: v.fn, version: v.version, line };
      if (seen !== undefined) {
        problems.push({ line: cards[seen]!.line, item: `UID ${v.uid.slice(0, 60)}`, reason: `the same UID again at line ${line}; the later card was kept`, condition: 'valid-address-data' });
        cards[seen] = entry;
      } else {
        byUid.set(v.uid, cards.length);
        cards.push(entry);
      }
    } catch (err) {
      if (!(err instanceof VCardError)) throw err;
      const at = err.line === null ? line : line + err.line - 1;
      const reason = err.line === null ? err.message : err.message.slice(err.message.indexOf(': ') + 2);
      problems.push({ line: at, item: describe(card), reason, condition: err.condition });
    }
  };
  let count = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 ? text.length : nl + 1;
    const stop = nl < 0 ? text.length : nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    lineNo++;
    if (isMarker(text, pos, stop, 'BEGIN')) {
      if (cardStart >= 0) problems.push({ line: cardLine, item: describe(text.slice(cardStart, pos)), reason: `no END:VCARD before the next BEGIN:VCARD at line ${lineNo}`, condition: 'valid-address-data' });
      cardStart = pos;
      cardLine = lineNo;
    } else if (cardStart >= 0 && isMarker(text, pos, stop, 'END')) {
      take(cardStart, next, cardLine);
      cardStart = -1;
      if (++count % every === 0) yield;
    } else if (cardStart < 0 && stop > pos && strayLine === 0) {
      strayLine = lineNo; // text outside any card: reported once, at its first line
      problems.push({ line: lineNo, item: 'text outside a card', reason: 'a line outside BEGIN:VCARD … END:VCARD', condition: 'valid-address-data' });
    }
    if (cardStart < 0 && stop === pos) strayLine = 0;
    pos = next;
    // Also every few thousand lines: a file of a million BEGIN:VCARD lines, or one card of
    // millions of lines, ends no card to yield after (3.4 s of the event loop before).
    if (lineNo % 2048 === 0) yield;
  }
  if (cardStart >= 0) problems.push({ line: cardLine, item: describe(text.slice(cardStart)), reason: 'no END:VCARD before the end of the file', condition: 'valid-address-data' });
  return { cards, problems };
}

/** Splits a file of vCards into valid cards and per-card problems, in one linear pass. */
export function splitVCards(text: string, limits: VCardLimits = DEFAULT_VCARD_LIMITS): SplitVCards {
  const steps = splitVCardSteps(text, limits);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
