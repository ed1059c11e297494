// The reads every request makes, kept in memory between writes (issue 18 item 3): a getctag poll
// read the throttle counters, the credentials, the device policy and the calendar instance — four
// round trips — before answering from the instance; with this cache a repeated poll makes one
// (refresh). The SQLite store keeps the same reads until any write (store/sqlite/connection.ts
// readCache); here the cache has parts (cache-parts.ts: accounts, collections, counters) and a
// part is kept until a write of any process on the schema touches one of its tables.
//
// Rules that keep it correct (docs/architecture.md "Cache rules with several processes"):
// - each request starts with refresh(): one read of the rows of `write_version`, one per part,
//   which every write transaction moves for the parts it wrote as it commits (and every counter
//   write for the counters); a part whose version moved is dropped. So a request sees every write
//   committed before it began, whichever process made it — the notification of such a write may
//   still be on its way (measured: a share revoked on one process was still served by the other
//   on a loaded machine before this rule);
// - between requests, and for reads outside a request, the cluster events (notifications.ts)
//   empty the parts each write's notification names (its 'data-changed' event; a typed event
//   its own part; a 'write' or an unknown event every part);
// - used only while the listening connection is up (`events.live`); when it breaks or comes
//   back, everything is dropped and reads go to the database;
// - a read under way when its part is emptied is not kept (the generation check): its rows may
//   predate the write that emptied them;
// - this process's own writes empty the parts at commit, before the write returns; one that
//   wrote members only, with no other process's write since the last refresh, moves the counters
//   of the cached instances instead (patchInstances);
// - values are frozen, shared by every caller (as on SQLite).
import type { Store } from '../types.js';
import type { ClusterEvents, OwnCommit } from '../cluster-events.js';
import type { CalendarInstance } from '../instances.js';
import { ALL_PARTS, partsOfEvent, type CachePart } from './cache-parts.js';

/** Entries per cache; a full cache is emptied (the next reads refill it). */
const MAX_ENTRIES = 2000;
/** The most changes a cached sync answer holds (2000 entries of 32 rows: a few MB at most). */
const MAX_SYNC_CHANGES = 32;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** How often each part was emptied (tests: a calendar write must leave the accounts part alone). */
export type ReadCacheStats = Record<CachePart, number>;

/**
 * `store` with its hot reads cached, invalidated by `events` and by `readVersions` (the rows of
 * write_version, by part) in refresh().
 */
export function withReadCache(store: Store, events: ClusterEvents, readVersions: () => Promise<ReadonlyMap<CachePart, number>>): Store & { readCacheStats: ReadCacheStats } {
  // One generation per part: a failed login need not empty the credentials, a calendar write
  // need not empty the credentials nor the counters.
  type Group = { gen: number; maps: Map<string, unknown>[] };
  const groups = Object.fromEntries(ALL_PARTS.map((p) => [p, { gen: 0, maps: [] as Map<string, unknown>[] }])) as Record<CachePart, Group>;
  const readCacheStats = Object.fromEntries(ALL_PARTS.map((p) => [p, 0])) as ReadCacheStats;
  const clear = (p: CachePart) => {
    const c = groups[p];
    c.gen++;
    for (const m of c.maps) m.clear();
    readCacheStats[p]++;
  };
  const clearAll = () => {
    for (const p of ALL_PARTS) clear(p);
  };
  const { accounts, collections, counters } = groups;
  /** getInstance's entries (patchInstances moves their counters). */
  const instances = new Map<string, CalendarInstance | null>();
  /** The write version of each part as of the last refresh (or this process's own write since). */
  const versions = new Map<CachePart, number>();

  /**
   * This process's own write of members only (OwnCommit.counterMoves not null): when its commit
   * left the collections part's version one past the one last read, no other process wrote since,
   * so every cached instance is what the database holds but for the counters this write moved —
   * moved here instead of dropping every instance. The sync-collection and the poll that follow a
   * client's PUTs then need no read of the instance (one round trip less: issue 18 item 6). The
   * other entries of the part (sync answers) are dropped, and reads under way are not kept (gen).
   * Anything else — another process's write in between, a version not returned — drops the part.
   */
  const patchInstances = (own: OwnCommit): boolean => {
    const v = own.versions.get('collections');
    const known = versions.get('collections');
    if (own.counterMoves === null || v === undefined || known === undefined || v !== known + 1) return false;
    collections.gen++;
    for (const m of collections.maps) if (m !== instances) m.clear();
    if (own.counterMoves.length > 0) {
      const moved = new Map<number, { seq: number; delta: number; at: string }>();
      for (const m of own.counterMoves) {
        const c = moved.get(m.collectionId);
        moved.set(m.collectionId, { seq: m.seq, delta: (c?.delta ?? 0) + m.countDelta, at: m.modifiedAt });
      }
      for (const [key, inst] of instances) {
        const m = inst && moved.get(inst.collection.id);
        if (!m) continue;
        instances.set(key, deepFreeze({ ...inst, collection: { ...inst.collection, syncSeq: m.seq, objectCount: inst.collection.objectCount + m.delta, modifiedAt: m.at } }));
      }
    }
    versions.set('collections', v);
    return true;
  };
  events.subscribe((e, own) => {
    for (const p of partsOfEvent(e)) {
      // Own events of a members-only write: the part is patched once, on its data-changed event.
      if (p === 'collections' && own?.counterMoves) {
        if (e.type === 'data-changed' && !patchInstances(own)) clear(p);
        continue;
      }
      clear(p);
    }
  });
  events.onReset(clearAll);

  /** `keep` (absent = always): whether a value read is small enough to be kept; `entries`: where (a map of its own by default). */
  function cached<A extends unknown[], V>(group: Group, load: (...args: A) => Promise<V>, keyOf: (...args: A) => string, keep?: (v: V) => boolean, entries = new Map<string, V>()): (...args: A) => Promise<V> {
    group.maps.push(entries);
    return async (...args: A) => {
      if (!events.live) return load(...args);
      const key = keyOf(...args);
      const hit = entries.get(key);
      if (hit !== undefined || entries.has(key)) return hit as V;
      const gen = group.gen;
      const v = deepFreeze(await load(...args));
      if (gen === group.gen && events.live && (keep === undefined || keep(v))) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(key, v);
      }
      return v;
    };
  }

  const readCounters = store.getCounters.bind(store);
  const getCounters = cached(counters, (keys: readonly string[]) => readCounters(keys, 0), (keys) => JSON.stringify(keys));
  const changedCounters = () => events.publish({ type: 'counters-changed' });

  const readAndApply = async () => {
    const now = await readVersions();
    for (const p of ALL_PARTS) {
      const v = now.get(p) ?? -1; // a row missing: always dropped
      if (v === -1 || v !== versions.get(p)) {
        versions.set(p, v);
        clear(p);
      }
    }
  };
  /** The read every refresh() call since it was scheduled will share; null once sent. */
  let batch: Promise<void> | null = null;

  return Object.assign(store, {
    readCacheStats,
    // The requests that begin in one turn of the event loop (polling clients' requests arrive
    // together) share one read, sent at the end of that turn (setImmediate): it is sent after
    // each of them began, so each still sees every write committed before it began. A request
    // beginning once the read is sent waits for the next one. One read instead of one per request:
    // 16 concurrent polls made one round trip each (issue 18 item 6).
    refresh() {
      batch ??= new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          batch = null;
          readAndApply().then(resolve, reject);
        });
      });
      return batch;
    },
    getCredentials: cached(accounts, store.getCredentials.bind(store), (username) => username),
    findDeviceByToken: cached(accounts, store.findDeviceByToken.bind(store), (hash) => hash),
    getDevicePolicy: cached(accounts, store.getDevicePolicy.bind(store), (userId) => String(userId)),
    getInstance: cached(collections, store.getInstance.bind(store), (userId, uri, home = 'calendars') => JSON.stringify([userId, home, uri]), undefined, instances),
    // A sync-collection from a token (RFC 6578) reads the collection, its change log and its
    // objects: all tables of the collections part, so the answer holds until that part moves. The
    // most frequent sync, a client's periodic one from its current token, then answers from here
    // without a round trip, as a poll does. Answers of many changes (an old token) are not kept:
    // an entry holds at most MAX_SYNC_CHANGES rows.
    changedMetasSince: cached(collections, store.changedMetasSince.bind(store), (collectionId, seq) => `${collectionId}:${seq}`, (set) => set.changes.length <= MAX_SYNC_CHANGES),
    // Counters are kept with every row, ended or not (now = 0), and filtered when read: a window
    // ending needs no event.
    async getCounters(keys: readonly string[], now = Date.now()) {
      return (await getCounters(keys)).map((c) => (c !== null && c.until > now ? c : null));
    },
    bumpCounters: publishing(store.bumpCounters.bind(store), changedCounters),
    unbumpCounters: publishing(store.unbumpCounters.bind(store), changedCounters),
    setCounter: publishing(store.setCounter.bind(store), changedCounters),
    deleteCounter: publishing(store.deleteCounter.bind(store), changedCounters),
  });
}

/** A counter write followed by its event (counter writes run outside tx(), which would send it). */
function publishing<A extends unknown[], V>(write: (...args: A) => Promise<V>, changed: () => Promise<void>): (...args: A) => Promise<V> {
  return async (...args: A) => {
    const v = await write(...args);
    await changed();
    return v;
  };
}
