// Windowed counters (../counters.ts) in SQLite: one upsert per key in one write transaction.
import { COUNTER_PRUNE_INTERVAL_MS, type Counter, type CounterStore } from '../counters.js';
import type { Connection } from './connection.js';

/** The CounterStore of a SQLite store. */
export function counterStore(conn: Connection): CounterStore {
  const { db } = conn;
  const bump = db.prepare(`
    INSERT INTO counters (key, count, expires_at) VALUES (@key, 1, @until)
    ON CONFLICT (key) DO UPDATE SET count = CASE WHEN counters.expires_at > @now THEN counters.count + 1 ELSE 1 END, expires_at = @until
    RETURNING count`).pluck();
  const unbump = db.prepare(`
    UPDATE counters SET count = count - 1, expires_at = CASE WHEN expires_at = @until THEN COALESCE(@previous, expires_at) ELSE expires_at END
    WHERE key = @key AND expires_at > @now AND count > 0`);
  const removeEmpty = db.prepare('DELETE FROM counters WHERE key = ? AND count <= 0');
  const get = db.prepare('SELECT count, expires_at AS until FROM counters WHERE key = ?');
  // Every authenticated request reads three counters (auth/throttle.ts), and they change only on
  // a failed login or a day's trust mark: cached until any write, by anyone (connection.ts
  // readCache), expiry applied on reading.
  const cache = conn.readCache<Counter | null>(1000);
  const set = db.prepare('INSERT INTO counters (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, expires_at = excluded.expires_at');
  const remove = db.prepare('DELETE FROM counters WHERE key = ?');
  const prune = db.prepare('DELETE FROM counters WHERE expires_at <= ?');
  let pruned = 0;
  return {
    async bumpCounters(keys, until, now = Date.now()) {
      return conn.write(() => {
        if (now - pruned > COUNTER_PRUNE_INTERVAL_MS) {
          prune.run(now);
          pruned = now;
        }
        return keys.map((key) => bump.get({ key, until, now }) as number);
      });
    },
    async unbumpCounters(keys, until, previousUntil, now = Date.now()) {
      conn.write(() => {
        keys.forEach((key, i) => {
          unbump.run({ key, until, previous: previousUntil[i] ?? null, now });
          removeEmpty.run(key);
        });
      });
    },
    async getCounters(keys, now = Date.now()) {
      return keys.map((key) => {
        const c = cache.get(key, () => (get.get(key) as Counter | undefined) ?? null);
        return c !== null && c.until > now ? c : null;
      });
    },
    async setCounter(key, count, until) {
      conn.write(() => set.run(key, count, until));
    },
    async deleteCounter(key) {
      conn.write(() => remove.run(key));
    },
  };
}
