// Instances: how a calendar or address book appears in one user's home, with that user's
// Synchronization switch (SPEC "Per-calendar synchronization"). Switching off leaves a home
// tombstone so the home's sync-collection (RFC 6578) reports the collection as removed; switching
// on gives the instance a new changed_seq so it is reported as added.
import { NotFound } from '../errors.js';
import type { Home } from '../collections.js';
import type { CalendarInstance, InstanceStore } from '../instances.js';
import type { ChangeLog } from './changes.js';
import { bit, type Connection } from './connection.js';

import { INSTANCE_SELECT, toInstance, type InstanceRow } from '../rows.js';

/** The namespace of a home: the owner's home-level collections plus the instances shared in. */
export interface Homes {
  /** Whether uri is taken in the user's home `home` by anything but collection `except`. */
  uriTaken(userId: number, home: Home, uri: string, except?: number): boolean;
  instance(userId: number, collectionId: number): CalendarInstance | null;
}

export function homes({ db }: Connection): Homes {
  const taken = db.prepare(`
    SELECT 1 FROM collections WHERE owner_id = @u AND home = @home AND parent_id IS NULL AND uri = @uri AND id IS NOT @x
    UNION ALL
    SELECT 1 FROM instances WHERE user_id = @u AND home = @home AND uri = @uri AND collection_id IS NOT @x
    LIMIT 1`).pluck();
  const one = db.prepare(`${INSTANCE_SELECT} WHERE i.user_id = ? AND i.collection_id = ?`);
  return {
    uriTaken: (userId, home, uri, except) => taken.get({ u: userId, home, uri, x: except ?? null }) !== undefined,
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
    WHERE i.user_id = @u AND i.home = @home AND (i.sync_enabled = 1 OR NOT @syncOnly)
    ORDER BY c.sort_order IS NULL, c.sort_order, i.uri`);
  const byUri = db.prepare(`${INSTANCE_SELECT} WHERE i.user_id = ? AND i.home = ? AND i.uri = ?`);
  const setSync = db.prepare('UPDATE instances SET sync_enabled = ?, changed_seq = ? WHERE user_id = ? AND home = ? AND uri = ?');

  const get = (userId: number, home: Home, uri: string) => byUri.get(userId, home, uri) as InstanceRow | undefined;
  // Every request below a calendar resolves its instance; cached until any write (see readCache).
  const byUriCache = conn.readCache<CalendarInstance | null>(1000);

  return {
    async listInstances(userId, opts) {
      return (list.all({ u: userId, home: opts?.home ?? 'calendars', syncOnly: bit(opts?.syncOnly ?? false) }) as InstanceRow[]).map(toInstance);
    },
    async getInstance(userId, uri, home = 'calendars') {
      return byUriCache.get(`${userId}/${home}/${uri}`, () => {
        const r = get(userId, home, uri);
        return r ? toInstance(r) : null;
      });
    },
    async setSyncEnabled(userId, uri, enabled, home = 'calendars') {
      return conn.write(() => {
        const r = get(userId, home, uri);
        if (!r) throw new NotFound(`instance ${uri} of user ${userId}`);
        if ((r.i_sync_enabled === 1) === enabled) return toInstance(r);
        const seq = conn.nextSeq();
        setSync.run(bit(enabled), seq, userId, home, uri);
        // Off: the home must report the collection gone, so clients drop it at their next refresh.
        if (!enabled) log.tombstone(userId, home, uri, seq);
        return toInstance(get(userId, home, uri)!);
      });
    },
  };
}
