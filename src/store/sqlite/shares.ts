// Sharing (SPEC "Sharing"): a share is the sharee's instance of the calendar or address book with
// access 'read' or 'read-write'. It starts with synchronization on, under a uri free in the
// sharee's home of the same kind (calendar home or address-book home).
import { Conflict, NotFound } from '../errors.js';
import type { Home } from '../collections.js';
import type { Share, ShareStore } from '../shares.js';
import type { ChangeLog } from './changes.js';
import type { Connection } from './connection.js';
import type { Homes } from './instances.js';


/** The ShareStore of a SQLite store (../shares.ts). */
export function shareStore(conn: Connection, log: ChangeLog, homes: Homes): ShareStore {
  const { db } = conn;
  const calendar = db.prepare(`
    SELECT c.id, c.kind, c.home, c.uri, c.owner_id AS ownerId, u.username AS ownerName
    FROM collections c JOIN users u ON u.id = c.owner_id WHERE c.id = ?`);
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const insert = db.prepare(`
    INSERT INTO instances (user_id, collection_id, home, uri, access, sync_enabled, changed_seq) VALUES (?, ?, ?, ?, ?, 1, ?)`);
  const setAccess = db.prepare('UPDATE instances SET access = ?, changed_seq = ? WHERE user_id = ? AND collection_id = ?');
  const remove = db.prepare('DELETE FROM instances WHERE user_id = ? AND collection_id = ?');
  const list = db.prepare(`
    SELECT i.collection_id AS collectionId, i.user_id AS userId, u.username, i.access
    FROM instances i JOIN users u ON u.id = i.user_id
    WHERE i.collection_id = ? AND i.access <> 'owner' ORDER BY u.username`);

  /** The collection's own uri if free, else "<uri>-<owner>", then "<uri>-<owner>-2", "-3"… */
  function freeUri(userId: number, home: Home, uri: string, ownerName: string): string {
    if (!homes.uriTaken(userId, home, uri)) return uri;
    const base = `${uri}-${ownerName.replace(/[/]/g, '_')}`;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      if (!homes.uriTaken(userId, home, candidate)) return candidate;
    }
  }

  return {
    async share(collectionId, userId, access) {
      return conn.write(() => {
        const c = calendar.get(collectionId) as
          | { id: number; kind: string; home: Home; uri: string; ownerId: number; ownerName: string }
          | undefined;
        if (!c) throw new NotFound(`collection ${collectionId}`);
        if (c.kind === 'plain') throw new Conflict('only calendars and address books can be shared');
        if (c.ownerId === userId) throw new Conflict(`a ${c.kind} cannot be shared with its owner`);
        if (!userExists.get(userId)) throw new NotFound(`user ${userId}`);
        const existing = homes.instance(userId, collectionId);
        if (existing) {
          if (existing.access === access) return existing;
          // The sharee's privileges changed (current-user-privilege-set): report it as changed.
          setAccess.run(access, conn.nextSeq(), userId, collectionId);
        } else {
          insert.run(userId, collectionId, c.home, freeUri(userId, c.home, c.uri, c.ownerName), access, conn.nextSeq());
        }
        return homes.instance(userId, collectionId)!;
      });
    },

    async unshare(collectionId, userId) {
      conn.write(() => {
        const existing = homes.instance(userId, collectionId);
        if (!existing || existing.access === 'owner') throw new NotFound(`collection ${collectionId} is not shared with user ${userId}`);
        remove.run(userId, collectionId);
        log.tombstone(userId, existing.home, existing.uri, conn.nextSeq());
      });
    },

    async listShares(collectionId): Promise<Share[]> {
      return list.all(collectionId) as Share[];
    },
  };
}
