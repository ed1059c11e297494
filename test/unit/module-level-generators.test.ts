// Every generator of the server — those that stream the answers of multiget, sync-collection,
// PROPFIND, addressbook-query, any streamed multistatus or body — is a module-level function,
// never a closure inside a handler. V8 keeps a generator's function context from the generator object
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

/** Every TypeScript file under src/: no generator of the server is written as a closure any more. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Lines that declare or create a generator function other than at the start of a line. */
function nestedGenerators(text: string): string[] {
  return text.split('\n').filter((line) => /function\s*\*/.test(line) && !/^(?:export\s+)?(?:async\s+)?function\s*\*/.test(line) && !/^\s*(?:\/\/|\*)/.test(line));
}

test('every generator of the server is declared at module level', () => {
  const files = sourceFiles(path.join(packageRoot(), 'src'));
  assert.ok(files.length > 100 && files.some((f) => f.endsWith(path.join('reports', 'multiget.ts'))), 'the sources were found');
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    assert.equal(nestedGenerators(text), [], `${f}: a generator inside a function`);
  }
});

test('the check finds a generator written inside a function', () => {
  assert.equal(nestedGenerators('export async function h() {\n  async function* entries() {}\n  return entries();\n}\n'), ['  async function* entries() {}']);
  assert.equal(nestedGenerators('  return Readable.from((async function* () {\n'), ['  return Readable.from((async function* () {']);
  assert.equal(nestedGenerators('async function* top(a) {}\nexport function* two() {}\n'), []);
});

test.run();
