// The generators that stream the answers of the requests clients send all the time (multiget,
// sync-collection, PROPFIND, any streamed multistatus or body) are module-level functions, never
// closures inside a handler. V8 keeps a generator's function context from the generator object
// after it finishes, and the object outlives the young generation: a closure kept its request's
// whole scope alive into the old generation, and DAVx⁵'s initial sync spent a quarter of its
// server CPU on the collections that followed (docs/architecture.md, docs/performance.md "A
// generator kept every multiget alive"). A closure generator is easy to write back by accident,
// and nothing else would fail; this test reads the sources.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packageRoot } from '../../src/package-root.js';

const FILES = ['src/dav/reports/multiget.ts', 'src/dav/reports/sync-collection.ts', 'src/dav/methods/propfind.ts', 'src/dav/multistatus.ts', 'src/http/adapter.ts', 'src/dav/row-listing.ts', 'src/dav/methods/get.ts', 'src/dav/reports/expand-property.ts'];

/** Lines that declare or create a generator function other than at the start of a line. */
function nestedGenerators(text: string): string[] {
  return text.split('\n').filter((line) => /function\s*\*/.test(line) && !/^(?:export\s+)?(?:async\s+)?function\s*\*/.test(line) && !/^\s*(?:\/\/|\*)/.test(line));
}

test('the generators of the hot paths are declared at module level', () => {
  const root = packageRoot();
  for (const f of FILES) {
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    assert.equal(nestedGenerators(text), [], `${f}: a generator inside a function`);
  }
});

test('the check finds a generator written inside a function', () => {
  assert.equal(nestedGenerators('export async function h() {\n  async function* entries() {}\n  return entries();\n}\n'), ['  async function* entries() {}']);
  assert.equal(nestedGenerators('  return Readable.from((async function* () {\n'), ['  return Readable.from((async function* () {']);
  assert.equal(nestedGenerators('async function* top(a) {}\nexport function* two() {}\n'), []);
});

test.run();
