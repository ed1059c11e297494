// Calendar instances: how a calendar appears in one user's home, with that user's Synchronization
// switch (SPEC "Per-calendar synchronization"). Switching off leaves a home tombstone so the
// home's sync-collection (RFC 6578) reports the calendar as removed; switching on gives the
// instance a new changed_seq so it is reported as added.
import { NotFound } from '../errors.js';
import type { Access } from '../collections.js';
import type { CalendarInstance, InstanceStore } from '../instances.js';
import type { ChangeLog } from './changes.js';
import { collectionColumns, toCollection, type CollectionRow } from './collections.js';
import { bit, type Connection } from './connection.js';

export interface InstanceRow extends CollectionRow {
  i_user_id: number;
  i_uri: string;
  i_access: Access;
  i_sync_enabled: number;
  i_changed_seq: number;
}

export const INSTANCE_SELECT = `
  SELECT ${collectionColumns('c')}, i.user_id AS i_user_id, i.uri AS i_uri, i.access AS i_access,
    i.sync_enabled AS i_sync_enabled, i.changed_seq AS i_changed_seq
  FROM instances i JOIN collections c ON c.id = i.collection_id`;

export function toInstance(r: InstanceRow): CalendarInstance {
  return {
    userId: r.i_user_id,
    collection: toCollection(r),
    uri: r.i_uri,
    access: r.i_access,
    syncEnabled: r.i_sync_enabled === 1,
    changedSeq: r.i_changed_seq,
  };
}

/** The namespace of a home: the owner's home-level collections plus the instances shared in. */
export interface Homes {
  /** Whether uri is taken in the user's home by anything but collection `except`. */
  uriTaken(userId: number, uri: string, except?: number): boolean;
  instance(userId: number, collectionId: number): CalendarInstance | null;
}

export function homes({ db }: Connection): Homes {
  const taken = db.prepare(`
    SELECT 1 FROM collections WHERE owner_id = @u AND parent_id IS NULL AND uri = @uri AND id IS NOT @x
    UNION ALL
    SELECT 1 FROM instances WHERE user_id = @u AND uri = @uri AND collection_id IS NOT @x
    LIMIT 1`).pluck();
  const one = db.prepare(`${INSTANCE_SELECT} WHERE i.user_id = ? AND i.collection_id = ?`);
  return {
    uriTaken: (userId, uri, except) => taken.get({ u: userId, uri, x: except ?? null }) !== undefined,
    instance(userId, collectionId) {
      const r = one.get(userId, collectionId) as InstanceRow | undefined;
      return r ? toInstance(r) : null;
    },
  };
}


/** The InstanceStore of a SQLite store (../instances.ts). */
export function instanceStore(conn: Connection, log: ChangeLog): InstanceStore {
  const { db } = conn;
  // NULL orders last: calendars without calendar-order come after the ordered ones.
  const list = db.prepare(`${INSTANCE_SELECT}
    WHERE i.user_id = @u AND (i.sync_enabled = 1 OR NOT @syncOnly)
    ORDER BY c.sort_order IS NULL, c.sort_order, i.uri`);
  const byUri = db.prepare(`${INSTANCE_SELECT} WHERE i.user_id = ? AND i.uri = ?`);
  const setSync = db.prepare('UPDATE instances SET sync_enabled = ?, changed_seq = ? WHERE user_id = ? AND uri = ?');

  const get = (userId: number, uri: string) => byUri.get(userId, uri) as InstanceRow | undefined;
  // Every request below a calendar resolves its instance; cached until any write (see readCache).
  const byUriCache = conn.readCache<CalendarInstance | null>(1000);

  return {
    async listInstances(userId, opts) {
      return (list.all({ u: userId, syncOnly: bit(opts?.syncOnly ?? false) }) as InstanceRow[]).map(toInstance);
    },
    async getInstance(userId, uri) {
      return byUriCache.get(`${userId}/${uri}`, () => {
        const r = get(userId, uri);
        return r ? toInstance(r) : null;
      });
    },
    async setSyncEnabled(userId, uri, enabled) {
      return conn.write(() => {
        const r = get(userId, uri);
        if (!r) throw new NotFound(`instance ${uri} of user ${userId}`);
        if ((r.i_sync_enabled === 1) === enabled) return toInstance(r);
        const seq = conn.nextSeq();
        setSync.run(bit(enabled), seq, userId, uri);
        // Off: the home must report the calendar gone, so clients drop it at their next refresh.
        if (!enabled) log.tombstone(userId, uri, seq);
        return toInstance(get(userId, uri)!);
      });
    },
  };
}
