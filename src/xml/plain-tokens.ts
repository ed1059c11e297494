// The tokens of a plain XML request body — elements with ASCII names, attributes written
// `name="value"`, text with the predefined entities and character references, an optional XML
// declaration — in fast-xml-parser's preserveOrder shape, as parse.ts builds its tree from them.
// Every body Thunderbird, DAVx5, iOS, tsdav and python-caldav send is plain; parsing one with
// fast-xml-parser's validator and then its parser took ~0.5 ms per multiget of 100 hrefs, ~15%
// of each multiget's server CPU in an initial sync (docs/performance.md). Anything else —
// comments, CDATA, processing instructions, non-ASCII names, spaces around `=`, `>` in text or
// values, any malformation, a limit reached — answers null, and parse.ts hands the document to
// fast-xml-parser: so this never accepts what that path refuses, and every refusal keeps its
// message. test/unit/xml-plain-tokens.test.ts compares the two tokenizers' trees.

/** A node as fast-xml-parser (preserveOrder) gives it: `{ '=name': children, ':@'?: attrs }` or `{ '#text': text }`. */
export type RawNode = Record<string, unknown>;

const NAME = /[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?/y;
// The declarations clients write: version 1.x, then an encoding and standalone, quoted, no spaces around '='.
const DECL = /<\?xml\s+version=(["'])1\.[0-9]\1(?:\s+encoding=(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone=(["'])(?:yes|no)\3)?\s*\?>/y;
const REF = /&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/y;
const WS = /^[ \t\n]*$/;

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const EQ = 61;
const DQ = 34;
const SQ = 39;

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** A character reference's code point is a legal XML character (XML 1.0 §2.2, §4.1). */
function legalRef(ref: string): boolean {
  if (ref.charCodeAt(1) !== 35) return true; // a predefined entity
  const cp = ref.charCodeAt(2) === 120 ? parseInt(ref.slice(3, -1), 16) : parseInt(ref.slice(2, -1), 10);
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Text or an attribute value without '<' or '>', whose every '&' begins a legal reference. */
function plain(s: string): boolean {
  if (s.includes('>') || s.includes('<')) return false;
  for (let at = s.indexOf('&'); at >= 0; at = s.indexOf('&', at + 1)) {
    REF.lastIndex = at;
    if (!REF.test(s) || !legalRef(s.slice(at, REF.lastIndex))) return false;
  }
  return true;
}

/**
 * The tokens of `xml` (line ends already normalized, no BOM, no DOCTYPE, no forbidden
 * characters: parse.ts checks those first), or null when it is not plain or exceeds the limits.
 */
export function plainTokens(xml: string, maxDepth: number, maxElements: number): RawNode[] | null {
  const n = xml.length;
  let i = 0;
  if (xml.startsWith('<?')) {
    DECL.lastIndex = 0;
    if (!DECL.test(xml)) return null;
    i = DECL.lastIndex;
  }
  const top: RawNode[] = [];
  const open: { name: string; kids: RawNode[] }[] = [];
  let kids = top;
  let count = 0;
  let rootDone = false;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const text = xml.slice(i, end);
      if (open.length === 0) {
        if (!WS.test(text)) return null; // only whitespace around the root
      } else {
        if (!plain(text)) return null;
        kids.push({ '#text': text });
      }
    }
    if (lt < 0) break;
    i = lt + 1;
    if (xml.charCodeAt(i) === SLASH) {
      const el = open.pop();
      if (!el || !xml.startsWith(el.name, i + 1)) return null;
      const j = skipWs(xml, i + 1 + el.name.length);
      if (xml.charCodeAt(j) !== GT) return null;
      i = j + 1;
      kids = open.length > 0 ? open[open.length - 1]!.kids : top;
      if (open.length === 0) rootDone = true;
      continue;
    }
    if (rootDone) return null; // a second root
    NAME.lastIndex = i;
    if (!NAME.test(xml)) return null; // `<!--`, `<![CDATA[`, `<?pi`, a non-ASCII name…
    const name = xml.slice(i, NAME.lastIndex);
    let j = NAME.lastIndex;
    let attrs: Record<string, string> | null = null;
    for (;;) {
      const before = j;
      j = skipWs(xml, j);
      const c = xml.charCodeAt(j);
      if (c === GT || c === SLASH) break;
      if (j === before) return null; // no space before an attribute, or the end of the text
      NAME.lastIndex = j;
      if (!NAME.test(xml)) return null;
      const key = '=' + xml.slice(j, NAME.lastIndex);
      j = NAME.lastIndex;
      const q = xml.charCodeAt(j + 1);
      if (xml.charCodeAt(j) !== EQ || (q !== DQ && q !== SQ)) return null;
      const close = xml.indexOf(q === DQ ? '"' : "'", j + 2);
      if (close < 0) return null;
      const value = xml.slice(j + 2, close);
      if (!plain(value)) return null;
      attrs ??= {};
      if (Object.hasOwn(attrs, key)) return null;
      attrs[key] = value;
      j = close + 1;
    }
    if (++count > maxElements) return null;
    const children: RawNode[] = [];
    const node: RawNode = { ['=' + name]: children };
    if (attrs) node[':@'] = attrs;
    kids.push(node);
    if (xml.charCodeAt(j) === SLASH) {
      if (xml.charCodeAt(j + 1) !== GT) return null;
      i = j + 2;
      if (open.length === 0) rootDone = true;
    } else {
      i = j + 1;
      open.push({ name, kids: children });
      if (open.length > maxDepth) return null;
      kids = children;
    }
  }
  return open.length === 0 && rootDone ? top : null;
}
