// Write-side helper (not part of Store): keeps a user's instance of a collection in step with the
// group shares that reach them (migration 007, store/groups.ts). Called inside a write() after
// anything that may change what a user reaches through groups — joining, leaving, a group share
// added, changed or removed, a group deleted, a direct share removed.
import type { ChangeLog } from './changes.js';
import type { Connection } from './connection.js';
import type { Homes } from './instances.js';

export interface GroupAccess {
  /**
   * Brings the user's instance of the collection to what their groups give: added (with a free
   * uri), its access changed, or removed (with a home tombstone). A direct share (via_group = 0)
   * and the owner's instance are left alone. `seq` gives the write's sequence number, taken only
   * when something changes. Returns whether anything changed.
   */
  reconcile(userId: number, collectionId: number, seq: () => number): boolean;
}

/** The calendar's own uri if free in the user's home, else "<uri>-<owner>", then "-2", "-3"… */
export function freeUri(homes: Homes, userId: number, uri: string, ownerName: string): string {
  if (!homes.uriTaken(userId, uri)) return uri;
  const base = `${uri}-${ownerName.replace(/[/]/g, '_')}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!homes.uriTaken(userId, candidate)) return candidate;
  }
}

export function groupAccess(conn: Connection, log: ChangeLog, homes: Homes): GroupAccess {
  const { db } = conn;
  const current = db.prepare('SELECT uri, access, via_group AS viaGroup FROM instances WHERE user_id = ? AND collection_id = ?');
  const collection = db.prepare(`
    SELECT c.uri, c.owner_id AS ownerId, u.username AS ownerName FROM collections c JOIN users u ON u.id = c.owner_id WHERE c.id = ?`);
  // The best access the user's groups give: read-write over read.
  const best = db.prepare(`
    SELECT max(CASE gs.access WHEN 'read-write' THEN 2 ELSE 1 END) FROM group_shares gs
    JOIN group_members gm ON gm.group_id = gs.group_id
    WHERE gm.user_id = ? AND gs.collection_id = ?`).pluck();
  const insert = db.prepare(`
    INSERT INTO instances (user_id, collection_id, uri, access, sync_enabled, changed_seq, via_group) VALUES (?, ?, ?, ?, 1, ?, 1)`);
  const setAccess = db.prepare('UPDATE instances SET access = ?, changed_seq = ? WHERE user_id = ? AND collection_id = ?');
  const remove = db.prepare('DELETE FROM instances WHERE user_id = ? AND collection_id = ?');

  return {
    reconcile(userId, collectionId, seq) {
      const c = collection.get(collectionId) as { uri: string; ownerId: number; ownerName: string } | undefined;
      if (!c || c.ownerId === userId) return false;
      const row = current.get(userId, collectionId) as { uri: string; access: string; viaGroup: number } | undefined;
      if (row && row.viaGroup === 0) return false;
      const rank = best.get(userId, collectionId) as number | null;
      const access = rank === 2 ? 'read-write' : rank === 1 ? 'read' : null;
      if (access === null) {
        if (!row) return false;
        const s = seq();
        remove.run(userId, collectionId);
        log.tombstone(userId, row.uri, s);
        return true;
      }
      if (!row) {
        insert.run(userId, collectionId, freeUri(homes, userId, c.uri, c.ownerName), access, seq());
        return true;
      }
      if (row.access === access) return false;
      setAccess.run(access, seq(), userId, collectionId);
      return true;
    },
  };
}
