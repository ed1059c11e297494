// Devices and their app passwords (../devices.ts). The device's view of its homes: follow = 1
// lists what the Synchronization switches list, follow = 0 lists device_selection. A change of
// the view records, per collection that entered or left it, a device_changes row with a new
// sequence: that device's home token (deviceHomeSeq) moves and its sync-collection reports the
// collection added or removed; the user's own home token (changes.ts homeSeq) never reads them.
import { NotFound } from '../errors.js';
import type { Device, DeviceChange, DeviceStore } from '../devices.js';
import type { User } from '../users.js';
import { toUser } from '../rows.js';
import { bit, now, type Connection } from './connection.js';

interface DeviceRow {
  id: number;
  user_id: number;
  name: string;
  follow: number;
  created_at: string;
  last_used_at: string | null;
  last_user_agent: string | null;
}

const DEVICE = 'd.id, d.user_id, d.name, d.follow, d.created_at, d.last_used_at, d.last_user_agent';

/**
 * Whether instance `i` is listed for device `@d` whose follow flag is `@follow`: the one SQL
 * statement of the visibility rule that services/device-view.ts `listedFor` states for rows
 * already read (keep the two the same).
 */
const LISTED_FOR_DEVICE = `((@follow = 1 AND i.sync_enabled = 1)
  OR (@follow = 0 AND EXISTS (SELECT 1 FROM device_selection s WHERE s.device_id = @d AND s.collection_id = i.collection_id)))`;

/** The DeviceStore of a SQLite store (../devices.ts). */
export function deviceStore(conn: Connection): DeviceStore {
  const { db } = conn;
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const insert = db.prepare(`INSERT INTO devices (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`).pluck();
  const one = db.prepare(`SELECT ${DEVICE} FROM devices d WHERE d.user_id = ? AND d.id = ?`);
  const byUser = db.prepare(`SELECT ${DEVICE} FROM devices d WHERE d.user_id = ? ORDER BY d.id`);
  const byHash = db.prepare(`
    SELECT ${DEVICE}, u.id AS u_id, u.username, u.display_name, u.email, u.is_admin, u.created_at AS u_created_at
    FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?`);
  const selectionOf = db.prepare('SELECT collection_id FROM device_selection WHERE device_id = ? ORDER BY collection_id').pluck();
  const touch = db.prepare('UPDATE devices SET last_used_at = ?, last_user_agent = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM devices WHERE user_id = ? AND id = ?');
  const setFollow = db.prepare('UPDATE devices SET follow = ? WHERE id = ?');
  const clearSelection = db.prepare('DELETE FROM device_selection WHERE device_id = ?');
  const addSelection = db.prepare('INSERT INTO device_selection (device_id, collection_id) VALUES (?, ?)');
  const instancesOf = db.prepare('SELECT collection_id AS id, sync_enabled AS sync FROM instances WHERE user_id = ?');
  const recordChange = db.prepare(`
    INSERT INTO device_changes (device_id, collection_id, seq, listed) VALUES (?, ?, ?, ?)
    ON CONFLICT (device_id, collection_id) DO UPDATE SET seq = excluded.seq, listed = excluded.listed`);
  // Per home (migration 006: the calendar home and the address-book home keep tokens of their own).
  const homeSeq = db.prepare(`
    SELECT max(
      coalesce((SELECT max(changed_seq) FROM instances WHERE user_id = @u AND home = @h), 0),
      coalesce((SELECT max(c.sync_seq) FROM instances i JOIN collections c ON c.id = i.collection_id
                WHERE i.user_id = @u AND i.home = @h AND ${LISTED_FOR_DEVICE}), 0),
      coalesce((SELECT max(seq) FROM home_changes WHERE user_id = @u AND home = @h), 0),
      coalesce((SELECT max(dc.seq) FROM device_changes dc JOIN collections c ON c.id = dc.collection_id
                WHERE dc.device_id = @d AND c.home = @h), 0))`).pluck();
  const changesSince = db.prepare('SELECT collection_id, seq, listed FROM device_changes WHERE device_id = ? AND seq > ? ORDER BY seq, collection_id');
  const getPolicy = db.prepare('SELECT device_passwords_required FROM users WHERE id = ?');
  const setPolicy = db.prepare('UPDATE users SET device_passwords_required = ? WHERE id = ?');
  // Read on every request of a device (by hash) and on every account-password DAV request (the
  // policy): cached until any write, by anyone (connection.ts readCache), so a revocation in
  // another process is seen on the next request.
  const hashCache = conn.readCache<{ device: Device; user: User } | null>(1000);
  const policyCache = conn.readCache<boolean | null>(1000);

  const toDevice = (r: DeviceRow): Device => ({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    selection: r.follow === 1 ? null : (selectionOf.all(r.id) as number[]),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    lastUserAgent: r.last_user_agent,
  });
  const get = (userId: number, id: number): Device => {
    const r = one.get(userId, id) as DeviceRow | undefined;
    if (!r) throw new NotFound(`device ${id} of user ${userId}`);
    return toDevice(r);
  };

  return {
    async createDevice(init) {
      return conn.write(() => {
        if (!userExists.get(init.userId)) throw new NotFound(`user ${init.userId}`);
        const id = insert.get(init.userId, init.name, init.tokenHash, now()) as number;
        return get(init.userId, id);
      });
    },
    async listDevices(userId) {
      return (byUser.all(userId) as DeviceRow[]).map(toDevice);
    },
    async findDeviceByToken(tokenHash) {
      return hashCache.get(tokenHash, () => {
        const r = byHash.get(tokenHash) as (DeviceRow & { u_id: number; username: string; display_name: string; email: string | null; is_admin: number; u_created_at: string }) | undefined;
        if (!r) return null;
        return { device: toDevice(r), user: toUser({ id: r.u_id, username: r.username, display_name: r.display_name, email: r.email, is_admin: r.is_admin, created_at: r.u_created_at }) };
      });
    },
    async touchDevice(id, at, userAgent) {
      conn.write(() => touch.run(at, userAgent, id));
    },
    async setDeviceSelection(userId, deviceId, selection) {
      return conn.write(() => {
        const before = get(userId, deviceId);
        const instances = instancesOf.all(userId) as { id: number; sync: number }[];
        const reachable = new Set(instances.map((i) => i.id));
        const wanted = selection === null ? null : [...new Set(selection)].sort((a, b) => a - b);
        for (const id of wanted ?? []) if (!reachable.has(id)) throw new NotFound(`collection ${id} in the homes of user ${userId}`);
        const view = (sel: number[] | null) => new Set(sel === null ? instances.filter((i) => i.sync === 1).map((i) => i.id) : sel.filter((id) => reachable.has(id)));
        const oldView = view(before.selection);
        const newView = view(wanted);
        const sameSelection = (before.selection === null) === (wanted === null) && (wanted === null || (before.selection!.length === wanted.length && wanted.every((x, k) => before.selection![k] === x)));
        if (sameSelection) return before;
        setFollow.run(bit(wanted === null), deviceId);
        clearSelection.run(deviceId);
        for (const id of wanted ?? []) addSelection.run(deviceId, id);
        const entered = [...newView].filter((id) => !oldView.has(id));
        const left = [...oldView].filter((id) => !newView.has(id));
        if (entered.length + left.length > 0) {
          const seq = conn.nextSeq();
          for (const id of entered) recordChange.run(deviceId, id, seq, 1);
          for (const id of left) recordChange.run(deviceId, id, seq, 0);
        }
        return get(userId, deviceId);
      });
    },
    async deleteDevice(userId, deviceId) {
      conn.write(() => {
        if (remove.run(userId, deviceId).changes === 0) throw new NotFound(`device ${deviceId} of user ${userId}`);
      });
    },
    async deviceHomeSeq(userId, deviceId, home = 'calendars') {
      const r = one.get(userId, deviceId) as DeviceRow | undefined;
      if (!r) throw new NotFound(`device ${deviceId} of user ${userId}`);
      return homeSeq.get({ u: userId, d: deviceId, follow: r.follow, h: home }) as number;
    },
    async deviceChangesSince(deviceId, seq): Promise<DeviceChange[]> {
      return (changesSince.all(deviceId, seq) as { collection_id: number; seq: number; listed: number }[])
        .map((r) => ({ collectionId: r.collection_id, listed: r.listed === 1, seq: r.seq }));
    },
    async getDevicePolicy(userId) {
      return policyCache.get(String(userId), () => {
        const r = getPolicy.get(userId) as { device_passwords_required: number | null } | undefined;
        return r === undefined || r.device_passwords_required === null ? null : r.device_passwords_required === 1;
      });
    },
    async setDevicePolicy(userId, required) {
      conn.write(() => {
        if (setPolicy.run(required === null ? null : bit(required), userId).changes === 0) throw new NotFound(`user ${userId}`);
      });
    },
  };
}
