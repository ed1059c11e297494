// Sharing: a share is the sharee's instance of the calendar or address book with access 'read' or
// 'read-write'; the PostgreSQL twin of ../sqlite/shares.ts.
import { Conflict, NotFound } from '../errors.js';
import type { Home } from '../collections.js';
import type { Share, ShareStore } from '../shares.js';
import type { ChangeLog } from './changes.js';
import { sql, type Connection } from './connection.js';
import type { Homes } from './instances.js';
import { freeUri, type GroupAccess } from './group-access.js';

const CALENDAR = sql(`
  SELECT c.id, c.kind, c.home, c.uri, c.owner_id AS "ownerId", u.username AS "ownerName"
  FROM collections c JOIN users u ON u.id = c.owner_id WHERE c.id = ?`);
const USER_EXISTS = sql('SELECT 1 FROM users WHERE id = ?');
const INSERT = sql(`
  INSERT INTO instances (user_id, collection_id, home, uri, access, sync_enabled, changed_seq) VALUES (?, ?, ?, ?, ?, 1, ?)`);
const SET_ACCESS = sql('UPDATE instances SET access = ?, changed_seq = ? WHERE user_id = ? AND collection_id = ?');
// A direct share wins over group shares: it stays when the groups go.
const MARK_DIRECT = sql('UPDATE instances SET via_group = 0 WHERE user_id = ? AND collection_id = ?');
const VIA_GROUP = sql('SELECT via_group FROM instances WHERE user_id = ? AND collection_id = ?');
const REMOVE = sql('DELETE FROM instances WHERE user_id = ? AND collection_id = ?');
const LIST = sql(`
  SELECT i.collection_id AS "collectionId", i.user_id AS "userId", u.username, i.access
  FROM instances i JOIN users u ON u.id = i.user_id
  WHERE i.collection_id = ? AND i.access <> 'owner' AND i.via_group = 0 ORDER BY u.username`);

/** The ShareStore of a PostgreSQL store (../shares.ts). */
export function shareStore(conn: Connection, log: ChangeLog, homes: Homes, groups: GroupAccess): ShareStore {
  return {
    async share(collectionId, userId, access) {
      return conn.tx(async (s) => {
        const c = await s.row<{ id: number; kind: string; home: Home; uri: string; ownerId: number; ownerName: string }>(CALENDAR, [collectionId]);
        if (!c) throw new NotFound(`collection ${collectionId}`);
        if (c.kind === 'plain') throw new Conflict('only calendars and address books can be shared');
        if (c.ownerId === userId) throw new Conflict(`a ${c.kind} cannot be shared with its owner`);
        if (!(await s.value(USER_EXISTS, [userId]))) throw new NotFound(`user ${userId}`);
        s.notify({ type: 'shares-changed', collectionId });
        const existing = await homes.instance(s, userId, collectionId);
        if (existing) {
          await s.run(MARK_DIRECT, [userId, collectionId]);
          if (existing.access === access) return existing;
          // The sharee's privileges changed (current-user-privilege-set): report it as changed.
          await s.run(SET_ACCESS, [access, await s.nextSeq(), userId, collectionId]);
        } else {
          const uri = await freeUri(s, homes, userId, c.home, c.uri, c.ownerName);
          await s.run(INSERT, [userId, collectionId, c.home, uri, access, await s.nextSeq()]);
        }
        return (await homes.instance(s, userId, collectionId))!;
      });
    },

    async unshare(collectionId, userId) {
      await conn.tx(async (s) => {
        const existing = await homes.instance(s, userId, collectionId);
        // An instance the user has only through a group is not a direct share to remove.
        if (!existing || existing.access === 'owner' || (await s.value(VIA_GROUP, [userId, collectionId])) === 1) {
          throw new NotFound(`collection ${collectionId} is not shared with user ${userId}`);
        }
        await s.run(REMOVE, [userId, collectionId]);
        s.notify({ type: 'shares-changed', collectionId });
        const seq = await s.nextSeq();
        await log.tombstone(s, userId, existing.home, existing.uri, seq);
        // Still reached through a group: the instance comes back with the groups' access.
        await groups.reconcile(s, userId, collectionId, async () => seq);
      });
    },

    async listShares(collectionId): Promise<Share[]> {
      return conn.rows<Share>(LIST, [collectionId]);
    },
  };
}
