// Instances: how a calendar or address book appears in one user's home, with that user's
// Synchronization switch: the PostgreSQL twin of ../sqlite/instances.ts.
import { NotFound } from '../errors.js';
import type { Home } from '../collections.js';
import type { CalendarInstance, InstanceStore } from '../instances.js';
import type { ChangeLog } from './changes.js';
import { INSTANCE_SELECT, toInstance, type InstanceRow } from '../rows.js';
import { bit, sql, type Connection, type Sql } from './connection.js';

/** The namespace of a home: the owner's home-level collections plus the instances shared in. */
export interface Homes {
  /** Whether uri is taken in the user's home `home` by anything but collection `except`. */
  uriTaken(s: Sql, userId: number, home: Home, uri: string, except?: number): Promise<boolean>;
  instance(s: Sql, userId: number, collectionId: number): Promise<CalendarInstance | null>;
}

const TAKEN = sql(`
  SELECT 1 FROM collections WHERE owner_id = @u AND home = @home AND parent_id IS NULL AND uri = @uri AND id IS DISTINCT FROM @x::bigint
  UNION ALL
  SELECT 1 FROM instances WHERE user_id = @u AND home = @home AND uri = @uri AND collection_id IS DISTINCT FROM @x::bigint
  LIMIT 1`);
const ONE = sql(`${INSTANCE_SELECT} WHERE i.user_id = ? AND i.collection_id = ?`);

export function homes(): Homes {
  return {
    uriTaken: async (s, userId, home, uri, except) => (await s.value(TAKEN, { u: userId, home, uri, x: except ?? null })) !== undefined,
    async instance(s, userId, collectionId) {
      const r = await s.row<InstanceRow>(ONE, [userId, collectionId]);
      return r ? toInstance(r) : null;
    },
  };
}

// NULL orders last: calendars without calendar-order come after the ordered ones.
const LIST = sql(`${INSTANCE_SELECT}
  WHERE i.user_id = @u AND i.home = @home AND (i.sync_enabled = 1 OR @syncOnly = 0)
  ORDER BY c.sort_order IS NULL, c.sort_order, i.uri`);
const BY_URI = sql(`${INSTANCE_SELECT} WHERE i.user_id = ? AND i.home = ? AND i.uri = ?`);
const SET_SYNC = sql('UPDATE instances SET sync_enabled = ?, changed_seq = ? WHERE user_id = ? AND home = ? AND uri = ?');

/** The InstanceStore of a PostgreSQL store (../instances.ts). */
export function instanceStore(conn: Connection, log: ChangeLog): InstanceStore {
  const get = (s: Sql, userId: number, home: Home, uri: string) => s.row<InstanceRow>(BY_URI, [userId, home, uri]);
  return {
    async listInstances(userId, opts) {
      return (await conn.rows<InstanceRow>(LIST, { u: userId, home: opts?.home ?? 'calendars', syncOnly: bit(opts?.syncOnly ?? false) })).map(toInstance);
    },
    async getInstance(userId, uri, home = 'calendars') {
      const r = await get(conn, userId, home, uri);
      return r ? toInstance(r) : null;
    },
    async setSyncEnabled(userId, uri, enabled, home = 'calendars') {
      return conn.tx(async (s) => {
        const r = await get(s, userId, home, uri);
        if (!r) throw new NotFound(`instance ${uri} of user ${userId}`);
        if ((r.i_sync_enabled === 1) === enabled) return toInstance(r);
        const seq = await s.nextSeq();
        await s.run(SET_SYNC, [bit(enabled), seq, userId, home, uri]);
        // Off: the home must report the collection gone, so clients drop it at their next refresh.
        if (!enabled) await log.tombstone(s, userId, home, uri, seq);
        return toInstance((await get(s, userId, home, uri))!);
      });
    },
  };
}
