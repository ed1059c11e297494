// Response-body XML: escaping, a tiny node renderer keyed by Clark names, and a multistatus writer
// that emits one <d:response> at a time so large REPORT/PROPFIND bodies can be streamed
// (RFC 4918 §13 Multi-Status, §14 elements; RFC 6578 §6.2 sync-token placement).
import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import { chunksToBuffer } from './chunked-writer.js';
import { APPLE_NS, CALDAV_NS, CARDDAV_NS, CS_NS, DAV, DAV_NS, SUNDIAL, SUNDIAL_NS, XML_NS, splitClark, type ClarkName } from './names.js';

/** Pre-serialized, self-contained XML inserted verbatim (stored dead properties). */
export interface RawXml {
  readonly raw: string;
}

export type XmlChild = XmlNode | string | RawXml;

/** An element to render. String children are text (escaped here); RawXml is inserted as is. */
export interface XmlNode {
  name: ClarkName;
  /** Unprefixed attributes by local name, namespaced ones by Clark name. */
  attrs?: Readonly<Record<string, string>>;
  children?: readonly XmlChild[] | string;
}

/**
 * A property in a propstat. `value` absent: empty element (`<d:getetag/>`, as in 404 propstats and
 * PROPFIND propname). String: text content. Array: element content. RawXml: the WHOLE property
 * element as stored by `serializeElement` (the dead-property case), written instead of `name`.
 * Buffer: the whole property element as UTF-8, rendered for a multistatus (`propertyBytes`).
 */
export interface PropValue {
  name: ClarkName;
  value?: readonly XmlChild[] | string | RawXml | Buffer;
}

/** Where a multistatus is written: text, and property elements already encoded as UTF-8. */
export interface XmlSink {
  text(s: string): void;
  bytes(b: Buffer): void;
}

/** A sink that collects everything as one string. */
class TextSink implements XmlSink {
  out = '';
  text(s: string): void {
    this.out += s;
  }
  bytes(b: Buffer): void {
    this.out += b.toString('utf8');
  }
}

/** A precondition/postcondition element for `<d:error>` (RFC 4918 §16), e.g. cal:no-uid-conflict. */
export interface ErrorCondition {
  name: ClarkName;
  children?: readonly XmlChild[] | string;
}

export interface PropStat {
  status: number;
  props: readonly PropValue[];
  error?: ErrorCondition;
  description?: string;
}

/** One `<d:response>` (RFC 4918 §14.24): either `propstats` or a bare `status`. */
export interface ResponseEntry {
  /** Decoded absolute path (e.g. `/cal/ann/my cal/`); percent-encoded here by `encodeHref`. */
  href: string;
  propstats?: readonly PropStat[];
  status?: number;
  error?: ErrorCondition;
  description?: string;
  /** The whole response already rendered (`responseBytes`, cached), written instead of the rest. */
  encoded?: Buffer;
}

// Prefixes declared once on every document root we write; clients must not depend on them, but
// stable prefixes keep responses readable and match what other CalDAV servers send.
const ROOT_PREFIXES: ReadonlyMap<string, string> = new Map([
  [DAV_NS, 'd'], [CALDAV_NS, 'cal'], [CS_NS, 'cs'], [APPLE_NS, 'ical'], [CARDDAV_NS, 'card'], [XML_NS, 'xml'],
]);
const ROOT_XMLNS = [...ROOT_PREFIXES].filter(([ns]) => ns !== XML_NS)
  .map(([ns, p]) => ` xmlns:${p}="${ns}"`).join('');
// Namespaces declared where first used get these prefixes when known, else x<N>.
const PREFERRED: ReadonlyMap<string, string> = new Map([[SUNDIAL_NS, 'sd']]);
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

// XML 1.0 §2.2 forbids these characters even as references; stray ones (e.g. in iCalendar data)
// would make the whole response unparseable, so they become U+FFFD.
const INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
const REFS: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

// One scan decides whether anything but CR needs work: markup characters, or characters that
// may be invalid (controls, any surrogate — lone ones are replaced, pairs pass unchanged).
const TEXT_NEEDS_WORK = /[&<>\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_NEEDS_WORK = /[&<>"\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Escapes character data. `\r` becomes `&#13;` so iCalendar CRLF survives the client's XML
 *  line-end normalization (XML 1.0 §2.11); `>` is escaped so `]]>` can never appear. */
export function escapeText(s: string): string {
  // Fast path for calendar data and names: plain text whose only special character is CR.
  if (!TEXT_NEEDS_WORK.test(s)) return s.includes('\r') ? s.replaceAll('\r', '&#13;') : s;
  if (s.length >= ESCAPE_AS_BYTES_FROM) return escapeTextAsBytes(s);
  return s.replace(INVALID, '\uFFFD').replace(TEXT_SPECIAL, (c) => REFS[c] ?? c);
}

/**
 * From this length on, text that needs escaping is escaped as UTF-8 bytes. The replace callback
 * runs once per special character: an 8 MB card of `&<` took ~0.9 s of the event loop per
 * rendering (1.8 s a multiget of it, with everyone else waiting: attack report of 2026-12-07);
 * as bytes ~0.3 s, half of it making the 36 MB string of the result.
 */
const ESCAPE_AS_BYTES_FROM = 64 * 1024;

/**
 * escapeText over the UTF-8 bytes: every character to escape or replace is one byte below 0x80
 * (UTF-8 never uses those inside a multi-byte character) or U+FFFE/U+FFFF (EF BF BE/BF), and the
 * encoder has already turned lone surrogates into U+FFFD, as INVALID does. The references are
 * written byte by byte: a copy call per character cost more than the scan.
 */
function escapeTextAsBytes(s: string): string {
  const src = Buffer.from(s, 'utf8');
  let size = src.length;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b >= 0x3f) continue;
    if (b === 0x26 || b === 0x0d) size += 4; // &amp; &#13;
    else if (b === 0x3c || b === 0x3e) size += 3; // &lt; &gt;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a) size += 2; // a forbidden control: U+FFFD
  }
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b >= 0x3f) {
      out[o++] = b;
      // U+FFFE and U+FFFF (EF BF BE, EF BF BF) become U+FFFD (EF BF BD).
      if (b === 0xef && src[i + 1] === 0xbf && (src[i + 2] === 0xbe || src[i + 2] === 0xbf)) {
        out[o++] = 0xbf;
        out[o++] = 0xbd;
        i += 2;
      }
    } else if (b === 0x26) {
      out[o] = 0x26; out[o + 1] = 0x61; out[o + 2] = 0x6d; out[o + 3] = 0x70; out[o + 4] = 0x3b; // &amp;
      o += 5;
    } else if (b === 0x3c || b === 0x3e) {
      out[o] = 0x26; out[o + 1] = b === 0x3c ? 0x6c : 0x67; out[o + 2] = 0x74; out[o + 3] = 0x3b; // &lt; &gt;
      o += 4;
    } else if (b === 0x0d) {
      out[o] = 0x26; out[o + 1] = 0x23; out[o + 2] = 0x31; out[o + 3] = 0x33; out[o + 4] = 0x3b; // &#13;
      o += 5;
    } else if (b < 0x20 && b !== 0x09 && b !== 0x0a) {
      out[o] = 0xef; out[o + 1] = 0xbf; out[o + 2] = 0xbd; // U+FFFD
      o += 3;
    } else out[o++] = b;
  }
  return out.toString('utf8');
}

/**
 * Bytes that keep a body from being "XML-plain", read as Latin-1 (one character per byte): the
 * markup characters, the C0 controls XML 1.0 §2.2 forbids, and U+FFFE/U+FFFF in UTF-8. Valid
 * UTF-8 holds no surrogates, and every other character is legal XML character data as it is.
 */
const PLAIN_BYTES_NEED_WORK = /[&<>\x00-\x08\x0B\x0C\x0E-\x1F]|\xEF\xBF[\xBE\xBF]/;

/**
 * True when `data` is valid UTF-8 whose only character needing work in XML character data is CR:
 * then `escapeText` of its text is the text with each CR written `&#13;` (`plainCharData`), which
 * the store can produce in SQL. Decided once per write and stored (objects.xml_plain), so that
 * a multiget neither scans nor escapes each body again (issue 13: DAVx5's initial sync).
 */
export function isXmlPlain(data: Buffer): boolean {
  return isUtf8(data) && !PLAIN_BYTES_NEED_WORK.test(data.toString('latin1'));
}

/** `escapeText` of the text of an XML-plain body (`isXmlPlain`): CR as `&#13;`, nothing else. */
export function plainCharData(text: string): string {
  return text.includes('\r') ? text.replaceAll('\r', '&#13;') : text;
}

/** Escapes a double-quoted attribute value; whitespace is referenced so it survives attribute
 *  normalization (XML 1.0 §3.3.3). */
export function escapeAttr(s: string): string {
  if (!ATTR_NEEDS_WORK.test(s)) return s;
  return s.replace(INVALID, '\uFFFD').replace(ATTR_SPECIAL, (c) => REFS[c] ?? c);
}

// Characters encodeURIComponent leaves alone, minus the ones it would escape: a path made only of
// these (every client-generated name) is its own encoding.
const PLAIN_PATH = /^[A-Za-z0-9._~\/-]*$/;

/**
 * `escapeText(encodeHref(parentText + name))` for a member `name` (one segment) of a collection
 * whose href is already encoded and escaped as `parentText` (ending in '/'): both work segment by
 * segment and character by character, so the parent's part is done once per listing, and a plain
 * name (every client-generated one) is its own text. Done on the whole href, each of a listing's
 * 9000 concatenations was flattened for the two scans (10% of a Thunderbird listing's server time).
 */
export function memberHrefText(parentText: string, name: string): string {
  return PLAIN_PATH.test(name) ? parentText + name : parentText + escapeText(encodeHref(name));
}

/** Percent-encodes each path segment (RFC 3986 §3.3), keeping '/' and the sub-delims, ':' and
 *  '@' that segments may hold literally, as sabre/dav and Radicale do. For paths, not full URLs. */
export function encodeHref(path: string): string {
  if (PLAIN_PATH.test(path)) return path;
  return path.split('/').map((seg) =>
    encodeURIComponent(seg).replace(/%(24|26|2B|2C|3B|3D|3A|40)/gi, (_m, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)))).join('/');
}

/** Convenience constructor: `el(DAV.href, encodeHref(p))`, `el(DAV.prop, [el(DAV.getetag)])`. */
export function el(name: ClarkName, children?: readonly XmlChild[] | string, attrs?: Record<string, string>): XmlNode {
  const node: XmlNode = { name };
  if (children !== undefined) node.children = children;
  if (attrs !== undefined) node.attrs = attrs;
  return node;
}

/** `<d:href>` for a decoded path. */
export function hrefNode(path: string): XmlNode {
  return el(DAV.href, encodeHref(path));
}

const statusLines = new Map<number, string>();

/** `HTTP/1.1 404 Not Found` (RFC 4918 §14.28). */
export function statusLine(code: number): string {
  let line = statusLines.get(code);
  if (line === undefined) {
    line = `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`.trimEnd();
    if (statusLines.size < 100) statusLines.set(code, line);
  }
  return line;
}

function isRaw(v: unknown): v is RawXml {
  return typeof v === 'object' && v !== null && 'raw' in v;
}

// Qualified names of elements resolved against the root prefixes alone (nearly every element we
// write): `{DAV:}getetag` → `d:getetag`. Names in other namespaces are never cached here.
const rootQNames = new Map<ClarkName, string>();

/** The qualified name of `name` when the root prefixes are in scope and cover its namespace. */
function rootQName(name: ClarkName): string | undefined {
  let q = rootQNames.get(name);
  if (q === undefined) {
    const { ns, local } = splitClark(name);
    if (!ns) q = local;
    else {
      const p = ROOT_PREFIXES.get(ns);
      if (p === undefined) return undefined;
      q = `${p}:${local}`;
    }
    if (rootQNames.size < 1000) rootQNames.set(name, q);
  }
  return q;
}

/** Namespace scope of one element: its parent's, copied only when the element declares one. */
interface Scope {
  map: ReadonlyMap<string, string>;
  own: boolean;
  decls: string;
}

/** Resolves a name to a qualified name, declaring its namespace in the scope when not yet in it.
 *  Elements in no namespace are unprefixed: this writer never declares a default namespace. */
function qualify(name: ClarkName, scope: Scope): string {
  if (scope.map === ROOT_PREFIXES) {
    const q = rootQName(name);
    if (q !== undefined) return q;
  }
  const { ns, local } = splitClark(name);
  if (!ns) return local; // no namespace: unprefixed, as no default namespace is ever in scope
  let p = scope.map.get(ns);
  if (p === undefined) {
    const taken = new Set(scope.map.values());
    p = PREFERRED.get(ns);
    if (p === undefined || taken.has(p)) {
      let n = scope.map.size;
      while (taken.has(`x${n}`)) n++;
      p = `x${n}`;
    }
    if (!scope.own) {
      scope.map = new Map(scope.map);
      scope.own = true;
    }
    (scope.map as Map<string, string>).set(ns, p);
    scope.decls += ` xmlns:${p}="${escapeAttr(ns)}"`;
  }
  return `${p}:${local}`;
}

function writeChildren(kids: readonly XmlChild[] | string | undefined, scope: ReadonlyMap<string, string>, out: string[]): void {
  if (kids === undefined) return;
  if (typeof kids === 'string') {
    out.push(escapeText(kids));
    return;
  }
  for (const k of kids) {
    if (typeof k === 'string') out.push(escapeText(k));
    else if (isRaw(k)) out.push(k.raw);
    else writeNode(k, scope, out, '');
  }
}

function writeNode(node: XmlNode, parentScope: ReadonlyMap<string, string>, out: string[], extra: string): void {
  const scope: Scope = { map: parentScope, own: false, decls: '' };
  const qname = qualify(node.name, scope);
  let attrs = '';
  if (node.attrs !== undefined) {
    for (const [k, v] of Object.entries(node.attrs)) attrs += ` ${qualify(k, scope)}="${escapeAttr(v)}"`;
  }
  const kids = node.children;
  const empty = kids === undefined || kids.length === 0;
  out.push(`<${qname}${extra}${scope.decls}${attrs}${empty ? '/>' : '>'}`);
  if (empty) return;
  writeChildren(kids, scope.map, out);
  out.push(`</${qname}>`);
}

/** Renders an element assumed to sit inside one of our documents (the root prefixes in scope). */
export function renderNode(node: XmlNode): string {
  const out: string[] = [];
  writeNode(node, ROOT_PREFIXES, out, '');
  return out.join('');
}

/** A complete document: XML declaration and `root` carrying the standard prefix declarations
 *  (for bodies such as mkcol-response, RFC 5689 §3.3, or mkcalendar-response, RFC 4791 §5.3.1). */
export function xmlDocument(root: XmlNode): string {
  const out: string[] = [XML_DECL];
  writeNode(root, ROOT_PREFIXES, out, ROOT_XMLNS);
  return out.join('');
}

/**
 * A property element with text content, rendered once as UTF-8 to be inserted verbatim into
 * documents carrying the root prefixes (every multistatus). For cached calendar-data: a repeated
 * query then copies the bytes instead of escaping, wrapping and encoding the text again.
 */
export function propertyBytes(name: ClarkName, text: string): Buffer {
  const q = rootQName(name);
  const xml = q === undefined ? renderNode({ name, children: text })
    : text.length === 0 ? `<${q}/>` : `<${q}>${escapeText(text)}</${q}>`;
  return chunksToBuffer([xml], true); // cached: an allocation of its own, not a pool slice
}

/**
 * The property `name` with text content already escaped as XML character data (`xmlText`, e.g. a
 * stored body's `plainCharData`): what `{ name, value: text }` renders as, without escaping it
 * again.
 */
export function charDataProperty(name: ClarkName, xmlText: string): RawXml {
  const q = rootQName(name);
  if (q !== undefined) return { raw: xmlText.length === 0 ? `<${q}/>` : `<${q}>${xmlText}</${q}>` };
  const out: string[] = [];
  writeNode(xmlText.length === 0 ? { name } : { name, children: [{ raw: xmlText }] }, ROOT_PREFIXES, out, '');
  return { raw: out.join('') };
}

function propXml(p: PropValue): string | Buffer {
  if (Buffer.isBuffer(p.value)) return p.value;
  if (isRaw(p.value)) return p.value.raw;
  // The common shapes (`<d:getetag>"…"</d:getetag>`, `<d:resourcetype/>`) without the node writer.
  if (p.value === undefined || typeof p.value === 'string') {
    const q = rootQName(p.name);
    if (q !== undefined) return p.value === undefined || p.value.length === 0 ? `<${q}/>` : `<${q}>${escapeText(p.value)}</${q}>`;
  }
  const out: string[] = [];
  writeNode({ name: p.name, children: p.value }, ROOT_PREFIXES, out, '');
  return out.join('');
}

function errorNode(e: ErrorCondition): XmlNode {
  return el(DAV.error, [el(e.name, e.children)]);
}

/**
 * Appends one `<d:propstat>` (RFC 4918 §14.22: prop, status, optional error and description) to
 * the text `s`; an encoded property is written to `sink` after the text before it. Returns the
 * text not yet written.
 */
function writePropstat(ps: PropStat, s: string, sink: XmlSink): string {
  s += '<d:propstat><d:prop>';
  for (const p of ps.props) {
    const x = propXml(p);
    if (typeof x === 'string') s += x;
    else {
      sink.text(s);
      sink.bytes(x);
      s = '';
    }
  }
  s += `</d:prop><d:status>${statusLine(ps.status)}</d:status>`;
  if (ps.error) s += renderNode(errorNode(ps.error));
  if (ps.description !== undefined) s += `<d:responsedescription>${escapeText(ps.description)}</d:responsedescription>`;
  return s + '</d:propstat>';
}

/** One `<d:propstat>` as a string. */
export function propstatXml(ps: PropStat): string {
  const sink = new TextSink();
  sink.text(writePropstat(ps, '', sink));
  return sink.out;
}

/** Opening of a streamed multistatus body (RFC 4918 §13). */
export function multistatusStart(): string {
  return `${XML_DECL}<d:multistatus${ROOT_XMLNS}>`;
}

/** Writes one `<d:response>`: href, then propstats or status, then error and description (§14.24). */
export function writeResponse(r: ResponseEntry, sink: XmlSink): void {
  if (r.encoded !== undefined) {
    sink.bytes(r.encoded);
    return;
  }
  let s = `<d:response><d:href>${escapeText(encodeHref(r.href))}</d:href>`;
  if (r.propstats && r.propstats.length > 0) for (const ps of r.propstats) s = writePropstat(ps, s, sink);
  else s += `<d:status>${statusLine(r.status ?? 200)}</d:status>`;
  if (r.error) s += renderNode(errorNode(r.error));
  if (r.description !== undefined) s += `<d:responsedescription>${escapeText(r.description)}</d:responsedescription>`;
  sink.text(s + '</d:response>');
}

/**
 * A `<d:response>` with a single 200 propstat of the given properties, rendered straight to text:
 * for listings of thousands of rows, without building a ResponseEntry and its arrays per row.
 * Equal to `responseXml({ href, propstats: [{ status: 200, props }] })`; `after`, rendered
 * propstats to follow the 200 one (a listing's 404 propstat of the names members lack).
 */
export function okResponseXml(href: string, props: readonly PropValue[], after = ''): string {
  return okResponseOfHrefText(escapeText(encodeHref(href)), props, after);
}

/** okResponseXml for an href already encoded and escaped (`memberHrefText`). */
export function okResponseOfHrefText(hrefText: string, props: readonly PropValue[], after = ''): string {
  let s = `<d:response><d:href>${hrefText}</d:href><d:propstat><d:prop>`;
  for (const p of props) {
    const x = propXml(p);
    s += typeof x === 'string' ? x : x.toString('utf8');
  }
  return `${s}</d:prop><d:status>${statusLine(200)}</d:status></d:propstat>${after}</d:response>`;
}

/** One `<d:response>` as UTF-8 in a Buffer of its own (not a slice of Node's pool), for caching. */
export function responseBytes(r: ResponseEntry): Buffer {
  const parts: (string | Buffer)[] = [];
  writeResponse(r, { text: (t) => parts.push(t), bytes: (b) => parts.push(b) });
  return chunksToBuffer(parts, true);
}

/** One `<d:response>` as a string. */
export function responseXml(r: ResponseEntry): string {
  const sink = new TextSink();
  writeResponse(r, sink);
  return sink.out;
}

/** Closing of a multistatus; the sync-token follows the responses (RFC 6578 §6.2). */
export function multistatusEnd(syncToken?: string, description?: string): string {
  let s = '';
  if (description !== undefined) s += `<d:responsedescription>${escapeText(description)}</d:responsedescription>`;
  if (syncToken !== undefined) s += `<d:sync-token>${escapeText(syncToken)}</d:sync-token>`;
  return s + '</d:multistatus>';
}

/** A complete multistatus body, for small responses that need no streaming. */
export function multistatusXml(responses: readonly ResponseEntry[], syncToken?: string): string {
  return multistatusStart() + responses.map(responseXml).join('') + multistatusEnd(syncToken);
}

/**
 * A `<d:error>` body (RFC 4918 §16): the condition element with optional content, e.g.
 * `errorXml(CALDAV.noUidConflict, [hrefNode(path)])`, and an optional human-readable message in
 * Sundial's namespace (the error element allows any content). No condition gives `<d:error/>`.
 */
export function errorXml(conditionName?: ClarkName | null, children?: readonly XmlChild[] | string, description?: string): string {
  const kids: XmlChild[] = [];
  if (conditionName !== undefined && conditionName !== null) kids.push(el(conditionName, children));
  if (description !== undefined) kids.push(el(SUNDIAL.message, description));
  return xmlDocument(el(DAV.error, kids));
}
