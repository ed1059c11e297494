// The text-matches of one evaluation (one calendar object in a calendar-query, one card in an
// addressbook-query), shared by CalDAV (RFC 4791 §9.7.5) and CardDAV (RFC 6352 §10.5.4): each
// text is folded at most once per evaluation, however many text-matches read it (a filter may
// name the same property 100 times), and a long text is never folded whole: `prepare` folds it
// piece by piece, once for all the text-matches that read it, with the event loop given back
// between pieces and the time counted against the request's evaluation budget
// (ical/work-budget.ts, SUNDIAL_MAX_EVALUATION_MS), whose excess throws max-instances. The
// synchronous filter evaluation that follows then finds every answer ready (`holds`). A whole
// fold of a long text would also have to be made into one string, which alone takes ~200 ms for
// 36 million characters (U+FDFA × 2,000,000).
import { matchFolded, PieceMatch, type MatchType } from './folded-match.js';
import { isAscii, PIECE, unicodeCasemap, unicodeCasemapPieces, upper } from './unicode-casemap.js';

export type Collation = 'i;ascii-casemap' | 'i;unicode-casemap' | 'i;octet';

/** A text-match ready to run: its needle folded (once per request) by its collation. */
export interface FoldedTest {
  readonly needle: string;
  readonly collation: Collation;
  readonly type: MatchType;
  /** Whether a hit must not cut a base character from its combining marks (folded-match.ts). */
  readonly marks: boolean;
}

const LOWER = /[a-z]/;
const LOWER_RUNS = /[a-z]+/g;

/**
 * RFC 4790 §9.2: only a–z map to A–Z; every other character is left alone. On ASCII text that is
 * toUpperCase (native: a 6 MB text in tens of ms, where building the result from each lowercase
 * letter or each run of them took 1.4–2.6 s); other text has its runs of a–z mapped.
 */
function asciiFold(s: string): string {
  if (!LOWER.test(s)) return s;
  return isAscii(s) ? s.toUpperCase() : s.replace(LOWER_RUNS, upper);
}

/** `s` prepared by `collation` (RFC 4790 §9.2, RFC 5051 §2; i;octet is the identity). */
export function foldText(s: string, collation: Collation): string {
  return collation === 'i;octet' ? s : collation === 'i;ascii-casemap' ? asciiFold(s) : unicodeCasemap(s);
}

/**
 * `s` folded by `collation` (not i;octet) in consecutive pieces of about PIECE characters, none
 * ending inside a surrogate pair (i;ascii-casemap maps each character alone: any cut will do).
 */
function* foldPieces(s: string, collation: Collation): Generator<string, void, void> {
  if (collation === 'i;unicode-casemap') {
    yield* unicodeCasemapPieces(s);
    return;
  }
  for (let from = 0; from < s.length;) {
    let end = Math.min(s.length, from + PIECE);
    const c = s.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff && end < s.length) end++;
    yield asciiFold(s.slice(from, end));
    from = end;
  }
}

/**
 * Texts longer than this (UTF-16 units) are folded piece by piece by `prepare`. Below it a whole
 * fold takes at most a few milliseconds (U+FDFA × 16384: ~10 ms).
 */
export const LONG_TEXT = 16 * 1024;

/** The processor-time account of the request (ical/work-budget.ts WorkBudget). */
export interface EvaluationBudget {
  /** Throws once the current object has used its time; true when the current slice is used up. */
  check(): boolean;
  /** A turn of the event loop. */
  pause(): Promise<void>;
}

export class TextMatchEvaluation {
  /** Folds of this evaluation's texts, by collation (ascii, unicode). */
  private readonly folds = [new Map<string, string>(), new Map<string, string>()] as const;
  /** Answers `prepare` found for long texts, by test and text. */
  private readonly verdicts = new Map<FoldedTest, Map<string, boolean>>();
  /** Characters folded since `takeWork` was last asked (for callers that pause by work done). */
  private work = 0;

  constructor(private readonly budget: EvaluationBudget | null = null) {}

  /** Forgets this evaluation's folds and answers (the next object or card begins). */
  clear(): void {
    if (this.folds[0].size > 0) this.folds[0].clear();
    if (this.folds[1].size > 0) this.folds[1].clear();
    if (this.verdicts.size > 0) this.verdicts.clear();
  }

  /** Characters folded since the last call, and resets the count. */
  takeWork(): number {
    const w = this.work;
    this.work = 0;
    return w;
  }

  /** `text` folded by `collation`, folded at most once in this evaluation. */
  fold(text: string, collation: Collation): string {
    if (collation === 'i;octet') return text;
    const memo = this.folds[collation === 'i;ascii-casemap' ? 0 : 1];
    let f = memo.get(text);
    if (f === undefined) {
      f = foldText(text, collation);
      this.work += text.length;
      memo.set(text, f);
    }
    return f;
  }

  /** Whether `t` holds on `text` (negation aside): the answer `prepare` found, else matched now. */
  holds(t: FoldedTest, text: string): boolean {
    const known = this.verdicts.get(t)?.get(text);
    if (known !== undefined) return known;
    return matchFolded(this.fold(text, t.collation), t.needle, t.type, t.marks);
  }

  /**
   * Folds what the tests will read, in slices: each short text whole (into `fold`'s memo), each
   * long one piece by piece, once per collation, feeding every test that reads it until all are
   * decided (an equals or starts-with stops early). i;octet texts need no fold. Throws QueryError max-instances (from
   * the budget) once the current object has used its time.
   */
  async prepare(pairs: Iterable<readonly [FoldedTest, string]>): Promise<void> {
    // Long texts, by collation and text: one fold each, for all the tests that read it.
    const long = new Map<Collation, Map<string, Set<FoldedTest>>>();
    for (const [t, text] of pairs) {
      if (t.collation === 'i;octet') continue;
      if (text.length > LONG_TEXT) {
        let byText = long.get(t.collation);
        if (byText === undefined) long.set(t.collation, (byText = new Map()));
        const tests = byText.get(text);
        if (tests) tests.add(t);
        else byText.set(text, new Set([t]));
        continue;
      }
      this.fold(text, t.collation);
      await this.step();
    }
    for (const [collation, byText] of long) {
      for (const [text, tests] of byText) {
        const open: Array<[FoldedTest, PieceMatch]> = [];
        for (const t of tests) if (this.verdicts.get(t)?.get(text) === undefined) open.push([t, new PieceMatch(t.needle, t.type, t.marks)]);
        if (open.length === 0) continue;
        for (const piece of foldPieces(text, collation)) {
          this.work += piece.length;
          let settled = true;
          for (const [, m] of open) {
            m.feed(piece);
            settled &&= m.settled;
          }
          await this.step();
          if (settled) break;
        }
        for (const [t, m] of open) {
          let verdicts = this.verdicts.get(t);
          if (verdicts === undefined) this.verdicts.set(t, (verdicts = new Map()));
          verdicts.set(text, m.result());
        }
      }
    }
  }

  private async step(): Promise<void> {
    if (this.budget !== null && this.budget.check()) await this.budget.pause();
  }
}
