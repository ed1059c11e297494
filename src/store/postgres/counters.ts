// Windowed counters (../counters.ts) in PostgreSQL: each bump is one atomic upsert statement, run
// outside tx(): it needs neither the write lock nor the sequence, and a password guesser must not
// queue behind (or hold up) the writes of everyone else.
import { COUNTER_PRUNE_INTERVAL_MS, type Counter, type CounterStore } from '../counters.js';
import { sql, type Connection } from './connection.js';
import { PART_IDS } from './cache-parts.js';

// Each write moves the counters' write version (cache-parts.ts) in the same statement
// (read-cache.ts; 004_write_versions.sql).
const MOVE = `WITH moved AS (UPDATE write_version SET value = value + 1 WHERE id = ${PART_IDS.counters})`;
const BUMP = sql(`
  ${MOVE}
  INSERT INTO counters (key, count, expires_at) VALUES (@key, 1, @until)
  ON CONFLICT (key) DO UPDATE SET count = CASE WHEN counters.expires_at > @now THEN counters.count + 1 ELSE 1 END, expires_at = @until
  RETURNING count`);
// Two statements, not one: a row may not be updated and deleted by one statement. The delete
// takes only a row still at zero, so a bump by another process in between is kept.
const UNBUMP = sql(`
  ${MOVE}
  UPDATE counters SET count = count - 1, expires_at = CASE WHEN expires_at = @until THEN COALESCE(@previous::bigint, expires_at) ELSE expires_at END
  WHERE key = @key AND expires_at > @now AND count > 0
  RETURNING count`);
const REMOVE_EMPTY = sql(`${MOVE} DELETE FROM counters WHERE key = ? AND count <= 0`);
const GET = sql('SELECT key, count, expires_at AS until FROM counters WHERE key = ANY(?::text[]) AND expires_at > ?');
const SET = sql(`${MOVE} INSERT INTO counters (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, expires_at = excluded.expires_at`);
const REMOVE = sql(`${MOVE} DELETE FROM counters WHERE key = ?`);
const PRUNE = sql('DELETE FROM counters WHERE expires_at <= ?');

/** The CounterStore of a PostgreSQL store. */
export function counterStore(conn: Connection): CounterStore {
  let pruned = 0;
  return {
    async bumpCounters(keys, until, now = Date.now()) {
      if (now - pruned > COUNTER_PRUNE_INTERVAL_MS) {
        pruned = now;
        await conn.run(PRUNE, [now]);
      }
      const out: number[] = [];
      for (const key of keys) out.push((await conn.value<number>(BUMP, { key, until, now }))!);
      return out;
    },
    async unbumpCounters(keys, until, previousUntil, now = Date.now()) {
      for (const [i, key] of keys.entries()) {
        const left = await conn.value<number>(UNBUMP, { key, until, previous: previousUntil[i] ?? null, now });
        if (left === 0) await conn.run(REMOVE_EMPTY, [key]);
      }
    },
    async getCounters(keys, now = Date.now()) {
      if (keys.length === 0) return [];
      // One round trip for all keys (the login check reads three on every request).
      const rows = await conn.rows<Counter & { key: string }>(GET, [keys, now]);
      return keys.map((k) => {
        const r = rows.find((x) => x.key === k);
        return r ? { count: r.count, until: r.until } : null;
      });
    },
    async setCounter(key, count, until) {
      await conn.run(SET, [key, count, until]);
    },
    async deleteCounter(key) {
      await conn.run(REMOVE, [key]);
    },
  };
}
