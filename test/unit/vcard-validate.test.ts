// vCard validation (src/vcard/validate.ts): well-formed cards of both versions pass; every way a
// resource can fail RFC 6352 §5.1 / §6.3.2.1 throws VCardError with its precondition; hostile
// inputs (a 1 MB line, 100,000 properties, broken folding, NUL bytes) are refused in time linear
// in their size (measured as a ratio against a benign input of the same size).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { options } from '../../src/config.js';
import { VCardError, type VCardCondition } from '../../src/vcard/errors.js';
import { checkVCardMediaType, decodeVCard, DEFAULT_VCARD_LIMITS, utf8Length, validateVCard, vcardLimitsOf, type VCardLimits } from '../../src/vcard/validate.js';

const card = (...lines: string[]) => ['BEGIN:VCARD', ...lines, 'END:VCARD', ''].join('\r\n');
const v3 = card('VERSION:3.0', 'UID:abc-1', 'FN:Jane Doe', 'N:Doe;Jane;;;', 'EMAIL;TYPE=INTERNET,WORK:jane@example.com');

function refused(text: string, condition: VCardCondition, limits: VCardLimits = DEFAULT_VCARD_LIMITS, message?: RegExp): VCardError {
  try {
    validateVCard(text, limits);
  } catch (err) {
    assert.instance(err, VCardError);
    const e = err as VCardError;
    assert.is(e.condition, condition, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.unreachable(`accepted: ${JSON.stringify(text.slice(0, 120))}`);
  throw new Error('unreachable');
}

function cost(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    try { fn(); } catch { /* refusal is fine: only the time counts */ }
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.max(best, 0.5);
}

test('a vCard 3.0 and a 4.0 card pass, with UID, FN (unescaped) and version', () => {
  assert.equal(validateVCard(v3), { uid: 'abc-1', fn: 'Jane Doe', version: '3.0' });
  const v4 = card('VERSION:4.0', 'UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1', 'FN:Doe\\, Jane', 'item1.EMAIL;TYPE="work,pref":j@example.com', 'item1.X-ABLabel:_$!<Other>!$_');
  assert.equal(validateVCard(v4), { uid: 'urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1', fn: 'Doe, Jane', version: '4.0' });
});

test('LF line endings, folding with space or tab, lower-case names, a BOM and trailing blank lines pass', () => {
  const text = '\uFEFFbegin:vcard\nversion:3.0\nuid:x\nfn:Jo\n hn\nNOTE:a\n\tb\nend:vcard\n\n\n';
  assert.equal(validateVCard(text), { uid: 'x', fn: 'John', version: '3.0' });
});

test('a missing UID, FN or VERSION is valid-address-data naming it', () => {
  refused(card('VERSION:3.0', 'FN:A'), 'valid-address-data', undefined, /UID is missing/);
  refused(card('VERSION:3.0', 'UID:a'), 'valid-address-data', undefined, /FN is missing/);
  refused(card('UID:a', 'FN:A'), 'valid-address-data', undefined, /VERSION is missing/);
  refused(card('VERSION:3.0', 'UID:', 'FN:A'), 'valid-address-data', undefined, /UID is empty/);
  refused(card('VERSION:3.0', 'UID:a', 'UID:b', 'FN:A'), 'valid-address-data', undefined, /more than once/);
});

test('a version other than 3.0 and 4.0 is supported-address-data', () => {
  refused(card('VERSION:2.1', 'UID:a', 'FN:A'), 'supported-address-data', undefined, /2\.1/);
  refused(card('VERSION:5.0', 'UID:a', 'FN:A'), 'supported-address-data');
});

test('BEGIN/END structure: several cards, nesting, content outside, missing markers, other components', () => {
  refused(v3 + v3, 'valid-address-data', undefined, /several vCards/);
  refused(v3 + 'X-EXTRA:1\r\n', 'valid-address-data', undefined, /after END:VCARD/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'BEGIN:VCARD', 'END:VCARD'), 'valid-address-data', undefined, /nested/);
  refused('VERSION:3.0\r\nUID:a\r\nFN:A\r\nEND:VCARD\r\n', 'valid-address-data', undefined, /begin with BEGIN:VCARD/);
  refused('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:A\r\n', 'valid-address-data', undefined, /no END:VCARD/);
  refused('', 'valid-address-data', undefined, /no BEGIN:VCARD/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'BEGIN:VEVENT', 'END:VEVENT'), 'valid-address-data', undefined, /BEGIN:VEVENT/);
  refused('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', 'valid-address-data');
});

test('property syntax: names, groups, parameters, quotes, missing colon — with the line number', () => {
  const e = refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE no colon'), 'valid-address-data');
  assert.is(e.line, 5);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', ':value'), 'valid-address-data', undefined, /property name/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'item1.:x'), 'valid-address-data', undefined, /group/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'EMAIL;TYPE="work:x@y'), 'valid-address-data', undefined, /unclosed/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'EMAIL;=x:y'), 'valid-address-data', undefined, /parameter name/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'EM@IL:y'), 'valid-address-data');
  // A vCard 2.1-style bare parameter is read as TYPE, not refused.
  assert.is(validateVCard(card('VERSION:3.0', 'UID:a', 'FN:A', 'TEL;HOME;VOICE:+1')).uid, 'a');
});

test('broken folding: a continuation with nothing before it, and after a blank line', () => {
  refused(' BEGIN:VCARD\r\n' + v3, 'valid-address-data', undefined, /continuation/);
  refused('BEGIN:VCARD\r\nVERSION:3.0\r\n\r\n UID:a\r\nFN:A\r\nEND:VCARD\r\n', 'valid-address-data', undefined, /continuation/);
});

test('NUL and other control characters are refused with their line; a tab in a value is fine', () => {
  const e = refused(card('VERSION:3.0', 'UID:a', 'FN:A\u0000B'), 'valid-address-data', undefined, /control character/);
  assert.is(e.line, 4);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:x\u0001y'), 'valid-address-data');
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:x\ry'), 'valid-address-data');
  assert.is(validateVCard(card('VERSION:3.0', 'UID:a', 'FN:A\tB')).fn, 'A\tB');
});

test('size: over maxResourceSize in UTF-8 bytes is max-resource-size (multi-byte characters counted as bytes)', () => {
  const limits = { ...DEFAULT_VCARD_LIMITS, maxResourceSize: 200 };
  const small = card('VERSION:3.0', 'UID:a', 'FN:' + 'é'.repeat(40));
  assert.ok(small.length <= 200 && utf8Length(small) > 100);
  validateVCard(small, limits);
  refused(card('VERSION:3.0', 'UID:a', 'FN:' + 'é'.repeat(80)), 'max-resource-size', limits);
  assert.is(utf8Length('a\u00e9\u4e2d\ud83d\ude00'), 1 + 2 + 3 + 4);
});

test('limits: properties past maxProperties and a logical line past maxLineLength are valid-address-data naming the limit', () => {
  const limits = { ...DEFAULT_VCARD_LIMITS, maxProperties: 10, maxLineLength: 1000 };
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', ...Array.from({ length: 8 }, (_, i) => `NOTE:${i}`)), 'valid-address-data', limits, /more than 10 properties/);
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:' + 'x'.repeat(1000)), 'valid-address-data', limits, /longer than 1000/);
  // Folding does not hide a long line: the unfolded length counts.
  refused(card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:x', ...Array.from({ length: 30 }, () => ' ' + 'y'.repeat(60))), 'valid-address-data', limits, /longer than 1000/);
  validateVCard(card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:' + 'x'.repeat(900)), limits);
});

test('hostile: a 1 MB single line, 100,000 properties, 100,000 continuation lines cost time linear in their size', () => {
  const MB = 1024 * 1024;
  const benign = card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:' + 'a'.repeat(MB));
  const oneLine = 'BEGIN:VCARD;' + 'X;'.repeat(MB / 2) + ':x\r\n'; // a parameter flood on one line
  const quotes = card('VERSION:3.0', 'UID:a', 'FN:A', 'X-A;P="' + 'a'.repeat(MB)); // unclosed quote
  const props = card('VERSION:3.0', 'UID:a', 'FN:A', ...Array.from({ length: 100_000 }, () => 'X:y'));
  const folds = card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:', ...Array.from({ length: 100_000 }, () => ' y'));
  const nul = '\u0000'.repeat(MB);
  const nulInCard = card('VERSION:3.0', 'UID:a', 'FN:A', 'NOTE:' + '\u0000'.repeat(MB));
  cost(() => validateVCard(benign));
  const base = cost(() => validateVCard(benign));
  for (const [name, input] of Object.entries({ oneLine, quotes, props, folds, nul, nulInCard })) {
    const t = cost(() => validateVCard(input));
    assert.ok(t / base < 30, `${name}: ${t.toFixed(1)} ms vs benign ${base.toFixed(1)} ms`);
    assert.throws(() => validateVCard(input, { ...DEFAULT_VCARD_LIMITS, maxLineLength: 64 * 1024 }), (e: unknown) => e instanceof VCardError, name);
  }
  refused(props, 'valid-address-data', DEFAULT_VCARD_LIMITS, /more than 2000 properties/);
});

test('media types: text/vcard with version and charset, text/x-vcard and text/directory pass; others are supported-address-data', () => {
  assert.is(checkVCardMediaType(undefined), null);
  assert.is(checkVCardMediaType('text/vcard'), null);
  assert.is(checkVCardMediaType('text/vcard; charset=utf-8; version=4.0'), '4.0');
  assert.is(checkVCardMediaType('TEXT/VCARD;version="3.0"'), '3.0');
  assert.is(checkVCardMediaType('text/x-vcard'), null);
  assert.is(checkVCardMediaType('text/directory;profile=vCard'), null);
  for (const bad of ['text/calendar', 'application/vcard+json', 'text/vcard; version=2.1', 'text/vcard; charset=iso-8859-1']) {
    assert.throws(() => checkVCardMediaType(bad), (e: unknown) => e instanceof VCardError && e.condition === 'supported-address-data', bad);
  }
});

test('decodeVCard: strict UTF-8, BOM dropped', () => {
  assert.is(decodeVCard(new TextEncoder().encode('\uFEFFBEGIN:VCARD')), 'BEGIN:VCARD');
  assert.throws(() => decodeVCard(new Uint8Array([0x42, 0xff, 0xfe])), (e: unknown) => e instanceof VCardError && e.condition === 'valid-address-data');
});

test('the default limits agree with the options in src/config.ts', () => {
  const fromConfig = vcardLimitsOf({ maxResourceSize: options.maxResourceSize.default, maxCardProperties: options.maxCardProperties.default, maxCardLineLength: options.maxCardLineLength.default });
  assert.equal(fromConfig, DEFAULT_VCARD_LIMITS);
});

test.run();
