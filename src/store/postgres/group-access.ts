// Write-side helper (not part of Store): keeps a user's instance of a collection in step with the
// group shares that reach them; the PostgreSQL twin of ../sqlite/group-access.ts.
import type { ChangeLog } from './changes.js';
import { sql, type Sql } from './connection.js';
import type { Home } from '../collections.js';
import type { Homes } from './instances.js';

export interface GroupAccess {
  /**
   * Brings the user's instance of the collection to what their groups give (added with a free
   * uri, access changed, or removed with a home tombstone); direct shares and the owner's instance
   * are left alone. `seq` gives the write's sequence number, taken only when something changes.
   */
  reconcile(s: Sql, userId: number, collectionId: number, seq: () => Promise<number>): Promise<boolean>;
}

/** The collection's own uri if free in the user's home of its kind, else "<uri>-<owner>", then "-2", "-3"… */
export async function freeUri(s: Sql, homes: Homes, userId: number, home: Home, uri: string, ownerName: string): Promise<string> {
  if (!(await homes.uriTaken(s, userId, home, uri))) return uri;
  const base = `${uri}-${ownerName.replace(/[/]/g, '_')}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await homes.uriTaken(s, userId, home, candidate))) return candidate;
  }
}

const CURRENT = sql('SELECT home, uri, access, via_group AS "viaGroup" FROM instances WHERE user_id = ? AND collection_id = ?');
const COLLECTION = sql(`
  SELECT c.home, c.uri, c.owner_id AS "ownerId", u.username AS "ownerName" FROM collections c JOIN users u ON u.id = c.owner_id WHERE c.id = ?`);
// The best access the user's groups give: read-write over read.
const BEST = sql(`
  SELECT max(CASE gs.access WHEN 'read-write' THEN 2 ELSE 1 END) FROM group_shares gs
  JOIN group_members gm ON gm.group_id = gs.group_id
  WHERE gm.user_id = ? AND gs.collection_id = ?`);
const INSERT = sql(`
  INSERT INTO instances (user_id, collection_id, home, uri, access, sync_enabled, changed_seq, via_group) VALUES (?, ?, ?, ?, ?, 1, ?, 1)`);
const SET_ACCESS = sql('UPDATE instances SET access = ?, changed_seq = ? WHERE user_id = ? AND collection_id = ?');
const REMOVE = sql('DELETE FROM instances WHERE user_id = ? AND collection_id = ?');

export function groupAccess(log: ChangeLog, homes: Homes): GroupAccess {
  return {
    async reconcile(s, userId, collectionId, seq) {
      const c = await s.row<{ home: Home; uri: string; ownerId: number; ownerName: string }>(COLLECTION, [collectionId]);
      if (!c || c.ownerId === userId) return false;
      const row = await s.row<{ home: Home; uri: string; access: string; viaGroup: number }>(CURRENT, [userId, collectionId]);
      if (row && row.viaGroup === 0) return false;
      const rank = (await s.value<number | null>(BEST, [userId, collectionId])) ?? null;
      const access = rank === 2 ? 'read-write' : rank === 1 ? 'read' : null;
      if (access === null) {
        if (!row) return false;
        const n = await seq();
        await s.run(REMOVE, [userId, collectionId]);
        await log.tombstone(s, userId, row.home, row.uri, n);
        return true;
      }
      if (!row) {
        await s.run(INSERT, [userId, collectionId, c.home, await freeUri(s, homes, userId, c.home, c.uri, c.ownerName), access, await seq()]);
        return true;
      }
      if (row.access === access) return false;
      await s.run(SET_ACCESS, [access, await seq(), userId, collectionId]);
      return true;
    },
  };
}
