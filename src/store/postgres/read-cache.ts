// The reads every request makes, kept in memory between writes (issue 18 item 3): a getctag poll
// read the throttle counters, the credentials, the device policy and the calendar instance — four
// round trips — before answering from the instance; with this cache a repeated poll makes none.
// The SQLite store keeps the same reads until any write (store/sqlite/connection.ts readCache);
// here "any write" is any write of any process on the schema, learnt from the cluster events
// (notifications.ts): every write transaction NOTIFYs, and each event empties these caches.
//
// Rules that keep it correct (docs/architecture.md "Cache rules with several processes"):
// - used only while the listening connection is up (`events.live`); when it breaks or comes
//   back, everything is dropped (events may have been missed) and reads go to the database;
// - a read that was under way when an event arrived is not kept (the generation check): its rows
//   may predate that write;
// - this process's own writes empty the caches at commit, before the write returns;
// - values are frozen, shared by every caller (as on SQLite).
// Known race: another process's write is seen here once its notification has arrived — typically
// well under a millisecond after its COMMIT, but not bounded; a request served in between gets
// the state from before that write (as if it had come a moment earlier).
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

/** `store` with its hot reads cached, invalidated by `events`. */
export function withReadCache(store: Store, events: ClusterEvents): Store {
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

  return Object.assign(store, {
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
