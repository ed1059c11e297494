// xml/ leaf: namespace resolution, hostile input, dead-property round trips (RFC 4918 §4.3–§4.4)
// and the response writer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPLE, CALDAV, CS, DAV, SUNDIAL, XML_NS, clark, splitClark } from '../../src/xml/names.js';
import { XmlError, child, children, parseXml, serializeElement, textOf, type XmlElement } from '../../src/xml/parse.js';
import {
  charDataProperty, el, encodeHref, errorXml, escapeAttr, escapeText, hrefNode, isXmlPlain, multistatusEnd, multistatusStart,
  memberHrefText, plainCharData, multistatusXml, okResponseXml, renderNode, responseXml, xmlDocument,
} from '../../src/xml/serialize.js';

const throwsXml = (body: string, re: RegExp, limits?: Parameters<typeof parseXml>[1]) =>
  assert.throws(() => parseXml(body, limits), (e: unknown) => e instanceof XmlError && re.test(e.message));

/** Structural view for equality: names, attrs, language in scope and ordered content. xml:lang is
 *  compared through `lang`, since an inherited language becomes explicit on a serialized root. */
function shape(e: XmlElement): unknown {
  const attrs = Object.fromEntries(Object.entries(e.attrs).filter(([k]) => k !== `{${XML_NS}}lang`));
  return { name: e.name, attrs, lang: e.lang, nodes: e.nodes.map((n) => (typeof n === 'string' ? n : shape(n))) };
}
const roundTrip = (xml: string, pick: (root: XmlElement) => XmlElement) => {
  const original = pick(parseXml(xml));
  const again = parseXml(serializeElement(original));
  assert.equal(shape(again), shape(original));
  return again;
};

test('names: constants, camel-case keys, clark helpers', () => {
  assert.is(DAV.getetag, '{DAV:}getetag');
  assert.is(DAV.currentUserPrincipal, '{DAV:}current-user-principal');
  assert.is(DAV.principalURL, '{DAV:}principal-URL');
  assert.is(CALDAV.calendarData, '{urn:ietf:params:xml:ns:caldav}calendar-data');
  assert.is(CALDAV.scheduleInboxURL, '{urn:ietf:params:xml:ns:caldav}schedule-inbox-URL');
  assert.is(CS.getctag, '{http://calendarserver.org/ns/}getctag');
  assert.is(APPLE.calendarColor, '{http://apple.com/ns/ical/}calendar-color');
  assert.is(clark('', 'x'), '{}x');
  assert.equal(splitClark('{DAV:}href'), { ns: 'DAV:', local: 'href' });
  assert.equal(splitClark('{}x'), { ns: '', local: 'x' });
  assert.equal(splitClark('lang'), { ns: '', local: 'lang' });
});

test('parse: prefixes, default namespace, redeclaration and xmlns=""', () => {
  const root = parseXml(`<?xml version="1.0" encoding="utf-8"?>
    <D:propfind xmlns:D="DAV:" xmlns="urn:a">
      <D:prop xmlns:D="urn:redeclared">
        <D:x/><y/><z xmlns=""/><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"/>
      </D:prop>
      <D:prop/>
    </D:propfind>`);
  assert.is(root.name, DAV.propfind);
  assert.is(root.ns, 'DAV:');
  assert.is(root.local, 'propfind');
  const [inner, outer] = children(root, '{urn:redeclared}prop').concat(children(root, DAV.prop));
  assert.ok(inner && outer);
  assert.equal(inner.children.map((c) => c.name), ['{urn:redeclared}x', '{urn:a}y', '{}z', CALDAV.calendarData]);
  assert.is(child(inner, '{}z')?.ns, '');
  assert.is(outer.name, DAV.prop); // the redeclaration was scoped to its element
  assert.is(parseXml('<a/>').name, '{}a');
});

test('parse: attributes resolved, values kept as strings, text kept raw', () => {
  const root = parseXml('<x xmlns="urn:a" xmlns:p="urn:p" p:id="007" n="1e3" xml:lang="de"><v>007</v><w> 0x1 </w></x>');
  assert.equal(root.attrs, { '{urn:p}id': '007', n: '1e3', [`{${XML_NS}}lang`]: 'de' });
  assert.is(child(root, '{urn:a}v')?.text, '007');
  assert.is(child(root, '{urn:a}w')?.text, ' 0x1 ');
  assert.is(child(root, '{urn:a}w')?.lang, 'de'); // inherited
});

test('parse: references decoded, CDATA literal, mixed content ordered', () => {
  const root = parseXml('<a>x &lt;&amp;&gt; &#x1F600;&#65;<b>mid</b><![CDATA[<&amp;>]]> tail</a>');
  assert.equal(root.nodes.length, 3);
  assert.is(root.nodes[0], 'x <&> \u{1F600}A');
  assert.is(root.nodes[2], '<&amp;> tail');
  assert.is(textOf(root), 'x <&> \u{1F600}Amid<&amp;> tail');
  assert.is(parseXml('<a b="1&#10;2\t3 &quot;q&quot;"/>').attrs.b, '1\n2 3 "q"');
  assert.is(parseXml('<a>l1\r\nl2&#13;</a>').text, 'l1\nl2\r');
});

test('parse: JavaScript-special names are ordinary XML names', () => {
  const root = parseXml('<constructor xmlns="urn:x" hasOwnProperty="1"><__proto__/><toString>t</toString></constructor>');
  assert.is(root.name, '{urn:x}constructor');
  assert.is(root.attrs.hasOwnProperty, '1');
  assert.equal(root.children.map((c) => c.local), ['__proto__', 'toString']);
});

test('parse: DOCTYPE, entity bombs and XXE rejected', () => {
  throwsXml('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>', /DOCTYPE/);
  throwsXml('<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>', /DOCTYPE/);
  throwsXml('<!doctype a><a/>', /DOCTYPE/);
  throwsXml('<a>&xxe;</a>', /Undefined entity/);
  throwsXml('<a>&#0;</a>', /not a legal XML character/);
});

test('parse: malformed, empty, undeclared, too deep, too many', () => {
  throwsXml('', /empty/);
  throwsXml('  \n ', /empty/);
  throwsXml('<a><b></a>', /not well-formed/);
  throwsXml('<a>', /not well-formed/);
  throwsXml('just text', /not well-formed/);
  throwsXml('<a/><b/>', /exactly one root/);
  throwsXml('<a>x & y</a>', /.+/);
  throwsXml('<D:prop/>', /Undeclared namespace prefix "D"/);
  throwsXml('<a xmlns:p="urn:p" q:x="1"/>', /Undeclared namespace prefix "q"/);
  throwsXml('<a xmlns:p=""/>', /cannot be undeclared/);
  throwsXml('<a xmlns:p="urn:x" xmlns:q="urn:x" p:k="1" q:k="2"/>', /repeated/);
  throwsXml('<a>\u0001</a>', /not allowed/);
  throwsXml('<a b="<"/>', /attribute value/);
  const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
  assert.is(parseXml(deep(64)).name, '{}a');
  throwsXml(deep(65), /deeper than 64/);
  throwsXml(deep(300), /deeper than 64/);
  assert.is(parseXml(deep(150), { maxDepth: 200 }).name, '{}a');
  throwsXml(deep(5), /deeper than 4/, { maxDepth: 4 });
  throwsXml(`<a>${'<b/>'.repeat(10)}</a>`, /more than 10 elements/, { maxElements: 10 });
  assert.ok(XmlError.prototype instanceof Error);
});

// The litmus "props" cases: unusual namespaces, namespaced child values, high unicode, xmlns="".
const PROPPATCH = `<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xml:lang="en"><D:set><D:prop>
  <t:valnspace xmlns:t="http://example.com/neon/litmus/"><foo xmlns="http://bar">bar</foo></t:valnspace>
  <t:high xmlns:t="http://example.com/neon/litmus/">\u{10000}\u{10FFFF} &#x1F600; é</t:high>
  <nonamespace xmlns="">randomvalue</nonamespace>
  <x:mixed xmlns:x="urn:x" xmlns:y="urn:y" y:a="v&quot;" xml:lang="fr">  a &lt;b&gt; &amp;amp; <y:i>it</y:i> c <![CDATA[<cdata>]]>
   </x:mixed>
  <q:empty xmlns:q="urn:q"/>
</D:prop></D:set></D:propertyupdate>`;
const props = (root: XmlElement) => child(child(root, DAV.set)!, DAV.prop)!;

test('parse: a declaration binds in its element only; many declaring elements cost linear time', () => {
  // Shadowing, and a sibling's declaration not leaking (Namespaces in XML 1.0 §6.1).
  const t = parseXml('<D:a xmlns:D="DAV:" xmlns:p="urn:root"><D:b xmlns:p="urn:inner" p:x="1"/><D:c p:x="2"/><p:d/></D:a>');
  assert.equal(t.children.map((c) => Object.keys(c.attrs)), [['{urn:inner}x'], ['{urn:root}x'], []]);
  assert.is(t.children[2]!.name, '{urn:root}d');
  throwsXml('<D:a xmlns:D="DAV:"><D:b xmlns:q="urn:q"/><q:c/></D:a>', /Undeclared namespace prefix "q"/);
  // D declarations on the root and S children declaring one each: scopes copied per declaring
  // element cost D×S (6000 × 6000: ~8 s; a 967 KB body held the server 284 s). Generous bound.
  const D_ = 6000;
  const S = 6000;
  let decls = '';
  for (let i = 0; i < D_; i++) decls += ` xmlns:a${i}="urn:a${i}"`;
  let kids = '';
  for (let i = 0; i < S; i++) kids += `<D:x xmlns:b="urn:b${i}" b:y="${i}" a${i}:z="1"/>`;
  const t0 = performance.now();
  const big = parseXml(`<D:propfind xmlns:D="DAV:"${decls}><D:prop>${kids}</D:prop></D:propfind>`);
  const ms = performance.now() - t0;
  const xs = big.children[0]!.children;
  assert.is(xs.length, S);
  assert.equal(Object.keys(xs[4321]!.attrs).sort(), ['{urn:a4321}z', '{urn:b4321}y']);
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
  // Serializing back declares each attribute namespace where it is first used, as before.
  const again = parseXml(serializeElement(xs[17]!));
  assert.equal(again.attrs, xs[17]!.attrs);
});

test('serializeElement: each dead property round-trips exactly', () => {
  for (let i = 0; i < 5; i++) roundTrip(PROPPATCH, (r) => props(r).children[i]!);
  const valns = roundTrip(PROPPATCH, (r) => props(r).children[0]!);
  assert.is(valns.children[0]?.name, '{http://bar}foo');
  const high = roundTrip(PROPPATCH, (r) => props(r).children[1]!);
  assert.is(high.text, '\u{10000}\u{10FFFF} \u{1F600} é');
  const nons = roundTrip(PROPPATCH, (r) => props(r).children[2]!);
  assert.is(nons.name, '{}nonamespace');
  assert.is(nons.text, 'randomvalue');
  const mixed = roundTrip(PROPPATCH, (r) => props(r).children[3]!);
  assert.is(mixed.nodes[0], '  a <b> &amp; ');
  assert.is(mixed.lang, 'fr');
});

test('serializeElement: escaping, inherited xml:lang and no-namespace output', () => {
  const root = parseXml(PROPPATCH);
  const [valns, , nons, mixed] = props(root).children;
  assert.ok(valns && nons && mixed);
  const s = serializeElement(mixed);
  assert.ok(s.includes('a &lt;b&gt; &amp;amp; '), s);
  assert.ok(s.includes('&lt;cdata&gt;'), s);
  assert.ok(serializeElement(valns).includes('xml:lang="en"'), 'inherited language kept on the property');
  assert.ok(serializeElement(nons).startsWith('<nonamespace xmlns=""'), serializeElement(nons));
  // Inserted under a default namespace, the no-namespace property must stay in no namespace.
  const wrapped = parseXml(`<w xmlns="urn:default">${serializeElement(nons)}</w>`);
  assert.is(wrapped.children[0]?.name, '{}nonamespace');
});

test('escapeText / escapeAttr / encodeHref', () => {
  assert.is(escapeText('a<b>&c]]>\r\n'), 'a&lt;b&gt;&amp;c]]&gt;&#13;\n');
  assert.is(escapeText('bad\u0001\uD800x'), 'bad\uFFFD\uFFFDx');
  assert.is(escapeAttr('"\t\n<&'), '&quot;&#9;&#10;&lt;&amp;');
  assert.is(encodeHref('/cal/ann@ex.com/my cal/ä%#?.ics'), '/cal/ann@ex.com/my%20cal/%C3%A4%25%23%3F.ics');
  assert.is(encodeHref('/a/b+c;d=e/'), '/a/b+c;d=e/');
});

test('escapeText of long text (escaped as UTF-8 bytes) equals the character-by-character escaping', () => {
  const INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  const REFS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
  const reference = (s: string) => s.replace(INVALID, '\uFFFD').replace(/[&<>\r]/g, (c) => REFS[c]!);
  // Every kind of character the escaping treats differently, and its neighbours in UTF-8.
  const alphabet = ['a', '&', '<', '>', '\r', '\n', '\t', '\x00', '\x01', '\x1f', '\x7f', '?', '\u00e9', '\u07ff', '\u0800', '\ufffd', '\ufffe', '\uffff', '\uD83D\uDE00', '\uD800', '\uDC00', '\uEFBF', ']]>'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let k = 0; k < 8; k++) {
    let s = '';
    while (s.length < 70_000) s += alphabet[next() % alphabet.length]!;
    assert.ok(escapeText(s) === reference(s), `generated text ${k}`);
  }
  const dense = '&<'.repeat(40_000);
  assert.is(escapeText(dense), '&amp;&lt;'.repeat(40_000));
});

test('isXmlPlain: a body whose escapeText is its CRs as &#13; (what SQL replace() does for objects.xml_plain)', () => {
  const plain = ['BEGIN:VCALENDAR\r\nSUMMARY:Réunion 🎉 Łukasz\r\nEND:VCALENDAR\r\n', 'tab\there\nLF only', '\u007F\u0080\uFFFD', ''];
  const notPlain = ['Tom & Jerry\r\n', 'a<b', 'a>b', 'nul\u0000', 'bell\u0007', 'vt\u000B', 'esc\u001B', 'non\uFFFE', 'non\uFFFF'];
  for (const s of plain) {
    assert.ok(isXmlPlain(Buffer.from(s, 'utf8')), JSON.stringify(s));
    assert.is(plainCharData(s), escapeText(s));
  }
  for (const s of notPlain) assert.not.ok(isXmlPlain(Buffer.from(s, 'utf8')), JSON.stringify(s));
  // Invalid UTF-8 (a truncated sequence; a surrogate encoded as in CESU-8) is never plain.
  assert.not.ok(isXmlPlain(Buffer.from([0x41, 0xc3, 0x28])));
  assert.not.ok(isXmlPlain(Buffer.from([0x41, 0xed, 0xa0, 0x80])));
  // Random texts over an alphabet of every kind of character: plain ⇒ escapeText is CR-only.
  const alphabet = ['a', 'Z', ' ', '\r', '\n', '\t', '&', '<', '>', '\u0001', '\u001F', 'é', 'Ł', '🎉', '\uFFFE', '\uFFFD', ';', ':'];
  let seen = 0;
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let k = (i * 7) % 23; k > 0; k--) s += alphabet[(i * 31 + k * 17 + ((i * k) >> 3)) % alphabet.length];
    if (isXmlPlain(Buffer.from(s, 'utf8'))) {
      seen++;
      assert.is(plainCharData(s), escapeText(s), JSON.stringify(s));
    } else assert.ok(/[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s), JSON.stringify(s));
  }
  assert.ok(seen > 100, `${seen} plain texts`);
});

test('charDataProperty renders what the escaped text would, for root and other namespaces', () => {
  for (const name of [CALDAV.calendarData, '{urn:x}data']) {
    for (const text of ['BEGIN:VCARD\r\nFN:Zoë\r\n', '']) {
      const byText = responseXml({ href: '/a', propstats: [{ status: 200, props: [{ name, value: text }] }] });
      const byXml = responseXml({ href: '/a', propstats: [{ status: 200, props: [{ name, value: charDataProperty(name, plainCharData(text)) }] }] });
      assert.is(byXml, byText);
    }
  }
});

test('renderNode: fixed prefixes, generated ones declared locally, no-namespace unprefixed', () => {
  assert.is(renderNode(el(DAV.prop, [el(CS.getctag, '"1"'), el(APPLE.calendarColor, '#ff0000')])),
    '<d:prop><cs:getctag>"1"</cs:getctag><ical:calendar-color>#ff0000</ical:calendar-color></d:prop>');
  const s = renderNode(el('{urn:x}a', [el('{urn:x}b', [el('{urn:y}c')]), el('{}d', 'x')], { '{urn:z}k': 'v', plain: '1' }));
  assert.is(s, '<x6:a xmlns:x6="urn:x" xmlns:x7="urn:z" x7:k="v" plain="1"><x6:b><x8:c xmlns:x8="urn:y"/></x6:b><d>x</d></x6:a>');
  assert.is(renderNode(el(SUNDIAL.message, 'm')), '<sd:message xmlns:sd="http://sundial.invalid/ns/">m</sd:message>');
  const doc = parseXml(xmlDocument(el(DAV.mkcolResponse, [el('{urn:x}a', [el('{urn:y}c')])])));
  assert.is(doc.children[0]?.children[0]?.name, '{urn:y}c');
});

test('multistatus: parses back with resolved names, raw dead props, sync-token last', () => {
  const deadProp = serializeElement(props(parseXml(PROPPATCH)).children[2]!);
  const mixedProp = serializeElement(props(parseXml(PROPPATCH)).children[3]!);
  const body = multistatusStart() + responseXml({
    href: '/cal/ann/my cal/',
    propstats: [
      { status: 200, props: [
        { name: DAV.resourcetype, value: [el(DAV.collection), el(CALDAV.calendar)] },
        { name: DAV.getetag, value: '"a&b"' },
        { name: '{}nonamespace', value: { raw: deadProp } },
        { name: '{urn:x}mixed', value: { raw: mixedProp } },
        { name: '{urn:new}thing', value: '007' },
      ] },
      { status: 404, props: [{ name: CS.getctag }] },
    ],
  }) + responseXml({ href: '/cal/ann/gone.ics', status: 404 })
    + responseXml({ href: '/x', status: 403, error: { name: DAV.needPrivileges }, description: 'no' })
    + multistatusEnd('http://sundial.invalid/sync/7');
  assert.ok(body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:"'));
  const ms = parseXml(body);
  assert.is(ms.name, DAV.multistatus);
  const [r1, r2, r3] = children(ms, DAV.response);
  assert.ok(r1 && r2 && r3);
  assert.is(textOf(child(r1, DAV.href)!), '/cal/ann/my%20cal/');
  const [ok, missing] = children(r1, DAV.propstat);
  assert.is(textOf(child(ok!, DAV.status)!), 'HTTP/1.1 200 OK');
  const prop = child(ok!, DAV.prop)!;
  assert.equal(prop.children.map((c) => c.name),
    [DAV.resourcetype, DAV.getetag, '{}nonamespace', '{urn:x}mixed', '{urn:new}thing']);
  assert.equal(child(prop, DAV.resourcetype)!.children.map((c) => c.name), [DAV.collection, CALDAV.calendar]);
  assert.is(child(prop, DAV.getetag)!.text, '"a&b"');
  assert.is(child(prop, '{urn:new}thing')!.text, '007');
  // The stored dead property comes back identical to what was PROPPATCHed.
  assert.equal(shape(child(prop, '{urn:x}mixed')!), shape(props(parseXml(PROPPATCH)).children[3]!));
  assert.is(child(prop, '{}nonamespace')!.text, 'randomvalue');
  assert.is(textOf(child(missing!, DAV.status)!), 'HTTP/1.1 404 Not Found');
  assert.ok(child(child(missing!, DAV.prop)!, CS.getctag));
  assert.is(textOf(child(r2, DAV.status)!), 'HTTP/1.1 404 Not Found');
  assert.ok(child(child(r3, DAV.error)!, DAV.needPrivileges));
  assert.is(textOf(child(r3, DAV.responsedescription)!), 'no');
  assert.is(ms.children.at(-1)?.name, DAV.syncToken);
  assert.is(ms.children.at(-1)?.text, 'http://sundial.invalid/sync/7');
  assert.is(parseXml(multistatusXml([])).children.length, 0);
});

test('errorXml: condition with content, message, and the empty form', () => {
  const body = errorXml(CALDAV.noUidConflict, [hrefNode('/cal/ann/a b.ics')], 'UID <taken>');
  assert.ok(body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:"'), body);
  assert.ok(body.includes('<cal:no-uid-conflict><d:href>/cal/ann/a%20b.ics</d:href></cal:no-uid-conflict>'), body);
  const e = parseXml(body);
  assert.is(e.name, DAV.error);
  assert.equal(e.children.map((c) => c.name), [CALDAV.noUidConflict, SUNDIAL.message]);
  assert.is(e.children[1]?.text, 'UID <taken>');
  const empty = errorXml();
  assert.ok(empty.endsWith('<d:error xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:ical="http://apple.com/ns/ical/" xmlns:card="urn:ietf:params:xml:ns:carddav"/>'), empty);
  assert.is(parseXml(errorXml(null)).children.length, 0);
});

test('okResponseXml renders what responseXml does for one 200 propstat', () => {
  for (const href of ['/dav/calendars/ann/work/ev-1.ics', '/dav/calendars/ann/my cal/a&b <c>.ics', '/dav/calendars/ann/wörk/é.ics']) {
    const props = [{ name: DAV.getetag, value: '"abc&<>"' }, { name: DAV.resourcetype, value: [] }, { name: DAV.displayname }];
    assert.is(okResponseXml(href, props), responseXml({ href, propstats: [{ status: 200, props }] }));
  }
});

test('memberHrefText: the collection encoded once plus the name is the whole href encoded', () => {
  const names = ['ev-1.ics', 'a b.ics', 'a&b <c>.ics', 'é—ü.vcf', '50%.ics', 'x:y@z+w,v;u=t$s.ics', "q'\"r.ics", '😀.ics', 'tab\there.ics', '.ics', '~_-.ics'];
  for (const parent of ['/dav/calendars/ann/work/', '/dav/calendars/ann/my cal & co/', '/dav/addressbooks/zoë/contacts/']) {
    const parentText = escapeText(encodeHref(parent));
    for (const name of names) assert.is(memberHrefText(parentText, name), escapeText(encodeHref(parent + name)), `${parent}${name}`);
  }
});

test.run();
