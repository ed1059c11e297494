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
  const bad = (why: string) => new VCardError('valid-address-data', why, lineNo);
  let i = nameEnd(s, 0);
  if (i === 0) throw bad(`a content line must start with a property name (got "${s.slice(0, 20)}")`);
  let group: string | null = null;
  let name = s.slice(0, i);
  if (s.charCodeAt(i) === 0x2e) { // '.': what came first was the group
    const j = nameEnd(s, i + 1);
    if (j === i + 1) throw bad('a group must be followed by a property name');
    group = name;
    name = s.slice(i + 1, j);
    i = j;
  }
  const params: CardParam[] = [];
  while (s.charCodeAt(i) === 0x3b) { // ';'
    const j = nameEnd(s, i + 1);
    if (j === i + 1) throw bad(`a parameter name is missing after ";" in ${name}`);
    const pname = s.slice(i + 1, j).toUpperCase();
    i = j;
    if (s.charCodeAt(i) !== 0x3d) { // no '=': a bare vCard 2.1 type
      params.push({ name: 'TYPE', values: [pname] });
      continue;
    }
    i++;
    const values: string[] = [];
    for (;;) {
      if (s.charCodeAt(i) === 0x22) { // '"'
        const close = s.indexOf('"', i + 1);
        if (close < 0) throw bad(`an unclosed quoted value of parameter ${pname}`);
        values.push(s.slice(i + 1, close));
        i = close + 1;
      } else {
        let j2 = i;
        while (j2 < s.length) {
          const ch = s.charCodeAt(j2);
          if (ch === 0x2c || ch === 0x3b || ch === 0x3a || ch === 0x22) break; // , ; : "
          j2++;
        }
        values.push(s.slice(i, j2));
        i = j2;
      }
      if (s.charCodeAt(i) !== 0x2c) break;
      i++;
    }
    params.push({ name: pname, values });
  }
  if (s.charCodeAt(i) !== 0x3a) throw bad(i >= s.length ? `no ":" after the property name ${name}` : `unexpected "${s[i]}" in the name or parameters of ${name}`);
  return { group, name: name.toUpperCase(), params, value: s.slice(i + 1), colon: i };
}

/** Properties whose values are bulky (images, sounds, keys) and that no text query reads. */
export const BULKY_PROPERTIES: ReadonlySet<string> = new Set(['PHOTO', 'LOGO', 'SOUND', 'KEY']);

/** A card as queries read it: its properties, bulky values dropped (kept as ''). */
export interface ParsedCard {
  props: CardProperty[];
  /** Approximate memory held, for the cache bound. */
  bytes: number;
}

/** Parsing a stored card for queries: generous, since it was validated when stored. */
const QUERY_SCAN: ScanLimits = { maxLineLength: Number.MAX_SAFE_INTEGER };

/**
 * The compact form of a card for filters (RFC 6352 §10.5). The text is expected to be one
 * validated vCard; BEGIN/END lines are not kept. Throws VCardError on a line that does not parse.
 */
export function parseCard(text: string): ParsedCard {
  const props: CardProperty[] = [];
  let bytes = 64;
  scanLines(text, QUERY_SCAN, (l) => {
    const p = parseContentLine(l.text, l.line);
    if ((p.name === 'BEGIN' || p.name === 'END') && p.group === null) return;
    const value = BULKY_PROPERTIES.has(p.name) ? '' : p.value;
    const prop: CardProperty = { group: p.group, name: p.name, params: p.params, value };
    // The value, and room for the unescaped and folded copies a text-match keeps (filter.ts).
    bytes += 96 + 2 * (p.name.length + (p.group?.length ?? 0)) + 6 * value.length;
    for (const param of p.params) {
      bytes += 48 + 2 * param.name.length;
      for (const v of param.values) bytes += 16 + 2 * v.length;
    }
    props.push(prop);
  });
  return { props, bytes };
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
