// The change log behind sync tokens (RFC 6578) and getctag, and the home's tombstones: the
// PostgreSQL twin of ../sqlite/changes.ts. Collection token = collections.sync_seq; home token =
// the largest of the home's instance changes, listed collections' tokens and tombstones.
import { InvalidSyncToken, NotFound } from '../errors.js';
import type { Change, ChangeSet, ChangeStore, HomeChange } from '../changes.js';
import type { Home } from '../collections.js';
import { bit, sql, type Connection, type Sql } from './connection.js';

/** Write-side helpers, called inside a tx() with the seq of that write. */
export interface ChangeLog {
  /** Logs a change of member `name` ('' = the collection's own properties) and moves the collection's token. */
  record(s: Sql, collectionId: number, name: string, deleted: boolean, seq: number): Promise<void>;
  /** The user's home `home` no longer lists `uri` (instance removed, renamed away or switched off). */
  tombstone(s: Sql, userId: number, home: Home, uri: string, seq: number): Promise<void>;
}

// The change row and the token move in one statement: one round trip per logged change.
const RECORD = sql(`
  WITH logged AS (INSERT INTO changes (seq, collection_id, name, deleted) VALUES (@seq, @c, @name, @deleted))
  UPDATE collections SET sync_seq = @seq, modified_at = @now WHERE id = @c`);
const TOMB = sql('INSERT INTO home_changes (seq, user_id, home, uri, removed) VALUES (?, ?, ?, ?, 1)');

export function changeLog(): ChangeLog {
  return {
    async record(s, collectionId, name, deleted, seq) {
      await s.run(RECORD, { seq, c: collectionId, name, deleted: bit(deleted), now: new Date().toISOString() });
      s.notify?.({ type: 'collection-changed', collectionId });
    },
    async tombstone(s, userId, home, uri, seq) {
      await s.run(TOMB, [seq, userId, home, uri]);
      s.notify?.({ type: 'home-changed', userId });
    },
  };
}

const BOUNDS = sql('SELECT sync_seq AS seq, pruned_below AS floor FROM collections WHERE id = ?');
// Latest row per name (SQLite takes bare columns from the max(id) row; here DISTINCT ON).
const SINCE = sql(`
  SELECT name, seq, deleted FROM (
    SELECT DISTINCT ON (name) name, seq, deleted FROM changes
    WHERE collection_id = ? AND seq > ? AND name <> ''
    ORDER BY name, id DESC) latest
  ORDER BY seq, name`);
const HOME = sql(`
  SELECT greatest(
    coalesce((SELECT max(changed_seq) FROM instances WHERE user_id = @u AND home = @home), 0),
    coalesce((SELECT max(c.sync_seq) FROM instances i JOIN collections c ON c.id = i.collection_id
              WHERE i.user_id = @u AND i.home = @home AND i.sync_enabled = 1), 0),
    coalesce((SELECT max(seq) FROM home_changes WHERE user_id = @u AND home = @home), 0))`);
const FLOOR = sql('SELECT floor FROM sequence WHERE id = 1');
// A uri listed now (sync on) is left out: re-listing always gives it a newer changed_seq.
const TOMBS = sql(`
  SELECT uri, max(seq) AS seq FROM home_changes h
  WHERE user_id = @u AND home = @home AND seq > @s
    AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.user_id = @u AND i.home = @home AND i.uri = h.uri AND i.sync_enabled = 1)
  GROUP BY uri ORDER BY seq, uri`);

/** The ChangeStore of a PostgreSQL store (../changes.ts). */
export function changeStore(conn: Connection): ChangeStore {
  return {
    async changesSince(collectionId, seq): Promise<ChangeSet> {
      const b = await conn.row<{ seq: number; floor: number }>(BOUNDS, [collectionId]);
      if (!b) throw new NotFound(`collection ${collectionId}`);
      // RFC 6578 §3.2: a token from the future, from before the collection existed or from a
      // pruned stretch of the log cannot be answered exactly -> valid-sync-token.
      if (!Number.isInteger(seq) || seq > b.seq || seq < b.floor) {
        throw new InvalidSyncToken(`sync token ${seq} unknown for collection ${collectionId}`);
      }
      const rows = await conn.rows<{ name: string; seq: number; deleted: number }>(SINCE, [collectionId, seq]);
      const changes: Change[] = rows.map((r) => ({ name: r.name, deleted: r.deleted === 1, seq: r.seq }));
      return { seq: b.seq, changes };
    },
    async homeSeq(userId, h = 'calendars') {
      return (await conn.value<number>(HOME, { u: userId, home: h }))!;
    },
    async homeChangesSince(userId, seq, h = 'calendars'): Promise<HomeChange[]> {
      // A token from before a restore or copy (sequence.floor) cannot be answered exactly.
      if (!Number.isInteger(seq) || seq < (await conn.value<number>(FLOOR))!) throw new InvalidSyncToken(`sync token ${seq} predates a restore`);
      const rows = await conn.rows<{ uri: string; seq: number }>(TOMBS, { u: userId, s: seq, home: h });
      return rows.map((r) => ({ uri: r.uri, removed: true, seq: r.seq }));
    },
  };
}
