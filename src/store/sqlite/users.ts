// Accounts. Password hashes leave the store only through getCredentials.
import { Conflict, NotFound } from '../errors.js';
import type { User, UserCredentials, UserStore } from '../users.js';
import type { Home } from '../collections.js';
import type { ChangeLog } from './changes.js';
import { bit, now, type Connection } from './connection.js';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  is_admin: number;
  created_at: string;
}

const USER_COLUMNS = 'id, username, display_name, email, is_admin, created_at';

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    isAdmin: r.is_admin === 1,
    createdAt: r.created_at,
  };
}


/** The UserStore of a SQLite store (../users.ts). */
export function userStore(conn: Connection, log: ChangeLog): UserStore {
  const { db } = conn;
  const byName = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`);
  const byId = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
  const creds = db.prepare(`SELECT ${USER_COLUMNS}, password_hash, credential_version FROM users WHERE username = ?`);
  const all = db.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`);
  const count = db.prepare('SELECT count(*) FROM users').pluck();
  const insert = db.prepare(`
    INSERT INTO users (username, display_name, email, is_admin, password_hash, credential_version, created_at)
    VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING ${USER_COLUMNS}`);
  const setPw = db.prepare(
    'UPDATE users SET password_hash = ?, credential_version = credential_version + 1 WHERE username = ?',
  );
  // Other users' instances of this user's calendars and address books: their homes must report them removed.
  const sharees = db.prepare(`
    SELECT i.user_id AS userId, i.home, i.uri FROM instances i JOIN collections c ON c.id = i.collection_id
    WHERE c.owner_id = ? AND i.user_id <> c.owner_id`);
  const remove = db.prepare('DELETE FROM users WHERE id = ?');
  // Every authenticated request reads its user: cached until any write (a password change bumps
  // credential_version in a write, which empties the cache, also when another process made it).
  const credsCache = conn.readCache<UserCredentials | null>(1000);

  return {
    async createUser(init) {
      return conn.write(() => {
        if (byName.get(init.username)) throw new Conflict(`user ${init.username} exists`);
        const row = insert.get(
          init.username,
          init.displayName ?? init.username,
          init.email ?? null,
          bit(init.isAdmin ?? false),
          init.passwordHash,
          now(),
        ) as UserRow;
        return toUser(row);
      });
    },
    async getUser(username) {
      const r = byName.get(username) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    async getUserById(id) {
      const r = byId.get(id) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    async getCredentials(username): Promise<UserCredentials | null> {
      return credsCache.get(username, () => {
        const r = creds.get(username) as (UserRow & { password_hash: string; credential_version: number }) | undefined;
        return r ? { user: toUser(r), passwordHash: r.password_hash, credentialVersion: r.credential_version } : null;
      });
    },
    async listUsers() {
      return (all.all() as UserRow[]).map(toUser);
    },
    async setPassword(username, passwordHash) {
      conn.write(() => {
        if (setPw.run(passwordHash, username).changes === 0) throw new NotFound(`user ${username}`);
      });
    },
    async deleteUser(username) {
      conn.write(() => {
        const u = byName.get(username) as UserRow | undefined;
        if (!u) throw new NotFound(`user ${username}`);
        const affected = sharees.all(u.id) as { userId: number; home: Home; uri: string }[];
        if (affected.length > 0) {
          const seq = conn.nextSeq();
          for (const a of affected) log.tombstone(a.userId, a.home, a.uri, seq);
        }
        // ON DELETE CASCADE takes collections, objects, change log, dead properties, instances,
        // shares, home tombstones and feed tokens with it.
        remove.run(u.id);
      });
    },
    async countUsers() {
      return count.get() as number;
    },
  };
}
