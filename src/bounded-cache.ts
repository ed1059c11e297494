// LRU caches bounded by a number of entries whose storage grows with use. lru-cache preallocates
// its index arrays for `max` entries at construction (`max` of 100,000 with a TTL is ~5 MB of
// arrays before the first entry); the same bound given as `maxSize` with every entry counted as 1
// is allocated as entries arrive. Measured on an idle server: the session, throttle, credential
// and verdict caches held 8 MB of empty arrays, kept for the process's life (docs/performance.md).
import { LRUCache } from 'lru-cache';

type Options<K extends {}, V extends {}> = Omit<LRUCache.Options<K, V, unknown>, 'max' | 'maxSize' | 'sizeCalculation'>;

/** An LRU cache of at most `entries` entries (plus any other lru-cache option, such as `ttl`). */
export function boundedCache<K extends {}, V extends {}>(entries: number, options: Options<K, V> = {}): LRUCache<K, V> {
  return new LRUCache<K, V>({ ...options, maxSize: entries, sizeCalculation: () => 1 } as LRUCache.Options<K, V, unknown>);
}
