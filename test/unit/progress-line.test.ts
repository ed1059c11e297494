// The import progress line (src/cli/import.ts progressLine): on a terminal one "\r"-rewritten line,
// throttled to 100 ms but always showing the last step, cleared at the end; nothing otherwise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { progressLine } from '../../src/cli/import.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

test('on a terminal: the first step, throttled middle steps, the final step, then the line is cleared', () => {
  const { stream, written } = fakeStream(true);
  const p = progressLine(stream, 'Importing into personal:');
  p.update(1, 400);
  for (let i = 2; i < 400; i++) p.update(i, 400); // all within 100 ms of the first: suppressed
  p.update(400, 400);
  p.end();
  assert.equal(written, ['\rImporting into personal: 1/400 (0%)', '\rImporting into personal: 400/400 (100%)', '\r\x1b[K']);
});

test('an empty import shows 0/0 as 100%', () => {
  const { stream, written } = fakeStream(true);
  const p = progressLine(stream, 'Importing:');
  p.update(0, 0);
  p.end();
  assert.equal(written, ['\rImporting: 0/0 (100%)', '\r\x1b[K']);
});

test('not a terminal (a pipe, a log file): nothing is written', () => {
  const { stream, written } = fakeStream(false);
  const p = progressLine(stream, 'Importing:');
  p.update(1, 2);
  p.update(2, 2);
  p.end();
  assert.equal(written, []);
});

test.run();
