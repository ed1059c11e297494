// Devices and their app passwords: the PostgreSQL twin of ../sqlite/devices.ts (see there for the
// device's view of its homes and its own home token). No read cache: a revocation made by another
// process must hold on the next request (issue 18 item 3).
import { NotFound } from '../errors.js';
import type { Device, DeviceChange, DeviceStore } from '../devices.js';
import { toUser } from '../rows.js';
import { bit, now, sql, type Connection, type Sql } from './connection.js';

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

/** The visibility rule of services/device-view.ts `listedFor`, as SQL (keep the two the same). */
const LISTED_FOR_DEVICE = `((@follow = 1 AND i.sync_enabled = 1)
  OR (@follow = 0 AND EXISTS (SELECT 1 FROM device_selection s WHERE s.device_id = @d AND s.collection_id = i.collection_id)))`;

const USER_EXISTS = sql('SELECT 1 FROM users WHERE id = ?');
const INSERT = sql('INSERT INTO devices (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id');
const ONE = sql(`SELECT ${DEVICE} FROM devices d WHERE d.user_id = ? AND d.id = ?`);
const BY_USER = sql(`SELECT ${DEVICE} FROM devices d WHERE d.user_id = ? ORDER BY d.id`);
const BY_HASH = sql(`
  SELECT ${DEVICE}, u.id AS u_id, u.username, u.display_name, u.email, u.is_admin, u.created_at AS u_created_at
  FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?`);
const SELECTION_OF = sql('SELECT collection_id AS id FROM device_selection WHERE device_id = ? ORDER BY collection_id');
const TOUCH = sql('UPDATE devices SET last_used_at = ?, last_user_agent = ? WHERE id = ?');
const REMOVE = sql('DELETE FROM devices WHERE user_id = ? AND id = ?');
const SET_FOLLOW = sql('UPDATE devices SET follow = ? WHERE id = ?');
const CLEAR_SELECTION = sql('DELETE FROM device_selection WHERE device_id = ?');
const ADD_SELECTION = sql('INSERT INTO device_selection (device_id, collection_id) VALUES (?, ?)');
const INSTANCES_OF = sql('SELECT collection_id AS id, sync_enabled AS sync FROM instances WHERE user_id = ?');
const RECORD_CHANGE = sql(`
  INSERT INTO device_changes (device_id, collection_id, seq, listed) VALUES (?, ?, ?, ?)
  ON CONFLICT (device_id, collection_id) DO UPDATE SET seq = excluded.seq, listed = excluded.listed`);
const HOME_SEQ = sql(`
  SELECT greatest(
    coalesce((SELECT max(changed_seq) FROM instances WHERE user_id = @u AND home = @h), 0),
    coalesce((SELECT max(c.sync_seq) FROM instances i JOIN collections c ON c.id = i.collection_id
              WHERE i.user_id = @u AND i.home = @h AND ${LISTED_FOR_DEVICE}), 0),
    coalesce((SELECT max(seq) FROM home_changes WHERE user_id = @u AND home = @h), 0),
    coalesce((SELECT max(dc.seq) FROM device_changes dc JOIN collections c ON c.id = dc.collection_id
              WHERE dc.device_id = @d AND c.home = @h), 0))`);
const CHANGES_SINCE = sql('SELECT collection_id, seq, listed FROM device_changes WHERE device_id = ? AND seq > ? ORDER BY seq, collection_id');
const GET_POLICY = sql('SELECT device_passwords_required FROM users WHERE id = ?');
const SET_POLICY = sql('UPDATE users SET device_passwords_required = ? WHERE id = ?');

/** The DeviceStore of a PostgreSQL store (../devices.ts). */
export function deviceStore(conn: Connection): DeviceStore {
  const toDevice = async (s: Sql, r: DeviceRow): Promise<Device> => ({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    selection: r.follow === 1 ? null : (await s.rows<{ id: number }>(SELECTION_OF, [r.id])).map((x) => x.id),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    lastUserAgent: r.last_user_agent,
  });
  const get = async (s: Sql, userId: number, id: number): Promise<Device> => {
    const r = await s.row<DeviceRow>(ONE, [userId, id]);
    if (!r) throw new NotFound(`device ${id} of user ${userId}`);
    return toDevice(s, r);
  };

  return {
    async createDevice(init) {
      return conn.tx(async (s) => {
        if (!(await s.value(USER_EXISTS, [init.userId]))) throw new NotFound(`user ${init.userId}`);
        const id = (await s.value<number>(INSERT, [init.userId, init.name, init.tokenHash, now()]))!;
        s.notify({ type: 'devices-changed', userId: init.userId });
        return get(s, init.userId, id);
      });
    },
    async listDevices(userId) {
      const rows = await conn.rows<DeviceRow>(BY_USER, [userId]);
      return Promise.all(rows.map((r) => toDevice(conn, r)));
    },
    async findDeviceByToken(tokenHash) {
      const r = await conn.row<DeviceRow & { u_id: number; username: string; display_name: string; email: string | null; is_admin: number; u_created_at: string }>(BY_HASH, [tokenHash]);
      if (!r) return null;
      return { device: await toDevice(conn, r), user: toUser({ id: r.u_id, username: r.username, display_name: r.display_name, email: r.email, is_admin: r.is_admin, created_at: r.u_created_at }) };
    },
    async touchDevice(id, at, userAgent) {
      // A timestamp, last writer wins: not serialized behind the write lock.
      await conn.run(TOUCH, [at, userAgent, id]);
    },
    async setDeviceSelection(userId, deviceId, selection) {
      return conn.tx(async (s) => {
        const before = await get(s, userId, deviceId);
        const instances = await s.rows<{ id: number; sync: number }>(INSTANCES_OF, [userId]);
        const reachable = new Set(instances.map((i) => i.id));
        const wanted = selection === null ? null : [...new Set(selection)].sort((a, b) => a - b);
        for (const id of wanted ?? []) if (!reachable.has(id)) throw new NotFound(`collection ${id} in the homes of user ${userId}`);
        const view = (sel: number[] | null) => new Set(sel === null ? instances.filter((i) => i.sync === 1).map((i) => i.id) : sel.filter((id) => reachable.has(id)));
        const oldView = view(before.selection);
        const newView = view(wanted);
        const sameSelection = (before.selection === null) === (wanted === null) && (wanted === null || (before.selection!.length === wanted.length && wanted.every((x, k) => before.selection![k] === x)));
        if (sameSelection) return before;
        s.notify({ type: 'devices-changed', userId });
        await s.run(SET_FOLLOW, [bit(wanted === null), deviceId]);
        await s.run(CLEAR_SELECTION, [deviceId]);
        for (const id of wanted ?? []) await s.run(ADD_SELECTION, [deviceId, id]);
        const entered = [...newView].filter((id) => !oldView.has(id));
        const left = [...oldView].filter((id) => !newView.has(id));
        if (entered.length + left.length > 0) {
          const seq = await s.nextSeq();
          for (const id of entered) await s.run(RECORD_CHANGE, [deviceId, id, seq, 1]);
          for (const id of left) await s.run(RECORD_CHANGE, [deviceId, id, seq, 0]);
        }
        return get(s, userId, deviceId);
      });
    },
    async deleteDevice(userId, deviceId) {
      await conn.tx(async (s) => {
        if ((await s.run(REMOVE, [userId, deviceId])) === 0) throw new NotFound(`device ${deviceId} of user ${userId}`);
        s.notify({ type: 'devices-changed', userId });
      });
    },
    async deviceHomeSeq(userId, deviceId, home = 'calendars') {
      const r = await conn.row<DeviceRow>(ONE, [userId, deviceId]);
      if (!r) throw new NotFound(`device ${deviceId} of user ${userId}`);
      return (await conn.value<number>(HOME_SEQ, { u: userId, d: deviceId, follow: r.follow, h: home }))!;
    },
    async deviceChangesSince(deviceId, seq): Promise<DeviceChange[]> {
      return (await conn.rows<{ collection_id: number; seq: number; listed: number }>(CHANGES_SINCE, [deviceId, seq]))
        .map((r) => ({ collectionId: r.collection_id, listed: r.listed === 1, seq: r.seq }));
    },
    async getDevicePolicy(userId) {
      const r = await conn.row<{ device_passwords_required: number | null }>(GET_POLICY, [userId]);
      return r === undefined || r.device_passwords_required === null ? null : r.device_passwords_required === 1;
    },
    async setDevicePolicy(userId, required) {
      await conn.tx(async (s) => {
        if ((await s.run(SET_POLICY, [required === null ? null : bit(required), userId])) === 0) throw new NotFound(`user ${userId}`);
        s.notify({ type: 'devices-changed', userId });
      });
    },
  };
}
