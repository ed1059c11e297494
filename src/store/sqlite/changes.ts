// The change log behind sync tokens (RFC 6578) and getctag, and the home's tombstones.
// Collection token = collections.sync_seq; home token = max over the home's instances (see homeSeq).
import { InvalidSyncToken, NotFound } from '../errors.js';
import type { Change, ChangeSet, ChangeSetWithMetas, ChangeStore, HomeChange } from '../changes.js';
import type { Home } from '../collections.js';
import type { ObjectMeta } from '../objects.js';
import { bit, type Connection } from './connection.js';
import { META_COLUMNS, metaOfRaw } from './objects.js';

/** Write-side helpers, called inside a write() transaction with the seq of that write. */
export interface ChangeLog {
  /** Logs a change of member `name` ('' = the collection's own properties) and moves the collection's token. */
  record(collectionId: number, name: string, deleted: boolean, seq: number): void;
  /** The user's home `home` no longer lists `uri` (instance removed, renamed away or switched off). */
  tombstone(userId: number, home: Home, uri: string, seq: number): void;
}

export function changeLog({ db }: Connection): ChangeLog {
  const insert = db.prepare('INSERT INTO changes (seq, collection_id, name, deleted) VALUES (?, ?, ?, ?)');
  const bump = db.prepare('UPDATE collections SET sync_seq = ?, modified_at = ? WHERE id = ?');
  const tomb = db.prepare('INSERT INTO home_changes (seq, user_id, home, uri, removed) VALUES (?, ?, ?, ?, 1)');
  return {
    record(collectionId, name, deleted, seq) {
      insert.run(seq, collectionId, name, bit(deleted));
      bump.run(seq, new Date().toISOString(), collectionId);
    },
    tombstone(userId, home, uri, seq) {
      tomb.run(seq, userId, home, uri);
    },
  };
}


/** The ChangeStore of a SQLite store (../changes.ts). */
export function changeStore({ db }: Connection): ChangeStore {
  const bounds = db.prepare('SELECT sync_seq AS seq, pruned_below AS floor FROM collections WHERE id = ?');
  // Latest row per name: SQLite takes the bare columns from the row holding max(id).
  const since = db.prepare(`
    SELECT name, seq, deleted, max(id) AS id FROM changes
    WHERE collection_id = ? AND seq > ? AND name <> ''
    GROUP BY name ORDER BY seq, name`);
  // The same with each live member's object row (raw mode: the META columns first, for metaOfRaw,
  // then the change): one statement instead of a getObjectMeta per changed member.
  const sinceWithMetas = db.prepare(`
    SELECT ${META_COLUMNS.map((c) => `o.${c}`).join(', ')}, l.name, l.seq, l.deleted FROM (
      SELECT name, seq, deleted, max(id) AS id FROM changes
      WHERE collection_id = @c AND seq > @s AND name <> ''
      GROUP BY name) l
    LEFT JOIN objects o ON l.deleted = 0 AND o.collection_id = @c AND o.name = l.name
    ORDER BY l.seq, l.name`).raw();
  const at = META_COLUMNS.length;
  const home = db.prepare(`
    SELECT max(
      coalesce((SELECT max(changed_seq) FROM instances WHERE user_id = @u AND home = @home), 0),
      coalesce((SELECT max(c.sync_seq) FROM instances i JOIN collections c ON c.id = i.collection_id
                WHERE i.user_id = @u AND i.home = @home AND i.sync_enabled = 1), 0),
      coalesce((SELECT max(seq) FROM home_changes WHERE user_id = @u AND home = @home), 0))`).pluck();
  // A uri listed now (sync on) is left out: re-listing always gives it a newer changed_seq.
  const floor = db.prepare('SELECT floor FROM sequence WHERE id = 1').pluck();
  const tombs = db.prepare(`
    SELECT uri, max(seq) AS seq FROM home_changes h
    WHERE user_id = @u AND home = @home AND seq > @s
      AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.user_id = @u AND i.home = @home AND i.uri = h.uri AND i.sync_enabled = 1)
    GROUP BY uri ORDER BY seq, uri`);

  /** The token's bounds: RFC 6578 §3.2 valid-sync-token, NotFound for an unknown collection. */
  const checked = (collectionId: number, seq: number): number => {
    const b = bounds.get(collectionId) as { seq: number; floor: number } | undefined;
    if (!b) throw new NotFound(`collection ${collectionId}`);
    // RFC 6578 §3.2: a token from the future, from before the collection existed or from a
    // pruned stretch of the log cannot be answered exactly -> valid-sync-token.
    if (!Number.isInteger(seq) || seq > b.seq || seq < b.floor) {
      throw new InvalidSyncToken(`sync token ${seq} unknown for collection ${collectionId}`);
    }
    return b.seq;
  };

  return {
    async changesSince(collectionId, seq): Promise<ChangeSet> {
      const current = checked(collectionId, seq);
      const rows = since.all(collectionId, seq) as { name: string; seq: number; deleted: number }[];
      const changes: Change[] = rows.map((r) => ({ name: r.name, deleted: r.deleted === 1, seq: r.seq }));
      return { seq: current, changes };
    },
    async changedMetasSince(collectionId, seq): Promise<ChangeSetWithMetas> {
      const current = checked(collectionId, seq);
      const changes: Change[] = [];
      const metas: ObjectMeta[] = [];
      for (const r of sinceWithMetas.all({ c: collectionId, s: seq }) as unknown[][]) {
        changes.push({ name: r[at] as string, seq: r[at + 1] as number, deleted: r[at + 2] === 1 });
        if (r[0] !== null) metas.push(metaOfRaw(r));
      }
      return { seq: current, changes, metas };
    },
    async homeSeq(userId, h = 'calendars') {
      return home.get({ u: userId, home: h }) as number;
    },
    async homeChangesSince(userId, seq, h = 'calendars'): Promise<HomeChange[]> {
      // A token from before a restore (sequence.floor, migration 004) cannot be answered exactly:
      // the homes it describes may hold calendars the restored database never had.
      if (!Number.isInteger(seq) || seq < (floor.get() as number)) throw new InvalidSyncToken(`sync token ${seq} predates a restore`);
      const rows = tombs.all({ u: userId, s: seq, home: h }) as { uri: string; seq: number }[];
      return rows.map((r) => ({ uri: r.uri, removed: true, seq: r.seq }));
    },
  };
}
