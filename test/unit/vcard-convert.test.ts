// vCard 3.0 ↔ 4.0 where nothing is lost (src/vcard/convert.ts): the common properties convert
// with TYPE=pref ↔ PREF=1 and extended ↔ basic dates; anything without an exact equivalent
// answers null (the stored bytes are served); the result validates as the version asked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { convertVCard } from '../../src/vcard/convert.js';
import { validateVCard } from '../../src/vcard/validate.js';

const card = (...lines: string[]) => ['BEGIN:VCARD', ...lines, 'END:VCARD', ''].join('\r\n');

test('3.0 → 4.0: VERSION, TYPE=pref → PREF=1, extended date → basic, the rest copied as stored', () => {
  const v3 = card('VERSION:3.0', 'PRODID:-//Apple Inc.//iOS 17.5//EN', 'N:Doe;Jane;;;', 'FN:Jane Doe', 'item1.EMAIL;type=INTERNET;type=pref:jane@example.com', 'item1.X-ABLabel:_$!<Other>!$_', 'TEL;type=CELL;type=VOICE:+1 555', 'BDAY:1985-04-12', 'NOTE:a long note', ' folded', 'UID:ABC');
  const v4 = convertVCard(v3, '4.0');
  assert.is(v4, card('VERSION:4.0', 'PRODID:-//Apple Inc.//iOS 17.5//EN', 'N:Doe;Jane;;;', 'FN:Jane Doe', 'item1.EMAIL;TYPE=INTERNET;PREF=1:jane@example.com', 'item1.X-ABLabel:_$!<Other>!$_', 'TEL;type=CELL;type=VOICE:+1 555', 'BDAY:19850412', 'NOTE:a long note', ' folded', 'UID:ABC'));
  assert.equal(validateVCard(v4!), { uid: 'ABC', fn: 'Jane Doe', version: '4.0' });
});

test('4.0 → 3.0 and back gives the same card', () => {
  const v4 = card('VERSION:4.0', 'UID:urn:uuid:1', 'FN:A', 'EMAIL;TYPE=work;PREF=1:a@example.com', 'BDAY:19700101');
  const v3 = convertVCard(v4, '3.0')!;
  assert.is(v3, card('VERSION:3.0', 'UID:urn:uuid:1', 'FN:A', 'EMAIL;TYPE=work;TYPE=pref:a@example.com', 'BDAY:1970-01-01'));
  assert.is(convertVCard(v3, '4.0'), card('VERSION:4.0', 'UID:urn:uuid:1', 'FN:A', 'EMAIL;TYPE=work;PREF=1:a@example.com', 'BDAY:19700101'));
});

test('the same version is the text itself', () => {
  const v = card('VERSION:4.0', 'UID:1', 'FN:A', 'KIND:group');
  assert.is(convertVCard(v, '4.0'), v);
});

test('no exact equivalent: null', () => {
  const cases: Array<[string, '3.0' | '4.0']> = [
    [card('VERSION:3.0', 'UID:1', 'FN:A', 'PHOTO;ENCODING=b;TYPE=JPEG:QUJD'), '4.0'],
    [card('VERSION:3.0', 'UID:1', 'FN:A', 'LABEL:1 Main St'), '4.0'],
    [card('VERSION:3.0', 'UID:1', 'FN:A', 'AGENT:x'), '4.0'],
    [card('VERSION:3.0', 'UID:1', 'FN:A', 'GEO:1;2'), '4.0'],
    [card('VERSION:3.0', 'UID:1', 'FN:A', 'NOTE;CHARSET=UTF-8:x'), '4.0'],
    [card('VERSION:3.0', 'UID:1', 'FN:A', 'BDAY:1985-04-12T10:00:00Z'), '4.0'],
    [card('VERSION:4.0', 'UID:1', 'FN:A', 'KIND:group'), '3.0'],
    [card('VERSION:4.0', 'UID:1', 'FN:A', 'EMAIL;PREF=2:a@b'), '3.0'],
    [card('VERSION:4.0', 'UID:1', 'FN:A', 'TEL;VALUE=uri:tel:+1-555'), '3.0'],
    [card('VERSION:4.0', 'UID:1', 'FN:A', 'PHOTO:data:image/jpeg;base64,QUJD'), '3.0'],
    [card('VERSION:4.0', 'UID:1', 'FN:A', 'N;SORT-AS="Doe":Doe;A;;;'), '3.0'],
    [card('VERSION:4.0', 'UID:1', 'FN:A', 'BDAY:--0412'), '3.0'],
  ];
  for (const [text, to] of cases) assert.is(convertVCard(text, to), null, text);
});

test.run();
