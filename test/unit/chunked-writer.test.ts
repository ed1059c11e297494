// xml/chunked-writer.ts and the multistatus writer with pre-encoded properties (cached
// calendar-data as UTF-8 Buffers): the bytes must be exactly those of the all-text rendering,
// whatever the mix of text and bytes, chunk boundaries and multi-byte characters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CALDAV, DAV } from '../../src/xml/names.js';
import { parseXml, textOf } from '../../src/xml/parse.js';
import { CHUNK_BYTES, ChunkedWriter, joinChunks, type Chunk } from '../../src/xml/chunked-writer.js';
import { multistatusEnd, multistatusStart, propertyBytes, responseXml, type ResponseEntry } from '../../src/xml/serialize.js';
import { multistatus } from '../../src/dav/multistatus.js';

const bytesOf = (chunks: readonly Chunk[]): Buffer => Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));

test('text only stays text: one string when it fits, chunks of at least 64 KB otherwise', () => {
  const w = new ChunkedWriter();
  w.text('<a>');
  w.text('é ✓ 🎉');
  w.text('</a>');
  const small = w.takeAll();
  assert.equal(small, ['<a>é ✓ 🎉</a>']);
  const big = new ChunkedWriter();
  const piece = 'x'.repeat(1000);
  for (let i = 0; i < 200; i++) big.text(piece);
  const chunks = big.takeAll();
  assert.ok(chunks.length >= 2 && chunks.every((c) => typeof c === 'string'));
  assert.is(chunks.join(''), piece.repeat(200));
});

test('mixed text and bytes: the same bytes as the text, across chunk boundaries and multi-byte text', () => {
  const w = new ChunkedWriter();
  let expected = '';
  const add = (s: string, asBytes: boolean) => {
    expected += s;
    if (asBytes) w.bytes(Buffer.from(s, 'utf8'));
    else w.text(s);
  };
  add('<head>', false);
  for (let i = 0; i < 400; i++) {
    add(`<r i="${i}">é${'ü'.repeat(i % 50)}✓`, false);
    add(`<cal:calendar-data>${'🎉'.repeat(i % 7)}${'y'.repeat(300 + (i * 37) % 3000)}</cal:calendar-data>`, true);
    if (i % 97 === 0) add('z'.repeat(CHUNK_BYTES / 3), true); // large: passed on as its own chunk
    if (i % 131 === 0) add('ß'.repeat(CHUNK_BYTES / 2), false); // text longer than a chunk in bytes
  }
  add('</head>', false);
  const chunks = w.takeAll();
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  assert.ok(bytesOf(chunks).equals(Buffer.from(expected, 'utf8')));
  for (const c of chunks) if (Buffer.isBuffer(c)) assert.ok(c.length <= Math.max(CHUNK_BYTES, CHUNK_BYTES / 2 * 3));
  const joined = joinChunks(chunks);
  assert.ok(Buffer.isBuffer(joined) && joined.equals(Buffer.from(expected, 'utf8')));
});

test('takeFull hands out completed chunks only; takeAll the rest', () => {
  const w = new ChunkedWriter();
  w.bytes(Buffer.from('a'.repeat(1000)));
  assert.equal(w.takeFull(), []);
  for (let i = 0; i < 70; i++) w.bytes(Buffer.from('b'.repeat(1000)));
  const full = w.takeFull();
  assert.is(full.length, 1);
  const rest = w.takeAll();
  assert.is(bytesOf([...full, ...rest]).toString(), 'a'.repeat(1000) + 'b'.repeat(70_000));
  assert.equal(w.takeAll(), []);
});

test('a multistatus with calendar-data as propertyBytes equals the one with the text', async () => {
  const data = (i: number) => `BEGIN:VCALENDAR\r\nSUMMARY:Réunion <${i}> & 🎉\r\nEND:VCALENDAR\r\n`;
  const entries = (encoded: boolean): ResponseEntry[] => Array.from({ length: 300 }, (_, i) => ({
    href: `/dav/calendars/ann/my cal/ev ${i}.ics`,
    propstats: [{ status: 200, props: [{ name: DAV.getetag, value: `"e${i}"` }, { name: CALDAV.calendarData, value: encoded ? propertyBytes(CALDAV.calendarData, data(i)) : data(i) }] }],
  }));
  const text = multistatusStart() + entries(false).map(responseXml).join('') + multistatusEnd();
  const whole = multistatus(entries(true)).body;
  assert.ok(Buffer.isBuffer(whole));
  assert.is((whole as Buffer).toString('utf8'), text);
  // Streamed (an iterable): the same bytes.
  const streamed = multistatus(entries(true)[Symbol.iterator]()).body as AsyncIterable<string | Buffer>;
  const parts: Chunk[] = [];
  for await (const c of streamed) parts.push(c);
  assert.is(bytesOf(parts).toString('utf8'), text);
  // And it parses, with the CRLF of the data intact.
  const doc = parseXml(text);
  const first = doc.children[0]!.children.find((c) => c.name === DAV.propstat)!.children[0]!.children[1]!;
  assert.is(textOf(first), data(0));
});

test.run();
