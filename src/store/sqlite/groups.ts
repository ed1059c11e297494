// Groups, their members and the collections shared with them (../groups.ts). Every change of
// membership or of a group share reconciles the affected members' instances in the same
// transaction (group-access.ts), leaving home tombstones for what members lose.
import { Conflict, NotFound } from '../errors.js';
import type { Group, GroupMemberAddresses, GroupShare, GroupStore } from '../groups.js';
import { addressKey } from '../users.js';
import type { Connection } from './connection.js';
import { now } from './connection.js';
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

/** The GroupStore of a SQLite store (../groups.ts). */
export function groupStore(conn: Connection, access: GroupAccess): GroupStore {
  const { db } = conn;
  const byName = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE name = ?`);
  const byId = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE id = ?`);
  const byEmail = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE email_key = ?`);
  const all = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups ORDER BY name`);
  const insert = db.prepare(`INSERT INTO groups (name, display_name, email, email_key, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${GROUP_COLUMNS}`);
  const setName = db.prepare('UPDATE groups SET display_name = ? WHERE id = ?');
  const setEmail = db.prepare('UPDATE groups SET email = ?, email_key = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM groups WHERE id = ?');
  const memberIds = db.prepare('SELECT user_id FROM group_members WHERE group_id = ?').pluck();
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const addMember = db.prepare('INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)');
  const removeMember = db.prepare('DELETE FROM group_members WHERE group_id = ? AND user_id = ?');
  const members = db.prepare(`
    SELECT ${USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')} FROM group_members gm JOIN users u ON u.id = gm.user_id
    WHERE gm.group_id = ? ORDER BY u.username`);
  const groupsOf = db.prepare(`
    SELECT ${GROUP_COLUMNS.split(', ').map((c) => `g.${c}`).join(', ')} FROM group_members gm JOIN groups g ON g.id = gm.group_id
    WHERE gm.user_id = ? ORDER BY g.name`);
  const addressesOfMembers = db.prepare(`
    SELECT a.user_id AS userId, a.address FROM user_addresses a JOIN group_members gm ON gm.user_id = a.user_id
    WHERE gm.group_id = ? ORDER BY a.user_id, a.position`);
  const collectionsOf = db.prepare('SELECT collection_id FROM group_shares WHERE group_id = ?').pluck();
  const collectionKind = db.prepare('SELECT kind FROM collections WHERE id = ?').pluck();
  const upsertShare = db.prepare(`
    INSERT INTO group_shares (group_id, collection_id, access) VALUES (?, ?, ?)
    ON CONFLICT (group_id, collection_id) DO UPDATE SET access = excluded.access`);
  const deleteShare = db.prepare('DELETE FROM group_shares WHERE group_id = ? AND collection_id = ?');
  const sharesOf = db.prepare(`
    SELECT gs.collection_id AS collectionId, gs.group_id AS groupId, g.name AS groupName, gs.access
    FROM group_shares gs JOIN groups g ON g.id = gs.group_id WHERE gs.collection_id = ? ORDER BY g.name`);
  const sharedWith = db.prepare(`
    SELECT gs.collection_id AS collectionId, gs.group_id AS groupId, g.name AS groupName, gs.access
    FROM group_shares gs JOIN groups g ON g.id = gs.group_id WHERE gs.group_id = ? ORDER BY gs.collection_id`);

  const group = (name: string): GroupRow => {
    const g = byName.get(name) as GroupRow | undefined;
    if (!g) throw new NotFound(`group ${name}`);
    return g;
  };
  /** One sequence number per transaction, taken on the first change. */
  const lazySeq = () => {
    let seq: number | undefined;
    return () => (seq ??= conn.nextSeq());
  };
  /** Reconciles every (user, collection of the group) pair for the given users. */
  const reconcileUsers = (groupId: number, userIds: Iterable<number>, seq: () => number, collections = collectionsOf.all(groupId) as number[]) => {
    for (const u of userIds) for (const c of collections) access.reconcile(u, c, seq);
  };
  const emailKey = (email: string | null | undefined) => {
    if (email === null || email === undefined || email.trim() === '') return { email: null, key: null };
    return { email: email.trim().replace(/^mailto:/i, ''), key: addressKey(email) };
  };

  return {
    async createGroup(init) {
      return conn.write(() => {
        if (byName.get(init.name)) throw new Conflict(`group ${init.name} exists`);
        const { email, key } = emailKey(init.email);
        if (key && byEmail.get(key)) throw new Conflict(`the address ${email} belongs to another group`);
        return toGroup(insert.get(init.name, init.displayName ?? init.name, email, key, now()) as GroupRow);
      });
    },
    async getGroup(name) {
      const r = byName.get(name) as GroupRow | undefined;
      return r ? toGroup(r) : null;
    },
    async getGroupById(id) {
      const r = byId.get(id) as GroupRow | undefined;
      return r ? toGroup(r) : null;
    },
    async listGroups() {
      return (all.all() as GroupRow[]).map(toGroup);
    },
    async updateGroup(name, change) {
      return conn.write(() => {
        const g = group(name);
        if (change.displayName !== undefined) setName.run(change.displayName, g.id);
        if (change.email !== undefined) {
          const { email, key } = emailKey(change.email);
          const other = key ? (byEmail.get(key) as GroupRow | undefined) : undefined;
          if (other && other.id !== g.id) throw new Conflict(`the address ${email} belongs to another group`);
          setEmail.run(email, key, g.id);
        }
        return toGroup(byId.get(g.id) as GroupRow);
      });
    },
    async deleteGroup(name) {
      conn.write(() => {
        const g = group(name);
        const users = memberIds.all(g.id) as number[];
        const collections = collectionsOf.all(g.id) as number[];
        // The cascade takes members and shares; then each member keeps what other groups give.
        remove.run(g.id);
        reconcileUsers(g.id, users, lazySeq(), collections);
      });
    },
    async setGroupMembers(name, userIds) {
      conn.write(() => {
        const g = group(name);
        const wanted = new Set(userIds);
        for (const u of wanted) if (!userExists.get(u)) throw new NotFound(`user ${u}`);
        const before = new Set(memberIds.all(g.id) as number[]);
        const changed: number[] = [];
        for (const u of before) if (!wanted.has(u)) { removeMember.run(g.id, u); changed.push(u); }
        for (const u of wanted) if (!before.has(u)) { addMember.run(g.id, u); changed.push(u); }
        reconcileUsers(g.id, changed, lazySeq());
      });
    },
    async addGroupMember(name, userId) {
      conn.write(() => {
        const g = group(name);
        if (!userExists.get(userId)) throw new NotFound(`user ${userId}`);
        if (addMember.run(g.id, userId).changes > 0) reconcileUsers(g.id, [userId], lazySeq());
      });
    },
    async removeGroupMember(name, userId) {
      conn.write(() => {
        const g = group(name);
        if (removeMember.run(g.id, userId).changes > 0) reconcileUsers(g.id, [userId], lazySeq());
      });
    },
    async listGroupMembers(groupId) {
      return (members.all(groupId) as UserRow[]).map(toUser);
    },
    async listUserGroups(userId) {
      return (groupsOf.all(userId) as GroupRow[]).map(toGroup);
    },
    async findGroupByEmail(address) {
      const key = addressKey(address);
      if (key === '') return null;
      const r = byEmail.get(key) as GroupRow | undefined;
      return r ? toGroup(r) : null;
    },
    async groupMemberAddresses(groupId): Promise<GroupMemberAddresses[]> {
      const list = (members.all(groupId) as UserRow[]).map((r) => ({ user: toUser(r), addresses: [] as string[] }));
      const byUser = new Map(list.map((m) => [m.user.id, m]));
      for (const a of addressesOfMembers.all(groupId) as { userId: number; address: string }[]) byUser.get(a.userId)?.addresses.push(a.address);
      return list;
    },
    async shareWithGroup(collectionId, groupId, level) {
      conn.write(() => {
        const kind = collectionKind.get(collectionId) as string | undefined;
        if (kind === undefined) throw new NotFound(`collection ${collectionId}`);
        // Generic over collection kinds: calendars now, address books once they exist; plain
        // WebDAV folders are their owner's alone.
        if (kind === 'plain') throw new Conflict('plain collections cannot be shared');
        if (!byId.get(groupId)) throw new NotFound(`group ${groupId}`);
        upsertShare.run(groupId, collectionId, level);
        reconcileUsers(groupId, memberIds.all(groupId) as number[], lazySeq(), [collectionId]);
      });
    },
    async unshareWithGroup(collectionId, groupId) {
      conn.write(() => {
        if (deleteShare.run(groupId, collectionId).changes === 0) throw new NotFound(`collection ${collectionId} is not shared with group ${groupId}`);
        reconcileUsers(groupId, memberIds.all(groupId) as number[], lazySeq(), [collectionId]);
      });
    },
    async listGroupShares(collectionId) {
      return sharesOf.all(collectionId) as GroupShare[];
    },
    async listGroupCollections(groupId) {
      return sharedWith.all(groupId) as GroupShare[];
    },
  };
}
