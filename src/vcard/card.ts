// A linear scanner for vCard 3.0 (RFC 2426 §4) and 4.0 (RFC 6350 §3.3) text, and the compact
// parsed card that queries read. Every step walks the text once with indexOf and character
// loops (no regular expression with quantifiers that could backtrack), so a hostile card costs
// no more than reading it: a 1 MB line, 100,000 continuation lines and NUL bytes are refused or
// read in time proportional to their length.
import { VCardError } from './errors.js';

/** A parameter: upper-cased name, its values as written (quotes removed, comma lists split). */
export interface CardParam {
  name: string;
  values: string[];
}

/** One content line: `[group "."] name *(";" param) ":" value`, unfolded. */
export interface CardProperty {
  /** The group (Apple's `item1`), or null. */
  group: string | null;
  /** Upper-cased property name. */
  name: string;
  params: CardParam[];
  /** The value as written (escapes kept), unfolded. */
  value: string;
}

/** A content line with where it sits in the text (for selection and error reports). */
export interface ScannedLine {
  /** The logical line, unfolded. */
  text: string;
  /** 1-based number of its first physical line. */
  line: number;
  /** Offset of its first character in the scanned text, and just past its last line ending. */
  start: number;
  end: number;
}

/** What the scanner refuses before it builds a line (the work bound of one card or file). */
export interface ScanLimits {
  /** Longest logical (unfolded) line, in UTF-16 code units. */
  maxLineLength: number;
}

const isNameChar = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d; // A-Z a-z 0-9 -

/** The end of the name token starting at `i` (RFC 6350 §3.3: 1*(ALPHA / DIGIT / "-")). */
function nameEnd(s: string, i: number): number {
  while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Calls `fn` with every logical line of `text`, in order: line endings CRLF or LF; a line that
 * begins with a space or tab continues the previous one (RFC 6350 §3.2, RFC 2425 §5.8.1);
 * blank lines are skipped. A byte-order mark at the start is ignored.
 * Throws VCardError (valid-address-data) for a continuation with nothing to continue and for a
 * logical line longer than `limits.maxLineLength` (checked as it grows, before it is built).
 */
export function scanLines(text: string, limits: ScanLimits, fn: (line: ScannedLine) => void): void {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let parts: string[] = [];
  let length = 0;
  let first = 0;
  let start = 0;
  let end = 0;
  const flush = () => {
    if (parts.length === 0) return;
    fn({ text: parts.length === 1 ? parts[0]! : parts.join(''), line: first, start, end });
    parts = [];
    length = 0;
  };
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 ? text.length : nl + 1;
    const stop = nl < 0 ? text.length : nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    lineNo++;
    const c = text.charCodeAt(pos);
    if (stop === pos) {
      flush(); // a blank line ends the logical line before it
    } else if (c === 0x20 || c === 0x09) {
      if (parts.length === 0) throw new VCardError('valid-address-data', 'a folded continuation line with no line before it', lineNo);
      length += stop - pos - 1;
      if (length > limits.maxLineLength) throw new VCardError('valid-address-data', `a content line longer than ${limits.maxLineLength} characters (server limit)`, first);
      parts.push(text.slice(pos + 1, stop));
      end = next;
    } else {
      flush();
      length = stop - pos;
      if (length > limits.maxLineLength) throw new VCardError('valid-address-data', `a content line longer than ${limits.maxLineLength} characters (server limit)`, lineNo);
      parts.push(text.slice(pos, stop));
      first = lineNo;
      start = pos;
      end = next;
    }
    pos = next;
  }
  flush();
}

/** The result of `parseContentLine`: the property and where its value starts in the line. */
export interface ParsedLine extends CardProperty {
  /** Index of the ':' that ends the name and parameters. */
  colon: number;
}

/**
 * Reads one logical line into group, name, parameters and value (RFC 6350 §3.3). Parameter
 * values may be quoted (and then hold ';', ':' and ','); unquoted ones end at ',', ';' or ':'.
 * A parameter without '=' (vCard 2.1's `TEL;HOME:`) is taken as a TYPE value, as readers of
 * real address books do. Throws VCardError (valid-address-data) naming `lineNo`.
 */
export function parseContentLine(s: string, lineNo: number): ParsedLine {
  const head = scanHead(s, lineNo);
  const params: CardParam[] = [];
  const colon = scanParams(s, head.end, lineNo, head.name, params);
  return { group: head.group, name: head.name.toUpperCase(), params, value: s.slice(colon + 1), colon };
}

/** The group and name at the start of a content line, and where they end. */
function scanHead(s: string, lineNo: number): { group: string | null; name: string; end: number } {
  let i = nameEnd(s, 0);
  if (i === 0) throw new VCardError('valid-address-data', `a content line must start with a property name (got "${s.slice(0, 20)}")`, lineNo);
  let group: string | null = null;
  let name = s.slice(0, i);
  if (s.charCodeAt(i) === 0x2e) { // '.': what came first was the group
    const j = nameEnd(s, i + 1);
    if (j === i + 1) throw new VCardError('valid-address-data', 'a group must be followed by a property name', lineNo);
    group = name;
    name = s.slice(i + 1, j);
    i = j;
  }
  return { group, name, end: i };
}

/**
 * The parameters of a content line from `i` (at the first ';', or at the ':'), pushed on `out`
 * when given — a scan without `out` checks the same syntax and allocates nothing (parseCard keeps
 * the parameters as text until a param-filter reads them). Returns the index of the ':' that
 * ends them; throws VCardError as parseContentLine does.
 */
function scanParams(s: string, i: number, lineNo: number, name: string, out: CardParam[] | null): number {
  const bad = (why: string) => new VCardError('valid-address-data', why, lineNo);
  while (s.charCodeAt(i) === 0x3b) { // ';'
    const j = nameEnd(s, i + 1);
    if (j === i + 1) throw bad(`a parameter name is missing after ";" in ${name}`);
    const nameAt = i + 1;
    const pname = out !== null ? s.slice(nameAt, j).toUpperCase() : '';
    i = j;
    if (s.charCodeAt(i) !== 0x3d) { // no '=': a bare vCard 2.1 type
      if (out !== null) out.push({ name: 'TYPE', values: [pname] });
      continue;
    }
    i++;
    const values: string[] | null = out !== null ? [] : null;
    for (;;) {
      if (s.charCodeAt(i) === 0x22) { // '"'
        const close = s.indexOf('"', i + 1);
        if (close < 0) throw bad(`an unclosed quoted value of parameter ${s.slice(nameAt, j).toUpperCase()}`);
        if (values !== null) values.push(s.slice(i + 1, close));
        i = close + 1;
      } else {
        let j2 = i;
        while (j2 < s.length) {
          const ch = s.charCodeAt(j2);
          if (ch === 0x2c || ch === 0x3b || ch === 0x3a || ch === 0x22) break; // , ; : "
          j2++;
        }
        if (values !== null) values.push(s.slice(i, j2));
        i = j2;
      }
      if (s.charCodeAt(i) !== 0x2c) break;
      i++;
    }
    if (out !== null) out.push({ name: pname, values: values! });
  }
  if (s.charCodeAt(i) !== 0x3a) throw bad(i >= s.length ? `no ":" after the property name ${name}` : `unexpected "${s[i]}" in the name or parameters of ${name}`);
  return i;
}

/**
 * The property names of RFC 6350 §6, RFC 2426 §3 and the extensions address books commonly carry,
 * each the one string a parsed card and a compiled filter use for it (internName). Filters compare
 * a prop-filter's name with every property of every card: two distinct strings of equal length are
 * compared character by character, the same string at once — most of a 9000-card query's matching
 * (measured on the bench's 9000 cards, FN or EMAIL contains "müller": 3.9 → 1.8 ms a pass). A fixed
 * table, not a cache: names outside it stay as they are.
 */
const KNOWN_NAMES: ReadonlyMap<string, string> = new Map([
  'BEGIN', 'END', 'SOURCE', 'KIND', 'XML', 'FN', 'N', 'NICKNAME', 'PHOTO', 'BDAY', 'ANNIVERSARY', 'GENDER', 'ADR', 'LABEL',
  'TEL', 'EMAIL', 'IMPP', 'LANG', 'TZ', 'GEO', 'TITLE', 'ROLE', 'LOGO', 'ORG', 'MEMBER', 'RELATED', 'CATEGORIES', 'NOTE',
  'PRODID', 'REV', 'SOUND', 'UID', 'CLIENTPIDMAP', 'URL', 'VERSION', 'KEY', 'FBURL', 'CALADRURI', 'CALURI', 'NAME',
  'MAILER', 'AGENT', 'CLASS', 'SORT-STRING', 'PROFILE', 'BIRTHPLACE', 'DEATHPLACE', 'DEATHDATE', 'EXPERTISE', 'HOBBY',
  'INTEREST', 'ORG-DIRECTORY', 'X-ABLABEL', 'X-ABADR', 'X-ABUID', 'X-ABDATE', 'X-ABRELATEDNAMES', 'X-ABSHOWAS',
  'X-ADDRESSBOOKSERVER-KIND', 'X-ADDRESSBOOKSERVER-MEMBER', 'X-PHONETIC-FIRST-NAME', 'X-PHONETIC-LAST-NAME',
  'X-SOCIALPROFILE', 'X-AIM', 'X-ICQ', 'X-JABBER', 'X-MSN', 'X-YAHOO', 'X-SKYPE', 'X-TWITTER', 'X-GENDER',
  'X-ANNIVERSARY', 'X-ASSISTANT', 'X-MANAGER', 'X-SPOUSE', 'X-MOZILLA-HTML', 'X-EVOLUTION-FILE-AS',
].map((n) => [n, n]));

/** The shared string for an upper-cased property name (KNOWN_NAMES), else the name itself. */
export function internName(upper: string): string {
  return KNOWN_NAMES.get(upper) ?? upper;
}

/** Properties whose values are bulky (images, sounds, keys) and that no text query reads. */
export const BULKY_PROPERTIES: ReadonlySet<string> = new Set(['PHOTO', 'LOGO', 'SOUND', 'KEY']);

/**
 * One property of a parsed card, as filters read it. The parameters stay as written (`;…` up to
 * the ':') until a param-filter asks for them: most queries name none, and building every
 * parameter of 9000 cards was a good part of the cold query's allocations. The three text-match
 * fields are filled by filter.ts the first time a text-match reads the property, and kept: the
 * value unescaped (RFC 6350 §3.4) and its i;unicode-casemap and i;ascii-casemap folds. They are
 * declared here, all with the same shape, so that the matching loop sees one object layout.
 */
export class CardProp implements CardProperty {
  text: string | null = null;
  unicode: string | null = null;
  ascii: string | null = null;
  private parsed: CardParam[] | null = null;

  constructor(
    readonly group: string | null,
    /** Upper-cased property name. */
    readonly name: string,
    /** The parameters as written, from the first ';' (or '' when none). */
    private readonly rawParams: string,
    readonly value: string,
    private readonly line: number,
  ) {}

  /** This property with its strings copied (parseCard: a card whose text is not kept). */
  detached(): CardProp {
    return new CardProp(this.group === null ? null : detached(this.group), detached(this.name), detached(this.rawParams), detached(this.value), this.line);
  }

  get params(): CardParam[] {
    if (this.parsed === null) {
      const out: CardParam[] = [];
      if (this.rawParams !== '') scanParams(this.rawParams + ':', 0, this.line, this.name, out);
      this.parsed = out;
    }
    return this.parsed;
  }
}

/** A card as queries read it: its properties (bulky values dropped, kept as ''), and its stored text. */
export interface ParsedCard {
  props: CardProp[];
  /**
   * The stored body the card was parsed from (the query renders address-data from it), or null
   * for a card with bulky values (KEEP_TEXT_BULK): those are read from the store when asked.
   */
  text: string | null;
  /** Approximate memory held, for the cache bound. */
  bytes: number;
  /**
   * Characters of its property values (bulky ones dropped) and parameters: what text-matches
   * may have to fold (filter.ts prepares a card with many before matching it).
   */
  chars: number;
  /**
   * The last whole response rendered from this card (cache.ts keepResponse), by a key that names
   * everything else it depends on: addressbook-query renders it once per card and request shape.
   */
  response: { key: string; bytes: Buffer } | null;
}

/** Parsing a stored card for queries: generous, since it was validated when stored. */
const QUERY_SCAN: ScanLimits = { maxLineLength: Number.MAX_SAFE_INTEGER };

/**
 * Bulky values (a photo) past this many characters in all: the card's text is not kept, and its
 * strings are copied out of it (slices would keep the whole text alive), so a book of photos
 * costs the cache its names and values, not its images.
 */
const KEEP_TEXT_BULK = 8192;

/** A copy of `s` that does not keep the string it was sliced from alive (V8 flattens the concatenation into a new string). */
function detached(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

/**
 * The compact form of a card for filters (RFC 6352 §10.5). The text is expected to be one
 * validated vCard; BEGIN/END lines are not kept. Throws VCardError on a line that does not parse
 * (its parameters are checked now, though kept as text).
 *
 * `bytes` estimates what the card holds: the text itself (property values and names are slices
 * of it, which keep it alive), one object per property, and room for the folded copies a
 * text-match keeps (filter.ts). Measured on the bench's 9000 cards (~470 bytes, 10 lines each),
 * FN and EMAIL folded: 21.8 MB of heap, estimated at 22.6 MB (the property objects with every
 * parameter parsed took 39.8 MB, estimated at 25 MB). With the member list (1.5 MB), the FN and
 * EMAIL indexes (1.1 MB) and the kept responses (0.4 MB), such a book takes 26 MB of the
 * default 32 MB budget: an estimate well above the heap would evict the list of a book that fits.
 */
export function parseCard(text: string): ParsedCard {
  const props: CardProp[] = [];
  let bytes = 64;
  let bulk = 0;
  let chars = 0;
  scanLines(text, QUERY_SCAN, (l) => {
    const s = l.text;
    const head = scanHead(s, l.line);
    const colon = scanParams(s, head.end, l.line, head.name, null);
    const name = internName(head.name.toUpperCase());
    if ((name === 'BEGIN' || name === 'END') && head.group === null) return;
    let value = s.slice(colon + 1);
    if (BULKY_PROPERTIES.has(name)) {
      bulk += value.length;
      value = '';
    }
    props.push(new CardProp(head.group, name, colon > head.end ? s.slice(head.end, colon) : '', value, l.line));
    chars += value.length + (colon - head.end);
    // The object and its strings (slices of the text), and the folded copies a text-match makes
    // (filter.ts; the unescaped text is the value itself unless it holds escapes).
    bytes += 150 + 2 * value.length;
  });
  if (bulk <= KEEP_TEXT_BULK) return { props, text, bytes: bytes + text.length, chars, response: null };
  const copies = props.map((p) => p.detached());
  return { props: copies, text: null, bytes, chars, response: null };
}

/**
 * A text value as a text-match sees it (RFC 6350 §3.4): `\n`/`\N` is a line break, `\,`, `\;`
 * and `\\` the character itself. Separators of structured values (N, ADR) stay as ';'.
 */
export function unescapeText(value: string): string {
  if (value.indexOf('\\') < 0) return value;
  let out = '';
  let from = 0;
  for (let i = value.indexOf('\\'); i >= 0 && i < value.length - 1; i = value.indexOf('\\', from)) {
    const c = value[i + 1]!;
    out += value.slice(from, i) + (c === 'n' || c === 'N' ? '\n' : c);
    from = i + 2;
  }
  return out + value.slice(from);
}
