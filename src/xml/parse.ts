// Request-body XML → a small tree whose names are resolved Clark names (`{ns}local`).
// fast-xml-parser neither resolves namespaces nor keeps "007" a string by default, so it is used
// only for tokenizing (order preserved, no value parsing, no entity handling) and this module
// resolves namespaces (Namespaces in XML 1.0 §5–§6) and decodes references (XML 1.0 §4.1) itself.
import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { clark, XML_NS, XMLNS_NS, type ClarkName } from './names.js';
import { escapeAttr, escapeText } from './serialize.js';
import { plainTokens, type RawNode } from './plain-tokens.js';
import { ScopeChain } from './scope.js';

/** Malformed, hostile or over-limit XML. The message is safe to show to the client. */
export class XmlError extends Error {
  override name = 'XmlError';
}

export interface XmlElement {
  name: ClarkName; // `{ns}local`; `{}local` when in no namespace
  ns: string;
  local: string;
  /** Unprefixed attributes by local name, namespaced ones by Clark name (`{ns}local`). */
  attrs: Record<string, string>;
  /** Element children only, in order. */
  children: XmlElement[];
  /** Elements and text in document order (mixed content), comments and PIs dropped. */
  nodes: Array<XmlElement | string>;
  /** This element's own text (CDATA included), untrimmed; see `textOf` for descendants. */
  text: string;
  /** xml:lang in scope here (own or inherited), kept because RFC 4918 §4.3 says dead property
   *  values must keep their language. */
  lang?: string;
}

export interface ParseLimits {
  maxDepth?: number; // default 64
  maxElements?: number; // default 100000
  /** 'general': fast-xml-parser even for a plain document (tests compare the two tokenizers). */
  tokenizer?: 'auto' | 'general';
}

// Every tag and attribute name is prefixed with '=' (not an XML name character) before
// fast-xml-parser uses it as an object key: otherwise it throws on `<constructor/>` and renames
// `hasOwnProperty`, both legal dead-property names. Self-closing tags get the prefix twice
// (a library quirk); `unmark` removes them.
const parserOptions: X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false, // "007" stays "007"
  parseAttributeValue: false,
  trimValues: false, // whitespace is significant in dead property values (RFC 4918 §4.4)
  processEntities: false, // decoded below, including numeric references the library skips
  htmlEntities: false,
  cdataPropName: '#cdata', // CDATA text must not be entity-decoded
  ignoreDeclaration: true,
  ignorePiTags: true,
  transformTagName: (n) => '=' + n,
  transformAttributeName: (n) => '=' + n,
};

/**
 * A parser for one document: fast-xml-parser's own nesting limit (default 100) is kept just above
 * ours so our limit, and its message, apply first; elements are counted while tokenizing so an
 * oversized document is abandoned early rather than fully materialized. The count belongs to this
 * parse alone (no module-level budget); building a parser costs ~13 µs, a fifth of parsing the
 * smallest PROPFIND body, and repeated small bodies are not parsed again (dav/xml-body.ts).
 */
function parserFor(maxDepth: number, maxElements: number): XMLParser {
  let budget = maxElements;
  return new XMLParser({
    ...parserOptions,
    maxNestedTags: maxDepth + 1,
    updateTag: (tagName) => {
      if (--budget < 0) throw new XmlError(`XML has more than ${maxElements} elements`);
      return tagName;
    },
  });
}

// Characters XML 1.0 §2.2 forbids anywhere in a document.
const INVALID_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*)?(;)?/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decodes the five predefined entities and character references; anything else is an error
 *  because without a DTD no other entity can be declared (XML 1.0 §4.1, WFC: Entity Declared). */
function decodeReferences(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(REFERENCE, (m, ref: string | undefined, semi: string | undefined) => {
    if (ref === undefined || semi === undefined) throw new XmlError(`Bare '&' in XML text near "${m}"`);
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!isXmlChar(cp)) throw new XmlError(`Character reference ${m} is not a legal XML character`);
      return String.fromCodePoint(cp);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlError(`Undefined entity ${m}`);
    return value;
  });
}

/** Attribute-value normalization (XML 1.0 §3.3.3): literal whitespace becomes a space. */
function attrValue(raw: string): string {
  if (raw.includes('<')) throw new XmlError(`'<' is not allowed in an attribute value`);
  return decodeReferences(raw.replace(/[\t\n]/g, ' '));
}

function tagOf(node: RawNode): string | undefined {
  for (const key in node) if (key !== ':@') return key;
  return undefined;
}

/** A tag or attribute key without its leading '=' marks (see parserOptions), without a RegExp per name. */
function unmark(key: string): string {
  let i = 0;
  while (key.charCodeAt(i) === 61) i++; // '='
  return i === 0 ? key : key.slice(i);
}

/** The attributes of a node without any: shared, and only ever read. */
const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

interface Ctx {
  maxDepth: number;
  maxElements: number;
  count: number;
}

/** Splits `p:local`; a QName has at most one colon and neither part empty (Namespaces §3). */
function splitQName(qname: string): [prefix: string, local: string] {
  const i = qname.indexOf(':');
  if (i < 0) return ['', qname];
  const prefix = qname.slice(0, i);
  const local = qname.slice(i + 1);
  if (!prefix || !local || local.includes(':')) throw new XmlError(`Invalid qualified name "${qname}"`);
  return [prefix, local];
}

function buildElement(
  qname: string, rawAttrs: Record<string, string>, rawKids: RawNode[],
  scope: ScopeChain<string, string>, lang: string | undefined, depth: number, ctx: Ctx,
): XmlElement {
  if (depth > ctx.maxDepth) throw new XmlError(`XML nested deeper than ${ctx.maxDepth} elements`);
  if (++ctx.count > ctx.maxElements) throw new XmlError(`XML has more than ${ctx.maxElements} elements`);

  // Namespace declarations first: they apply to this element's own name and attributes.
  let declared: Map<string, string> | null = null;
  let plain: Array<[string, string]> | null = null;
  for (const key in rawAttrs) {
    if (!Object.hasOwn(rawAttrs, key)) continue; // only the node's own, whatever Object.prototype holds
    const name = unmark(key);
    const value = attrValue(rawAttrs[key]!);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      if (prefix === 'xmlns' || value === XMLNS_NS || (prefix === 'xml') !== (value === XML_NS)) {
        throw new XmlError(`Illegal namespace declaration ${name}="${value}"`);
      }
      if (prefix && !value) throw new XmlError(`Prefix "${prefix}" cannot be undeclared (xmlns:${prefix}="")`);
      (declared ??= new Map()).set(prefix, value);
    } else {
      (plain ??= []).push([name, value]);
    }
  }

  const inScope = declared === null ? scope : scope.inner(declared);
  const [prefix, local] = splitQName(qname);
  const ns = inScope.get(prefix);
  if (ns === undefined) throw new XmlError(`Undeclared namespace prefix "${prefix}" in <${qname}>`);

  const attrs: Record<string, string> = {};
  for (const [name, value] of plain ?? []) {
    const [ap, al] = splitQName(name);
    let key = al; // unprefixed attributes are in no namespace, whatever the default (§6.2)
    if (ap) {
      const ans = inScope.get(ap);
      if (ans === undefined) throw new XmlError(`Undeclared namespace prefix "${ap}" on attribute ${name}`);
      key = clark(ans, al);
    }
    if (Object.hasOwn(attrs, key)) throw new XmlError(`Attribute ${key} is repeated on <${qname}>`);
    attrs[key] = value;
  }
  const ownLang = attrs[clark(XML_NS, 'lang')];
  if (ownLang !== undefined) lang = ownLang;

  const el: XmlElement = { name: clark(ns, local), ns, local, attrs, children: [], nodes: [], text: '' };
  if (lang !== undefined) el.lang = lang;
  for (const kid of rawKids) {
    const tag = tagOf(kid);
    if (tag === undefined) continue;
    let text: string | undefined;
    if (tag === '#text') text = decodeReferences(String(kid[tag]));
    else if (tag === '#cdata') text = (kid[tag] as RawNode[]).map((t) => String(t['#text'] ?? '')).join('');
    if (text !== undefined) {
      const last = el.nodes.length - 1;
      if (typeof el.nodes[last] === 'string') el.nodes[last] += text; // CDATA next to text
      else el.nodes.push(text);
      el.text += text;
      continue;
    }
    const attrsOf = (kid[':@'] ?? NO_ATTRS) as Record<string, string>;
    const c = buildElement(unmark(tag), attrsOf, kid[tag] as RawNode[], inScope, lang, depth + 1, ctx);
    el.children.push(c);
    el.nodes.push(c);
  }
  return el;
}

// The `xml` prefix is bound without declaration (Namespaces §3); '' is the (empty) default.
const ROOT_SCOPE = ScopeChain.root<string, string>([['xml', XML_NS], ['', '']]);

// fatal: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD, which would
// store a silently altered property value (issue 11 Low). WebDAV bodies are UTF-8 in practice;
// XML 1.0 §4.3.3 makes UTF-8 the encoding of a document without an encoding declaration.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of an XML request body; throws XmlError when the bytes are not valid UTF-8. */
export function decodeXmlBytes(raw: Uint8Array): string {
  try {
    return UTF8.decode(raw);
  } catch {
    throw new XmlError('the body is not valid UTF-8 (the only encoding accepted)');
  }
}

/** The tokens of `xml` by fast-xml-parser, after its validator: any well-formed document. */
function generalTokens(xml: string, ctx: Ctx): RawNode[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new XmlError(`XML is not well-formed: ${msg} (line ${line}, column ${col})`);
  }
  try {
    return parserFor(ctx.maxDepth, ctx.maxElements).parse(xml) as RawNode[];
  } catch (e) {
    if (e instanceof XmlError) throw e;
    const msg = (e as Error).message;
    if (/nested/i.test(msg)) throw new XmlError(`XML nested deeper than ${ctx.maxDepth} elements`);
    throw new XmlError(`XML could not be parsed: ${msg}`);
  }
}

/** Parses a request body into a namespace-resolved tree. Throws XmlError on anything but a single
 *  well-formed, DTD-free document within the limits (bytes: also when they are not UTF-8). */
export function parseXml(input: string | Uint8Array, limits: ParseLimits = {}): XmlElement {
  const body = typeof input === 'string' ? input : decodeXmlBytes(input);
  const ctx: Ctx = { maxDepth: limits.maxDepth ?? 64, maxElements: limits.maxElements ?? 100_000, count: 0 };
  // XML 1.0 §2.11: line ends are normalized before parsing; a UTF-8 BOM may precede the document.
  const xml = body.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!xml.trim()) throw new XmlError('Request body is empty; an XML document was expected');
  // No DTDs at all: internal subsets are how entity-expansion ("billion laughs") and external
  // entity (XXE) attacks are delivered, and WebDAV never needs one.
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) throw new XmlError('DOCTYPE declarations are not allowed');
  if (INVALID_CHARS.test(xml)) throw new XmlError('XML contains characters that are not allowed in XML 1.0');

  // The plain documents clients send are tokenized by plainTokens (xml/plain-tokens.ts), ~10×
  // faster; anything else — comments, CDATA, PIs, odd spacing, any error — by the validator and
  // fast-xml-parser, so every refusal and its message stay theirs.
  const raw = (limits.tokenizer ?? 'auto') !== 'general' ? plainTokens(xml, ctx.maxDepth, ctx.maxElements) ?? generalTokens(xml, ctx) : generalTokens(xml, ctx);
  const roots = raw.filter((n) => {
    const tag = tagOf(n);
    return tag !== undefined && tag !== '#text' && tag !== '#cdata';
  });
  const root = roots[0];
  if (roots.length !== 1 || !root) throw new XmlError('An XML document must have exactly one root element');
  const tag = tagOf(root) as string;
  const attrs = (root[':@'] ?? NO_ATTRS) as Record<string, string>;
  return buildElement(unmark(tag), attrs, root[tag] as RawNode[], ROOT_SCOPE, undefined, 1, ctx);
}

/** First element child with the given Clark name. */
export function child(el: XmlElement, name: ClarkName): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Element children with the given Clark name, or all element children when name is omitted. */
export function children(el: XmlElement, name?: ClarkName): XmlElement[] {
  return name === undefined ? el.children.slice() : el.children.filter((c) => c.name === name);
}

/** All descendant text in document order, untrimmed (e.g. `<d:href>`, `<cal:calendar-data>`). */
export function textOf(el: XmlElement): string {
  let out = '';
  for (const n of el.nodes) out += typeof n === 'string' ? n : textOf(n);
  return out;
}

/**
 * Re-serializes a subtree as standalone XML (no declaration), for storing a dead property and
 * re-emitting it verbatim inside a multistatus (RFC 4918 §4.3–§4.4: namespaces, xml:lang, mixed
 * content and whitespace must survive). Element names use default-namespace declarations
 * (`xmlns="…"`, `xmlns=""` for no namespace) so the result never depends on prefixes of its
 * eventual parent; namespaced attributes get generated prefixes. An inherited xml:lang is written
 * on the root.
 */
export function serializeElement(el: XmlElement): string {
  const out: string[] = [];
  const state = { next: 0 };
  writeElement(el, out, undefined, ScopeChain.root([[XML_NS, 'xml']]), state, true);
  return out.join('');
}

function writeElement(
  el: XmlElement, out: string[], dflt: string | undefined, prefixes: ScopeChain<string, string>,
  state: { next: number }, isRoot: boolean,
): void {
  const decls: string[] = [];
  if (el.ns !== dflt) decls.push(` xmlns="${escapeAttr(el.ns)}"`);
  // Attribute namespaces first given a prefix here (namespace → prefix), over the ancestors'.
  let generated: Map<string, string> | null = null;
  const attrs: string[] = [];
  const entries = Object.entries(el.attrs);
  const langKey = clark(XML_NS, 'lang');
  if (isRoot && el.lang !== undefined && !Object.hasOwn(el.attrs, langKey)) entries.push([langKey, el.lang]);
  for (const [key, value] of entries) {
    let qname = key;
    if (key.startsWith('{')) {
      const end = key.lastIndexOf('}');
      const ans = key.slice(1, end);
      let p = generated?.get(ans) ?? prefixes.get(ans);
      if (p === undefined) {
        p = `n${state.next++}`;
        (generated ??= new Map()).set(ans, p);
        decls.push(` xmlns:${p}="${escapeAttr(ans)}"`);
      }
      qname = `${p}:${key.slice(end + 1)}`;
    }
    attrs.push(` ${qname}="${escapeAttr(value)}"`);
  }
  out.push(`<${el.local}${decls.join('')}${attrs.join('')}`);
  if (el.nodes.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  const scope = generated === null ? prefixes : prefixes.inner(generated);
  for (const n of el.nodes) {
    if (typeof n === 'string') out.push(escapeText(n));
    else writeElement(n, out, el.ns, scope, state, false);
  }
  out.push(`</${el.local}>`);
}
