// The reads every request makes, kept in memory between writes (issue 18 item 3): a getctag poll
// read the throttle counters, the credentials, the device policy and the calendar instance — four
// round trips — before answering from the instance; with this cache a repeated poll makes one
// (refresh). The SQLite store keeps the same reads until any write (store/sqlite/connection.ts
// readCache); here "any write" is any write of any process on the schema.
//
// Rules that keep it correct (docs/architecture.md "Cache rules with several processes"):
// - each request starts with refresh(): one read of `write_version`, which every write
//   transaction and every counter write moves as it commits; when it moved, everything cached is
//   dropped. So a request sees every write committed before it began, whichever process made it —
//   the notification of such a write may still be on its way (measured: a share revoked on one
//   process was still served by the other on a loaded machine before this rule);
// - between requests, and for reads outside a request, the cluster events (notifications.ts)
//   empty the caches as each write's notification arrives;
// - used only while the listening connection is up (`events.live`); when it breaks or comes
//   back, everything is dropped and reads go to the database;
// - a read under way when the caches are emptied is not kept (the generation check): its rows
//   may predate the write that emptied them;
// - this process's own writes empty the caches at commit, before the write returns;
// - values are frozen, shared by every caller (as on SQLite).
import type { Store } from '../types.js';
import type { ClusterEvents } from '../cluster-events.js';

/** Entries per cache; a full cache is emptied (the next reads refill it). */
const MAX_ENTRIES = 2000;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** `store` with its hot reads cached, invalidated by `events` and by `readVersion` (write_version) in refresh(). */
export function withReadCache(store: Store, events: ClusterEvents, readVersion: () => Promise<number>): Store {
  // One generation for the data caches, one for the counters: a counter bump (a failed login)
  // need not empty the credentials, and a calendar write need not empty the counters.
  const data = { gen: 0, maps: [] as Map<string, unknown>[] };
  const counters = { gen: 0, maps: [] as Map<string, unknown>[] };
  const clear = (c: typeof data) => {
    c.gen++;
    for (const m of c.maps) m.clear();
  };
  events.subscribe((e) => clear(e.type === 'counters-changed' ? counters : data));
  events.onReset(() => {
    clear(data);
    clear(counters);
  });

  function cached<A extends unknown[], V>(group: typeof data, load: (...args: A) => Promise<V>, keyOf: (...args: A) => string): (...args: A) => Promise<V> {
    const entries = new Map<string, V>();
    group.maps.push(entries);
    return async (...args: A) => {
      if (!events.live) return load(...args);
      const key = keyOf(...args);
      const hit = entries.get(key);
      if (hit !== undefined || entries.has(key)) return hit as V;
      const gen = group.gen;
      const v = deepFreeze(await load(...args));
      if (gen === group.gen && events.live) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(key, v);
      }
      return v;
    };
  }

  const readCounters = store.getCounters.bind(store);
  const getCounters = cached(counters, (keys: readonly string[]) => readCounters(keys, 0), (keys) => JSON.stringify(keys));
  const changedCounters = () => events.publish({ type: 'counters-changed' });
  let version = -1;

  return Object.assign(store, {
    async refresh() {
      const v = await readVersion();
      if (v !== version) {
        version = v;
        clear(data);
        clear(counters);
      }
    },
    getCredentials: cached(data, store.getCredentials.bind(store), (username) => username),
    findDeviceByToken: cached(data, store.findDeviceByToken.bind(store), (hash) => hash),
    getDevicePolicy: cached(data, store.getDevicePolicy.bind(store), (userId) => String(userId)),
    getInstance: cached(data, store.getInstance.bind(store), (userId, uri, home = 'calendars') => JSON.stringify([userId, home, uri])),
    // Counters are kept with every row, ended or not (now = 0), and filtered when read: a window
    // ending needs no event.
    async getCounters(keys: readonly string[], now = Date.now()) {
      return (await getCounters(keys)).map((c) => (c !== null && c.until > now ? c : null));
    },
    bumpCounters: publishing(store.bumpCounters.bind(store), changedCounters),
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
