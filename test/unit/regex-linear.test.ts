// Every regular expression in src/ runs in linear time (issue 11 item 3; the project's quality
// bar). Each case drives the code that uses an expression with a hostile input of ~100 KB,
// shaped to make a backtracking expression of that code's form restart or re-split (long runs of
// the characters its quantifiers share, then a character that makes the match fail), and with a
// benign input of the same size. The hostile run must cost no more than a small multiple of the
// benign one: a ratio, so a loaded machine slows both alike. A cubic expression (the former
// privacy.ts one) takes minutes here; a quadratic one hundreds of times the benign run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beginOrEnd } from '../../src/ical/begin-end.js';
import { privacyTransform } from '../../src/ical/privacy.js';
import { parseCalendar } from '../../src/ical/parse.js';
import { logicalLines, topLevelComponents, foldLine } from '../../src/ical/merge.js';
import { splitCalendar, objectName } from '../../src/ical-files/import.js';
import { feedUrls, withoutTrailingSlashes } from '../../src/feeds/tokens.js';
import { maskPath } from '../../src/http/request-context.js';
import { parseBasic } from '../../src/http/auth.js';
import { parseEtagList } from '../../src/dav/conditional.js';
import { parseUtc } from '../../src/dav/requests/time-range.js';
import { parseXml } from '../../src/xml/parse.js';
import { encodeHref, escapeAttr, escapeText } from '../../src/xml/serialize.js';
import { maskSecrets } from '../../src/log.js';
import { checkAddresses, checkDisplayName, principalUserOf } from '../../src/services/people.js';
import { validateVCard } from '../../src/vcard/validate.js';
import { textMatchHolds } from '../../src/vcard/filter.js';
import { splitVCards } from '../../src/vcard/split.js';
import { selectAddressData } from '../../src/vcard/address-data.js';
import { convertVCard } from '../../src/vcard/convert.js';
import { unicodeCasemap } from '../../src/unicode-casemap.js';

const SIZE = 100_000;
const MAX_RATIO = 30;

/** Best of three runs, in ms; at least 0.5 ms so that a near-zero benign run does not make any
 *  hostile run look slow. */
function cost(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    try { fn(); } catch { /* refusing the input is fine; only the time counts */ }
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.max(best, 0.5);
}

const pad = (s: string, filler: string) => s + filler.repeat(Math.max(0, Math.ceil((SIZE - s.length) / filler.length)));
const spaces = (n = SIZE) => ' '.repeat(n);
const busy = privacyTransform({ details: 'busy', alarms: false });
const noAlarms = privacyTransform({ details: 'full', alarms: false });
const vevent = (line: string) => ({ type: 'VEVENT', lines: ['BEGIN:VEVENT', 'UID:x', line, 'BEGIN:VALARM', line, 'END:VALARM', 'END:VEVENT'] }) as Parameters<typeof busy>[0];

interface Case { name: string; hostile: string; benign: string; run: (input: string) => unknown }

const cases: Case[] = [
  // privacy.ts (was /^(BEGIN|END):[ \t]*(.*?)[ \t]*$/i) and parse.ts (was /^(BEGIN|END):…\r?$/gim)
  { name: 'begin-end.ts beginOrEnd', hostile: 'BEGIN:' + spaces() + '\u2028x', benign: 'BEGIN:' + 'V'.repeat(SIZE) + 'x', run: (s) => beginOrEnd(s) },
  { name: 'privacy.ts busy feed', hostile: 'BEGIN:' + spaces() + '\u2028x', benign: 'DESCRIPTION:' + 'a'.repeat(SIZE), run: (s) => busy(vevent(s)) },
  { name: 'privacy.ts full feed without alarms', hostile: 'END:' + spaces() + '\u2029x', benign: 'DESCRIPTION:' + 'a'.repeat(SIZE), run: (s) => noAlarms(vevent(s)) },
  { name: 'privacy.ts VTIMEZONE X- props', hostile: pad('', 'X-'), benign: 'a'.repeat(SIZE), run: (s) => busy({ type: 'VTIMEZONE', lines: ['BEGIN:VTIMEZONE', s, 'END:VTIMEZONE'] } as Parameters<typeof busy>[0]) },
  {
    name: 'parse.ts nesting check',
    hostile: 'BEGIN:VCALENDAR\r\nBEGIN:' + spaces() + '\rx\r\nEND:VCALENDAR\r\n',
    benign: 'BEGIN:VCALENDAR\r\nX-A:' + 'a'.repeat(SIZE) + '\r\nEND:VCALENDAR\r\n',
    run: (s) => parseCalendar(s),
  },
  { name: 'merge.ts split, TZID, folding', hostile: 'BEGIN:VCALENDAR\r\n' + pad('', '\r\r\n\n') + 'TZID;' + pad('', ';') + '\r\n', benign: 'BEGIN:VCALENDAR\r\nX:' + 'a'.repeat(SIZE) + '\r\n', run: (s) => { topLevelComponents(s); logicalLines(s.split('\n')); foldLine(s); } },
  {
    name: 'import.ts split (BEGIN/END, TZID="…")',
    hostile: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID="' + pad('', '"') + ':20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    benign: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=' + 'a'.repeat(SIZE) + ':20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    run: (s) => splitCalendar(s),
  },
  { name: 'import.ts objectName', hostile: pad('', '.') + '!', benign: 'a'.repeat(SIZE), run: (s) => objectName(s) },
  { name: 'tokens.ts trailing slashes (Host header)', hostile: 'http://h' + pad('', '/') + 'x', benign: 'http://h' + 'a'.repeat(SIZE), run: (s) => { withoutTrailingSlashes(s); feedUrls(s, 'tok'); } },
  { name: 'request-context.ts maskPath', hostile: '/feeds/' + pad('', 'a'), benign: '/dav/' + 'a'.repeat(SIZE), run: (s) => maskPath(s) },
  { name: 'auth.ts parseBasic', hostile: 'Basic ' + spaces(SIZE / 2) + 'QQ' + spaces(SIZE / 2) + '!', benign: 'Basic ' + 'Q'.repeat(SIZE), run: (s) => parseBasic(s) },
  { name: 'conditional.ts parseEtagList', hostile: pad('', 'W/"'), benign: pad('', '"a", '), run: (s) => parseEtagList(s) },
  { name: 'common.ts parseUtc', hostile: pad('', '1') + 'T', benign: 'a'.repeat(SIZE), run: (s) => parseUtc(s) },
  // Two parsers behind parseXml: plain bodies go through xml/plain-tokens.ts, anything else (here a
  // malformed reference) falls back to fast-xml-parser. Each is compared with a benign input that
  // takes the same parser — a ratio across the two would measure their speeds, not linearity.
  {
    name: 'xml/parse.ts references, DOCTYPE, BOM, newlines (fast-xml-parser)',
    hostile: '<d:prop xmlns:d="DAV:" a="' + pad('', '&#x') + '">' + pad('', '&a\r') + '</d:prop>',
    benign: '<!-- not plain --><d:prop xmlns:d="DAV:" a="' + 'a'.repeat(SIZE) + '">' + 'a'.repeat(SIZE) + '</d:prop>',
    run: (s) => parseXml(s),
  },
  {
    name: 'xml/plain-tokens.ts references, names, attributes',
    hostile: '<d:prop xmlns:d="DAV:" a="' + pad('', '&#x41;&amp;') + '">' + pad('', '&lt;&#65;') + '<d:a' + pad('', 'b') + '/></d:prop>',
    // References of the same density: each costs a decode, so plain text would only measure that.
    benign: '<d:prop xmlns:d="DAV:" a="' + pad('', '&amp;') + '">' + pad('', '&amp;') + '<d:ab/></d:prop>',
    run: (s) => parseXml(s),
  },
  { name: 'xml/serialize.ts escaping and hrefs', hostile: pad('', '\uD800&\r'), benign: pad('', '\uD83D\uDE00&'), run: (s) => { escapeText(s); escapeAttr(s); encodeHref('/' + s.replace(/\uD800/g, 'a')); } },
  { name: 'people.ts addresses, names, principal URLs', hostile: pad('', 'a@') + ' ', benign: 'a'.repeat(SIZE), run: (s) => { try { checkAddresses([s, s.slice(0, 250)]); } catch { /* refused */ } try { checkDisplayName(s); } catch { /* refused */ } principalUserOf('/' + s); principalUserOf('http://' + s); } },
  { name: 'log.ts maskSecrets', hostile: pad('', '/feeds/Basic sundial_session=') + '\n', benign: 'a'.repeat(SIZE), run: (s) => maskSecrets(s) },
  // src/vcard/ (issue 14): the scanner is loops and indexOf; the expressions are one character class
  // (control characters) and \p{M} on one character (combining marks at a match's edges).
  { name: 'vcard/validate.ts validateVCard', hostile: 'BEGIN:VCARD\r\nVERSION:4.0\r\nX;P="' + pad('', ';"\\') + '\r\n' + pad('', ' \r\n'), benign: 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:a\r\nFN:a\r\nNOTE:' + pad('', 'a\r\n ') + '\r\nEND:VCARD\r\n', run: (s) => validateVCard(s) },
  { name: 'vcard/filter.ts text-match on combining marks', hostile: 'e' + '\u0301'.repeat(SIZE), benign: 'é'.repeat(SIZE), run: (s) => { textMatchHolds({ value: 'e', collation: 'i;unicode-casemap', matchType: 'contains', negate: false }, s); textMatchHolds({ value: 'ée', collation: 'i;unicode-casemap', matchType: 'contains', negate: false }, s); } },
  { name: 'vcard/split.ts splitVCards', hostile: pad('', 'BEGIN:VCARD\r\n'), benign: 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:a\r\nFN:a\r\nNOTE:' + 'a'.repeat(SIZE) + '\r\nEND:VCARD\r\n', run: (s) => splitVCards(s) },
  { name: 'vcard/address-data.ts selection', hostile: 'BEGIN:VCARD\r\n' + pad('', 'X;A=":;,"\r\n'), benign: 'BEGIN:VCARD\r\nNOTE:' + 'a'.repeat(SIZE) + '\r\nEND:VCARD\r\n', run: (s) => selectAddressData(s, { all: false, props: [{ name: 'X', novalue: true }], version: null }) },
  { name: 'vcard/convert.ts parameter quoting', hostile: 'BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL;TYPE="' + pad('', ';:,') + '",pref:x\r\nEND:VCARD\r\n', benign: 'BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL;TYPE="' + pad('', 'ab,') + '",pref:x\r\nEND:VCARD\r\n', run: (s) => convertVCard(s, '4.0') },
  // unicode-casemap.ts (RFC 5051): runs of marks of one class (no reordering), of 30 (the longest
  // folded as they are: the run expressions at their worst, and canonical ordering's insertion
  // sort over each), of 100,000 alternating classes (was quadratic: seconds), and ß between runs.
  { name: 'unicode-casemap.ts marks of alternating classes', hostile: 'a' + '\u0301\u0316'.repeat(SIZE / 2), benign: 'é'.repeat(SIZE), run: (s) => unicodeCasemap(s) },
  { name: 'unicode-casemap.ts runs of 30 marks', hostile: pad('', 'a' + '\u0316\u0301'.repeat(15)), benign: 'é'.repeat(SIZE), run: (s) => unicodeCasemap(s) },
  { name: 'unicode-casemap.ts ß between letters', hostile: pad('', 'ßa'), benign: 'é'.repeat(SIZE), run: (s) => unicodeCasemap(s) },
];

for (const c of cases) {
  test(`linear: ${c.name}`, () => {
    cost(() => c.run(c.benign)); // warm-up: compile paths before timing
    const benign = cost(() => c.run(c.benign));
    const hostile = cost(() => c.run(c.hostile));
    const ratio = hostile / benign;
    assert.ok(ratio < MAX_RATIO, `${c.name}: hostile ${hostile.toFixed(1)} ms vs benign ${benign.toFixed(1)} ms (×${ratio.toFixed(1)})`);
  });
}

test('beginOrEnd: same answers as the expression it replaces', () => {
  const old = (s: string) => {
    const m = /^(BEGIN|END):[ \t]*(.*?)[ \t]*$/i.exec(s);
    return m ? { begin: m[1]!.toUpperCase() === 'BEGIN', type: m[2]!.toUpperCase() } : null;
  };
  for (const s of ['BEGIN:VEVENT', 'end:valarm', 'BEGIN: \tVTODO \t', 'BEGIN:', 'END:\t', 'BEGINX:A', 'BEGIN;X:A', 'SUMMARY:BEGIN:A', 'BEGIN:A\u2028', 'BEGIN:A\rB', 'BEGIN:  a b  ', 'BEG', 'END:V\u2029'])
    assert.equal(beginOrEnd(s), old(s), JSON.stringify(s));
});

test.run();
