// Sharing (SPEC "Sharing"): a share is the sharee's instance of the calendar with access 'read'
// or 'read-write'. It starts with synchronization on, under a uri free in the sharee's home.
import { Conflict, NotFound } from '../errors.js';
import type { Share, ShareStore } from '../shares.js';
import type { ChangeLog } from './changes.js';
import type { Connection } from './connection.js';
import type { Homes } from './instances.js';
import { freeUri as freeUriIn, type GroupAccess } from './group-access.js';


/** The ShareStore of a SQLite store (../shares.ts). */
export function shareStore(conn: Connection, log: ChangeLog, homes: Homes, groups: GroupAccess): ShareStore {
  const { db } = conn;
  const calendar = db.prepare(`
    SELECT c.id, c.kind, c.uri, c.owner_id AS ownerId, u.username AS ownerName
    FROM collections c JOIN users u ON u.id = c.owner_id WHERE c.id = ?`);
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const insert = db.prepare(`
    INSERT INTO instances (user_id, collection_id, uri, access, sync_enabled, changed_seq) VALUES (?, ?, ?, ?, 1, ?)`);
  const setAccess = db.prepare('UPDATE instances SET access = ?, changed_seq = ? WHERE user_id = ? AND collection_id = ?');
  // A direct share wins over group shares (migration 007): it stays when the groups go.
  const markDirect = db.prepare('UPDATE instances SET via_group = 0 WHERE user_id = ? AND collection_id = ?');
  const viaGroup = db.prepare('SELECT via_group FROM instances WHERE user_id = ? AND collection_id = ?').pluck();
  const remove = db.prepare('DELETE FROM instances WHERE user_id = ? AND collection_id = ?');
  const list = db.prepare(`
    SELECT i.collection_id AS collectionId, i.user_id AS userId, u.username, i.access
    FROM instances i JOIN users u ON u.id = i.user_id
    WHERE i.collection_id = ? AND i.access <> 'owner' AND i.via_group = 0 ORDER BY u.username`);

  /** The calendar's own uri if free, else "<uri>-<owner>", then "<uri>-<owner>-2", "-3"… */
  const freeUri = (userId: number, uri: string, ownerName: string) => freeUriIn(homes, userId, uri, ownerName);

  return {
    async share(collectionId, userId, access) {
      return conn.write(() => {
        const c = calendar.get(collectionId) as
          | { id: number; kind: string; uri: string; ownerId: number; ownerName: string }
          | undefined;
        if (!c) throw new NotFound(`collection ${collectionId}`);
        if (c.kind !== 'calendar') throw new Conflict('only calendars can be shared');
        if (c.ownerId === userId) throw new Conflict('a calendar cannot be shared with its owner');
        if (!userExists.get(userId)) throw new NotFound(`user ${userId}`);
        const existing = homes.instance(userId, collectionId);
        if (existing) {
          markDirect.run(userId, collectionId);
          if (existing.access === access) return existing;
          // The sharee's privileges changed (current-user-privilege-set): report it as changed.
          setAccess.run(access, conn.nextSeq(), userId, collectionId);
        } else {
          insert.run(userId, collectionId, freeUri(userId, c.uri, c.ownerName), access, conn.nextSeq());
        }
        return homes.instance(userId, collectionId)!;
      });
    },

    async unshare(collectionId, userId) {
      conn.write(() => {
        const existing = homes.instance(userId, collectionId);
        // An instance the user has only through a group is not a direct share to remove.
        if (!existing || existing.access === 'owner' || viaGroup.get(userId, collectionId) === 1) throw new NotFound(`calendar ${collectionId} is not shared with user ${userId}`);
        remove.run(userId, collectionId);
        const seq = conn.nextSeq();
        log.tombstone(userId, existing.uri, seq);
        // Still reached through a group: the instance comes back with the groups' access.
        groups.reconcile(userId, collectionId, () => seq);
      });
    },

    async listShares(collectionId): Promise<Share[]> {
      return list.all(collectionId) as Share[];
    },
  };
}
