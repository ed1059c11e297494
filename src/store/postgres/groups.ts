// Groups, their members and the collections shared with them: the PostgreSQL twin of
// ../sqlite/groups.ts. Every change of membership or of a group share reconciles the affected
// members' instances in the same transaction (group-access.ts).
import { Conflict, NotFound } from '../errors.js';
import type { Group, GroupMemberAddresses, GroupShare, GroupStore } from '../groups.js';
import { addressKey } from '../users.js';
import { now, sql, type Connection, type Sql, type Tx } from './connection.js';
import type { GroupAccess } from './group-access.js';
import { toUser, USER_COLUMNS, type UserRow } from '../rows.js';

interface GroupRow {
  id: number;
  name: string;
  display_name: string;
  email: string | null;
  created_at: string;
}

const GROUP_COLUMNS = 'id, name, display_name, email, created_at';
const toGroup = (r: GroupRow): Group => ({ id: r.id, name: r.name, displayName: r.display_name, email: r.email, createdAt: r.created_at });

const BY_NAME = sql(`SELECT ${GROUP_COLUMNS} FROM groups WHERE name = ?`);
const BY_ID = sql(`SELECT ${GROUP_COLUMNS} FROM groups WHERE id = ?`);
const BY_EMAIL = sql(`SELECT ${GROUP_COLUMNS} FROM groups WHERE email_key = ?`);
const ALL = sql(`SELECT ${GROUP_COLUMNS} FROM groups ORDER BY name`);
const INSERT = sql(`INSERT INTO groups (name, display_name, email, email_key, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${GROUP_COLUMNS}`);
const SET_NAME = sql('UPDATE groups SET display_name = ? WHERE id = ?');
const SET_EMAIL = sql('UPDATE groups SET email = ?, email_key = ? WHERE id = ?');
const REMOVE = sql('DELETE FROM groups WHERE id = ?');
const MEMBER_IDS = sql('SELECT user_id AS id FROM group_members WHERE group_id = ?');
const USER_EXISTS = sql('SELECT 1 FROM users WHERE id = ?');
const ADD_MEMBER = sql('INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
const REMOVE_MEMBER = sql('DELETE FROM group_members WHERE group_id = ? AND user_id = ?');
const MEMBERS = sql(`
  SELECT ${USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')} FROM group_members gm JOIN users u ON u.id = gm.user_id
  WHERE gm.group_id = ? ORDER BY u.username`);
const GROUPS_OF = sql(`
  SELECT ${GROUP_COLUMNS.split(', ').map((c) => `g.${c}`).join(', ')} FROM group_members gm JOIN groups g ON g.id = gm.group_id
  WHERE gm.user_id = ? ORDER BY g.name`);
const ADDRESSES_OF_MEMBERS = sql(`
  SELECT a.user_id AS "userId", a.address FROM user_addresses a JOIN group_members gm ON gm.user_id = a.user_id
  WHERE gm.group_id = ? ORDER BY a.user_id, a.position`);
const COLLECTIONS_OF = sql('SELECT collection_id AS id FROM group_shares WHERE group_id = ?');
const COLLECTION_KIND = sql('SELECT kind FROM collections WHERE id = ?');
const UPSERT_SHARE = sql(`
  INSERT INTO group_shares (group_id, collection_id, access) VALUES (?, ?, ?)
  ON CONFLICT (group_id, collection_id) DO UPDATE SET access = excluded.access`);
const DELETE_SHARE = sql('DELETE FROM group_shares WHERE group_id = ? AND collection_id = ?');
const SHARES_OF = sql(`
  SELECT gs.collection_id AS "collectionId", gs.group_id AS "groupId", g.name AS "groupName", gs.access
  FROM group_shares gs JOIN groups g ON g.id = gs.group_id WHERE gs.collection_id = ? ORDER BY g.name`);
const SHARED_WITH = sql(`
  SELECT gs.collection_id AS "collectionId", gs.group_id AS "groupId", g.name AS "groupName", gs.access
  FROM group_shares gs JOIN groups g ON g.id = gs.group_id WHERE gs.group_id = ? ORDER BY gs.collection_id`);

const ids = async (s: Sql, stmt: typeof MEMBER_IDS, id: number) => (await s.rows<{ id: number }>(stmt, [id])).map((r) => r.id);

/** The GroupStore of a PostgreSQL store (../groups.ts). */
export function groupStore(conn: Connection, access: GroupAccess): GroupStore {
  const group = async (s: Sql, name: string): Promise<GroupRow> => {
    const g = await s.row<GroupRow>(BY_NAME, [name]);
    if (!g) throw new NotFound(`group ${name}`);
    return g;
  };
  /** One sequence number per transaction, taken on the first change. */
  const lazySeq = (s: Tx) => {
    let seq: number | undefined;
    return async () => (seq ??= await s.nextSeq());
  };
  const reconcileUsers = async (s: Tx, groupId: number, userIds: Iterable<number>, seq: () => Promise<number>, collections?: number[]) => {
    const cs = collections ?? (await ids(s, COLLECTIONS_OF, groupId));
    for (const u of userIds) for (const c of cs) await access.reconcile(s, u, c, seq);
  };
  const emailKey = (email: string | null | undefined) => {
    if (email === null || email === undefined || email.trim() === '') return { email: null, key: null };
    return { email: email.trim().replace(/^mailto:/i, ''), key: addressKey(email) };
  };

  return {
    async createGroup(init) {
      return conn.tx(async (s) => {
        if (await s.row(BY_NAME, [init.name])) throw new Conflict(`group ${init.name} exists`);
        const { email, key } = emailKey(init.email);
        if (key && (await s.row(BY_EMAIL, [key]))) throw new Conflict(`the address ${email} belongs to another group`);
        return toGroup((await s.row<GroupRow>(INSERT, [init.name, init.displayName ?? init.name, email, key, now()]))!);
      });
    },
    async getGroup(name) {
      const r = await conn.row<GroupRow>(BY_NAME, [name]);
      return r ? toGroup(r) : null;
    },
    async getGroupById(id) {
      const r = await conn.row<GroupRow>(BY_ID, [id]);
      return r ? toGroup(r) : null;
    },
    async listGroups() {
      return (await conn.rows<GroupRow>(ALL)).map(toGroup);
    },
    async updateGroup(name, change) {
      return conn.tx(async (s) => {
        const g = await group(s, name);
        if (change.displayName !== undefined) await s.run(SET_NAME, [change.displayName, g.id]);
        if (change.email !== undefined) {
          const { email, key } = emailKey(change.email);
          const other = key ? await s.row<GroupRow>(BY_EMAIL, [key]) : undefined;
          if (other && other.id !== g.id) throw new Conflict(`the address ${email} belongs to another group`);
          await s.run(SET_EMAIL, [email, key, g.id]);
        }
        return toGroup((await s.row<GroupRow>(BY_ID, [g.id]))!);
      });
    },
    async deleteGroup(name) {
      await conn.tx(async (s) => {
        const g = await group(s, name);
        const users = await ids(s, MEMBER_IDS, g.id);
        const collections = await ids(s, COLLECTIONS_OF, g.id);
        // The cascade takes members and shares; then each member keeps what other groups give.
        await s.run(REMOVE, [g.id]);
        await reconcileUsers(s, g.id, users, lazySeq(s), collections);
      });
    },
    async setGroupMembers(name, userIds) {
      await conn.tx(async (s) => {
        const g = await group(s, name);
        const wanted = new Set(userIds);
        for (const u of wanted) if (!(await s.value(USER_EXISTS, [u]))) throw new NotFound(`user ${u}`);
        const before = new Set(await ids(s, MEMBER_IDS, g.id));
        const changed: number[] = [];
        for (const u of before) if (!wanted.has(u)) { await s.run(REMOVE_MEMBER, [g.id, u]); changed.push(u); }
        for (const u of wanted) if (!before.has(u)) { await s.run(ADD_MEMBER, [g.id, u]); changed.push(u); }
        await reconcileUsers(s, g.id, changed, lazySeq(s));
      });
    },
    async addGroupMember(name, userId) {
      await conn.tx(async (s) => {
        const g = await group(s, name);
        if (!(await s.value(USER_EXISTS, [userId]))) throw new NotFound(`user ${userId}`);
        if ((await s.run(ADD_MEMBER, [g.id, userId])) > 0) await reconcileUsers(s, g.id, [userId], lazySeq(s));
      });
    },
    async removeGroupMember(name, userId) {
      await conn.tx(async (s) => {
        const g = await group(s, name);
        if ((await s.run(REMOVE_MEMBER, [g.id, userId])) > 0) await reconcileUsers(s, g.id, [userId], lazySeq(s));
      });
    },
    async listGroupMembers(groupId) {
      return (await conn.rows<UserRow>(MEMBERS, [groupId])).map(toUser);
    },
    async listUserGroups(userId) {
      return (await conn.rows<GroupRow>(GROUPS_OF, [userId])).map(toGroup);
    },
    async findGroupByEmail(address) {
      const key = addressKey(address);
      if (key === '') return null;
      const r = await conn.row<GroupRow>(BY_EMAIL, [key]);
      return r ? toGroup(r) : null;
    },
    async groupMemberAddresses(groupId): Promise<GroupMemberAddresses[]> {
      const list = (await conn.rows<UserRow>(MEMBERS, [groupId])).map((r) => ({ user: toUser(r), addresses: [] as string[] }));
      const byUser = new Map(list.map((m) => [m.user.id, m]));
      for (const a of await conn.rows<{ userId: number; address: string }>(ADDRESSES_OF_MEMBERS, [groupId])) byUser.get(a.userId)?.addresses.push(a.address);
      return list;
    },
    async shareWithGroup(collectionId, groupId, level) {
      await conn.tx(async (s) => {
        const kind = await s.value<string>(COLLECTION_KIND, [collectionId]);
        if (kind === undefined) throw new NotFound(`collection ${collectionId}`);
        if (kind === 'plain') throw new Conflict('plain collections cannot be shared');
        if (!(await s.row(BY_ID, [groupId]))) throw new NotFound(`group ${groupId}`);
        await s.run(UPSERT_SHARE, [groupId, collectionId, level]);
        await reconcileUsers(s, groupId, await ids(s, MEMBER_IDS, groupId), lazySeq(s), [collectionId]);
      });
    },
    async unshareWithGroup(collectionId, groupId) {
      await conn.tx(async (s) => {
        if ((await s.run(DELETE_SHARE, [groupId, collectionId])) === 0) throw new NotFound(`collection ${collectionId} is not shared with group ${groupId}`);
        await reconcileUsers(s, groupId, await ids(s, MEMBER_IDS, groupId), lazySeq(s), [collectionId]);
      });
    },
    async listGroupShares(collectionId) {
      return conn.rows<GroupShare>(SHARES_OF, [collectionId]);
    },
    async listGroupCollections(groupId) {
      return conn.rows<GroupShare>(SHARED_WITH, [groupId]);
    },
  };
}
