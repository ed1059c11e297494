// The query engine's renderings (dav/query/engine.ts) are bounded in bytes with each entry's key
// and overhead counted: small renderings of objects with long names (a name may be 255
// characters) held several times the 16 MB budget when only their bytes counted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QueryEngine } from '../../src/dav/query/engine.js';

test('small responses under long keys: the cache keeps at most what its budget pays for, key and overhead counted', () => {
  const engine = new QueryEngine();
  const name = `${'n'.repeat(240)}.ics`;
  const bytes = Buffer.from('<r/>');
  const perEntry = bytes.length + QueryEngine.ENTRY_BYTES + name.length;
  const cap = Math.floor((16 * 1024 * 1024) / perEntry);
  for (let i = 0; i < 2 * cap; i++) engine.cacheResponse({ collectionId: 1, name: `${i}${name}`, etag: `"${i}"` }, 'k', bytes);
  assert.ok(engine.renderingEntries <= cap, `${engine.renderingEntries} entries kept (at most ${cap})`);
  assert.ok(engine.renderingEntries > cap / 2, `${engine.renderingEntries} entries: the cache still caches`);
});

test.run();
