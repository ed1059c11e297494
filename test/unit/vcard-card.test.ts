// The linear vCard scanner and parsed card (src/vcard/card.ts), the parsed-card cache
// (src/vcard/cache.ts), address-data selection (src/vcard/address-data.ts) and the split of a
// file of many cards for import (src/vcard/split.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCard, parseContentLine, scanLines, unescapeText, type ScannedLine } from '../../src/vcard/card.js';
import { memberBytes, ParsedCardCache } from '../../src/vcard/cache.js';
import { selectAddressData, WHOLE_CARD } from '../../src/vcard/address-data.js';
import { splitVCards, splitVCardSteps } from '../../src/vcard/split.js';
import { DEFAULT_VCARD_LIMITS } from '../../src/vcard/validate.js';

const card = (...lines: string[]) => ['BEGIN:VCARD', ...lines, 'END:VCARD', ''].join('\r\n');

test('scanLines: unfolding, line numbers and offsets of each logical line', () => {
  const text = 'A:1\r\nB:2\r\n 3\r\n\t4\nC:5';
  const lines: ScannedLine[] = [];
  scanLines(text, { maxLineLength: 100 }, (l) => lines.push(l));
  assert.equal(lines.map((l) => [l.text, l.line]), [['A:1', 1], ['B:234', 2], ['C:5', 5]]);
  assert.is(text.slice(lines[1]!.start, lines[1]!.end), 'B:2\r\n 3\r\n\t4\n');
  assert.is(text.slice(lines[2]!.start, lines[2]!.end), 'C:5');
});

test('parseContentLine: group, name, bare and quoted parameters, comma lists, the value after the first colon outside quotes', () => {
  const p = parseContentLine('item1.email;type=INTERNET,pref;X-LABEL="a:b;c,d";HOME:me@x.org:25', 1);
  assert.is(p.group, 'item1');
  assert.is(p.name, 'EMAIL');
  assert.equal(p.params, [
    { name: 'TYPE', values: ['INTERNET', 'pref'] },
    { name: 'X-LABEL', values: ['a:b;c,d'] },
    { name: 'TYPE', values: ['HOME'] },
  ]);
  assert.is(p.value, 'me@x.org:25');
  assert.is(p.colon, 'item1.email;type=INTERNET,pref;X-LABEL="a:b;c,d";HOME'.length);
});

test('unescapeText: \\n \\N \\, \\; \\\\ and a trailing backslash', () => {
  assert.is(unescapeText('a\\nb\\Nc\\,d\\;e\\\\f'), 'a\nb\nc,d;e\\f');
  assert.is(unescapeText('plain'), 'plain');
  assert.is(unescapeText('end\\'), 'end\\');
});

test('parseCard keeps properties (not BEGIN/END), drops bulky values, counts its bytes', () => {
  const c = parseCard(card('VERSION:4.0', 'UID:1', 'FN:A', 'PHOTO:data:image/jpeg;base64,' + 'Q'.repeat(50_000), 'LOGO;ENCODING=b:' + 'Q'.repeat(1000)));
  assert.equal(c.props.map((p) => [p.name, p.value]), [['VERSION', '4.0'], ['UID', '1'], ['FN', 'A'], ['PHOTO', ''], ['LOGO', '']]);
  assert.ok(c.bytes > 0 && c.bytes < 3000, String(c.bytes));
});

test('ParsedCardCache: parses once per (collection, name, etag), a new etag is a new entry, bounded by bytes', () => {
  const cache = new ParsedCardCache(20_000);
  const a = cache.get(1, 'a.vcf', '"e1"', card('VERSION:4.0', 'UID:a', 'FN:A'));
  assert.is(cache.get(1, 'a.vcf', '"e1"', 'not even parsed'), a);
  assert.is(cache.peek(1, 'a.vcf', '"e1"'), a);
  assert.is(cache.peek(2, 'a.vcf', '"e1"'), undefined);
  const b = cache.get(1, 'a.vcf', '"e2"', card('VERSION:4.0', 'UID:a', 'FN:B'));
  assert.is.not(b, a);
  assert.is(b.props[2]!.value, 'B');
  for (let i = 0; i < 200; i++) cache.get(1, `c${i}.vcf`, '"e"', card('VERSION:4.0', `UID:c${i}`, 'FN:' + 'x'.repeat(100)));
  assert.ok(cache.size.bytes <= 20_000, JSON.stringify(cache.size));
  assert.ok(cache.size.entries < 200);
  assert.is(cache.peek(1, 'c0.vcf', '"e"'), undefined); // the oldest went first
});

test('ParsedCardCache: a kept response and the kept list\'s cards are counted, replaced and dropped with their card', () => {
  const cache = new ParsedCardCache(1_000_000);
  const c = cache.collection(1);
  const a = c.get('a.vcf', '"e1"', card('VERSION:4.0', 'UID:a', 'FN:A'));
  const before = cache.size.bytes;
  c.keepResponse('a.vcf', '"e1"', a, 'k1', Buffer.alloc(1000));
  assert.ok(cache.size.bytes >= before + 1000, JSON.stringify(cache.size));
  c.keepResponse('a.vcf', '"e1"', a, 'k2', Buffer.alloc(10));
  assert.ok(cache.size.bytes < before + 200 && a.response?.key === 'k2', JSON.stringify(cache.size));
  // A card replaced by a new version keeps no response for the old one, and the bytes go with it.
  const b = c.get('a.vcf', '"e2"', card('VERSION:4.0', 'UID:a', 'FN:B'));
  c.keepResponse('a.vcf', '"e1"', a, 'k3', Buffer.alloc(5000));
  assert.is(a.response?.key, 'k2');
  assert.ok(cache.size.bytes < b.bytes + 200, JSON.stringify(cache.size));
  // The kept list's cards: one per member in order, rebuilt after a card changes.
  c.keepMembers(7, [{ name: 'a.vcf', etag: '"e2"' }, { name: 'z.vcf', etag: '"e"' }], 300);
  assert.equal(c.cardsOf(7), [b, undefined]);
  assert.is(c.cardsOf(8), undefined);
  const z = c.get('z.vcf', '"e"', card('VERSION:4.0', 'UID:z', 'FN:Z'));
  assert.equal(c.cardsOf(7), [b, z]);
});

test('ParsedCardCache: past the budget the least recently queried collection goes first', () => {
  const cache = new ParsedCardCache(30_000);
  const text = (i: number) => card('VERSION:4.0', `UID:${i}`, 'FN:' + 'x'.repeat(200));
  const a = cache.collection('a');
  for (let i = 0; i < 10; i++) a.get(`${i}.vcf`, '"e"', text(i));
  const b = cache.collection('b');
  for (let i = 0; i < 10; i++) b.get(`${i}.vcf`, '"e"', text(i));
  const held = cache.size.bytes;
  const c = cache.collection('c');
  for (let i = 0; i < 10; i++) c.get(`${i}.vcf`, '"e"', text(i));
  assert.ok(cache.size.bytes <= 30_000);
  assert.is(cache.peek('a', '0.vcf', '"e"'), undefined, 'a was the least recent');
  assert.ok(cache.peek('c', '9.vcf', '"e"'));
  assert.ok(held > 0);
  // A changed etag replaces the entry and its bytes.
  const before = cache.size.bytes;
  c.get('9.vcf', '"e2"', text(9));
  assert.is(cache.size.bytes, before);
  assert.is(cache.peek('c', '9.vcf', '"e"'), undefined);
});

test('ParsedCardCache: a member list is kept for one collection state, counted in the budget, evicted first', () => {
  const cache = new ParsedCardCache(40_000);
  const list = Array.from({ length: 20 }, (_, i) => ({ name: `${i}.vcf`, etag: `"e${i}"` }));
  const bytes = list.reduce((n, m) => n + memberBytes(m), 0);
  const a = cache.collection('a');
  a.keepMembers(7, list, bytes);
  assert.is(a.members(7), list);
  assert.is(a.members(8), undefined, 'another state of the collection');
  assert.is(cache.size.bytes, bytes);
  a.keepMembers(8, list.slice(1), bytes - memberBytes(list[0]!));
  assert.is(a.members(7), undefined, 'one state kept at a time');
  assert.is(cache.size.bytes, bytes - memberBytes(list[0]!));
  // A list over a quarter of the budget is not kept.
  const big = Array.from({ length: 200 }, (_, i) => ({ name: `${i}.vcf`, etag: '"e"' }));
  a.keepMembers(9, big, big.reduce((n, m) => n + memberBytes(m), 0));
  assert.is(a.members(9), undefined);
  assert.is(a.members(8), undefined);
  assert.is(cache.size.bytes, 0);
  // Past the budget, a collection's list goes before its cards.
  a.keepMembers(10, list, bytes);
  for (let i = 0; i < 200 && a.members(10) !== undefined; i++) a.get(`${i}.vcf`, '"e"', card('VERSION:4.0', `UID:${i}`, 'FN:' + 'x'.repeat(200)));
  assert.is(a.members(10), undefined);
  assert.ok(cache.peek('a', '0.vcf', '"e"'), 'the cards stayed');
  assert.ok(cache.size.bytes <= 40_000);
});

test('two caches share nothing', () => {
  const one = new ParsedCardCache();
  const two = new ParsedCardCache();
  one.get(1, 'a.vcf', '"e"', card('VERSION:4.0', 'UID:a', 'FN:A'));
  assert.is(two.peek(1, 'a.vcf', '"e"'), undefined);
});

const stored = card('VERSION:3.0', 'UID:u1', 'FN:Jane Doe', 'N:Doe;Jane;;;', 'item1.EMAIL;TYPE=INTERNET:jane@example.com', 'item1.X-ABLabel:_$!<Other>!$_', 'NOTE:a long note that was', ' folded by the client', 'PHOTO;ENCODING=b;TYPE=JPEG:QUJD');

test('address-data: allprop returns the stored bytes', () => {
  assert.is(selectAddressData(stored, WHOLE_CARD), stored);
});

test('address-data: named properties (in any group) with BEGIN, VERSION and END, folding kept', () => {
  const out = selectAddressData(stored, { all: false, props: [{ name: 'EMAIL', novalue: false }, { name: 'NOTE', novalue: false }], version: null });
  assert.is(out, card('VERSION:3.0', 'item1.EMAIL;TYPE=INTERNET:jane@example.com', 'NOTE:a long note that was', ' folded by the client'));
});

test('address-data: novalue="yes" keeps name and parameters, drops the value', () => {
  const out = selectAddressData(stored, { all: false, props: [{ name: 'PHOTO', novalue: true }, { name: 'UID', novalue: false }], version: null });
  assert.is(out, card('VERSION:3.0', 'UID:u1', 'PHOTO;ENCODING=b;TYPE=JPEG:'));
});

test('address-data on LF-only text and a last line without a line break', () => {
  const text = 'BEGIN:VCARD\nVERSION:4.0\nUID:x\nFN:X\nEND:VCARD';
  assert.is(selectAddressData(text, { all: false, props: [{ name: 'FN', novalue: false }], version: null }), 'BEGIN:VCARD\nVERSION:4.0\nFN:X\nEND:VCARD\r\n');
});

const fileOf = (...cards: string[]) => cards.join('');

test('split: cards in order, with their first line; one bad card reported with its line, the others kept', () => {
  const good1 = card('VERSION:3.0', 'UID:1', 'FN:One');
  const bad = card('VERSION:3.0', 'FN:No UID');
  const good2 = card('VERSION:4.0', 'UID:2', 'FN:Two');
  const broken = card('VERSION:3.0', 'UID:3', 'FN:Three', 'NOTE no colon');
  const r = splitVCards(fileOf(good1, bad, good2, broken));
  assert.equal(r.cards.map((c) => [c.uid, c.fn, c.version, c.line]), [['1', 'One', '3.0', 1], ['2', 'Two', '4.0', 10]]);
  assert.is(r.cards[0]!.text, good1);
  assert.equal(r.problems.map((p) => [p.line, p.item, p.condition]), [[6, 'FN No UID', 'valid-address-data'], [19, 'FN Three', 'valid-address-data']]);
  assert.match(r.problems[0]!.reason, /UID is missing/);
  assert.match(r.problems[1]!.reason, /unexpected " " in the name or parameters of NOTE/); // reported at the bad line, not at the card's BEGIN
});

test('split: the bad line of a card is reported by its line in the file', () => {
  const r = splitVCards(fileOf(card('VERSION:3.0', 'UID:1', 'FN:One'), card('VERSION:3.0', 'UID:3', 'FN:Three', 'NOTE no colon')));
  assert.equal(r.problems.map((p) => p.line), [10]);
});

test('split: a duplicate UID keeps the later card; a missing END, stray text and a version 2.1 card are reported', () => {
  const text = 'junk line\r\n\r\n' + card('VERSION:3.0', 'UID:1', 'FN:Old') + card('VERSION:3.0', 'UID:1', 'FN:New') +
    'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:9\r\n' + card('VERSION:2.1', 'UID:5', 'FN:Old format') + 'BEGIN:VCARD\r\nUID:x\r\n';
  const r = splitVCards(text);
  assert.equal(r.cards.map((c) => c.fn), ['New']);
  const reasons = r.problems.map((p) => `${p.line} ${p.condition} ${p.reason}`);
  assert.is(reasons.length, 5, reasons.join('\n'));
  assert.match(reasons[0]!, /^1 .*outside/);
  assert.match(reasons[1]!, /^3 .*same UID again at line 8/);
  assert.match(reasons[2]!, /^13 .*no END:VCARD before the next BEGIN:VCARD at line 16/);
  assert.match(reasons[3]!, /^16 supported-address-data/);
  assert.match(reasons[4]!, /^21 .*end of the file/);
});

test('split: a bad card is named by its FN even after text that upper-cases longer (ß)', () => {
  const r = splitVCards(card('VERSION:3.0', 'NOTE:ßßßßßßßßßß', 'FN:Weiß'));
  assert.equal(r.problems.map((p) => p.item), ['FN Weiß']);
});

test('split: yields between slices; 5000 cards', () => {
  const text = Array.from({ length: 5000 }, (_, i) => card('VERSION:4.0', `UID:${i}`, `FN:P${i}`)).join('');
  const steps = splitVCardSteps(text, DEFAULT_VCARD_LIMITS, 100);
  let yields = 0;
  let r = steps.next();
  while (!r.done) { yields++; r = steps.next(); }
  // One yield per slice of 100 cards, and one per 2048 lines (5 lines a card: 25,000 lines), so
  // that a file of lines that end no card pauses too.
  assert.is(yields, 5000 / 100 + Math.floor((5000 * 5) / 2048));
  assert.is(r.value.cards.length, 5000);
  assert.is(r.value.problems.length, 0);
});

test.run();
