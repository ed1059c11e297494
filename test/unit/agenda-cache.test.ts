// The agenda's cache of instances (services/events.ts AgendaCache) is bounded in bytes, each entry
// counted with its overhead: empty entries (a calendar without events in the range) were counted
// as 1 byte, so a user with many empty calendars asking for ranges moved by a second added
// ~350 bytes of heap per calendar and request, towards 32 million entries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AgendaCache } from '../../src/services/events.js';
import type { CalendarInstance } from '../../src/store/types.js';

const instance = (id: number) => ({ collection: { id, syncSeq: 1 } }) as unknown as CalendarInstance;

test('empty entries count with their overhead: the cache keeps at most MAX_BYTES / ENTRY_BYTES of them', () => {
  const cache = new AgendaCache();
  const cap = AgendaCache.MAX_BYTES / AgendaCache.ENTRY_BYTES;
  for (let n = 0; n < 2 * cap; n++) {
    const key = cache.key(instance(n % 300), Date.UTC(2026, 0, 1) + 1000 * Math.floor(n / 300), Date.UTC(2026, 2, 1), 10_000);
    cache.set(key, { objects: [], skipped: 0 });
  }
  assert.ok(cache.entries <= cap, `${cache.entries} entries kept (at most ${cap})`);
  assert.ok(cache.entries > cap / 2, `${cache.entries} entries kept: the cache still caches`);
});

test.run();
