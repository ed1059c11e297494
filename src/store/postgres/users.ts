// Accounts and people: the PostgreSQL twin of ../sqlite/users.ts. Password hashes leave the
// store only through getCredentials. No read cache here: with several processes on one database
// a cached credential could outlive a password change made by another (issue 18 item 3).
import { Conflict, NotFound, PreconditionFailed } from '../errors.js';
import { addressKey, type Person, type UserCredentials, type UserStore } from '../users.js';
import type { Home } from '../collections.js';
import type { ChangeLog } from './changes.js';
import { bit, now, sql, type Connection, type Sql } from './connection.js';
import { toUser, USER_COLUMNS, type UserRow } from '../rows.js';

const BY_NAME = sql(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`);
const BY_ID = sql(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
const CREDS = sql(`SELECT ${USER_COLUMNS}, password_hash, credential_version FROM users WHERE username = ?`);
const ALL = sql(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`);
const COUNT = sql('SELECT count(*) FROM users');
const INSERT = sql(`
  INSERT INTO users (username, display_name, email, is_admin, password_hash, credential_version, created_at)
  VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING ${USER_COLUMNS}`);
const VERSION_OF = sql('SELECT credential_version FROM users WHERE username = ?');
const SET_PW = sql('UPDATE users SET password_hash = ?, credential_version = credential_version + 1 WHERE username = ?');
// Other users' instances of this user's calendars and address books: their homes must report them removed.
const SHAREES = sql(`
  SELECT i.user_id AS "userId", i.home, i.uri FROM instances i JOIN collections c ON c.id = i.collection_id
  WHERE c.owner_id = ? AND i.user_id <> c.owner_id`);
const REMOVE = sql('DELETE FROM users WHERE id = ?');
const ADDRESSES_OF = sql('SELECT address FROM user_addresses WHERE user_id = ? ORDER BY position');
const ALL_ADDRESSES = sql('SELECT user_id AS "userId", address FROM user_addresses ORDER BY user_id, position');
const OWNER_OF = sql('SELECT user_id FROM user_addresses WHERE address_key = ?');
const BY_ADDRESS = sql(`SELECT ${USER_COLUMNS} FROM users WHERE id = (SELECT user_id FROM user_addresses WHERE address_key = ?)`);
const CLEAR_ADDRESSES = sql('DELETE FROM user_addresses WHERE user_id = ?');
const INSERT_ADDRESS = sql('INSERT INTO user_addresses (user_id, address, address_key, position) VALUES (?, ?, ?, ?)');
const SET_NAME = sql('UPDATE users SET display_name = ? WHERE id = ?');
const SET_PRIMARY = sql('UPDATE users SET email = ? WHERE id = ?');

/** Replaces a user's addresses inside a write; Conflict when one belongs to someone else. */
async function writeAddresses(s: Sql, userId: number, addresses: readonly string[]): Promise<void> {
  const seen = new Set<string>();
  const kept: { address: string; key: string }[] = [];
  for (const raw of addresses) {
    const address = raw.trim();
    const key = addressKey(address);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    const owner = await s.value<number>(OWNER_OF, [key]);
    if (owner !== undefined && owner !== userId) throw new Conflict(`the address ${address} belongs to another user`);
    kept.push({ address, key });
  }
  await s.run(CLEAR_ADDRESSES, [userId]);
  for (const [i, a] of kept.entries()) await s.run(INSERT_ADDRESS, [userId, a.address, a.key, i]);
  await s.run(SET_PRIMARY, [kept[0]?.address ?? null, userId]);
}

/** The UserStore of a PostgreSQL store (../users.ts). */
export function userStore(conn: Connection, log: ChangeLog): UserStore {
  return {
    async createUser(init) {
      return conn.tx(async (s) => {
        if (await s.row(BY_NAME, [init.username])) throw new Conflict(`user ${init.username} exists`);
        const row = (await s.row<UserRow>(INSERT, [
          init.username, init.displayName ?? init.username, init.email ?? null, bit(init.isAdmin ?? false), init.passwordHash, now(),
        ]))!;
        if (init.email) {
          await writeAddresses(s, row.id, [init.email]);
          return toUser((await s.row<UserRow>(BY_ID, [row.id]))!);
        }
        return toUser(row);
      });
    },
    async getUser(username) {
      const r = await conn.row<UserRow>(BY_NAME, [username]);
      return r ? toUser(r) : null;
    },
    async getUserById(id) {
      const r = await conn.row<UserRow>(BY_ID, [id]);
      return r ? toUser(r) : null;
    },
    async getCredentials(username): Promise<UserCredentials | null> {
      const r = await conn.row<UserRow & { password_hash: string; credential_version: number }>(CREDS, [username]);
      return r ? { user: toUser(r), passwordHash: r.password_hash, credentialVersion: r.credential_version } : null;
    },
    async listUsers() {
      return (await conn.rows<UserRow>(ALL)).map(toUser);
    },
    async setPassword(username, passwordHash, opts) {
      await conn.tx(async (s) => {
        // In the write transaction, which holds every process's write lock (connection.ts).
        if (opts?.ifCredentialVersion !== undefined) {
          const v = await s.value<number>(VERSION_OF, [username]);
          if (v === undefined) throw new NotFound(`user ${username}`);
          if (v !== opts.ifCredentialVersion) throw new PreconditionFailed('the credentials changed');
        }
        if ((await s.run(SET_PW, [passwordHash, username])) === 0) throw new NotFound(`user ${username}`);
        s.notify({ type: 'credentials-changed', username });
      });
    },
    async deleteUser(username) {
      await conn.tx(async (s) => {
        const u = await s.row<UserRow>(BY_NAME, [username]);
        if (!u) throw new NotFound(`user ${username}`);
        s.notify({ type: 'credentials-changed', username });
        const affected = await s.rows<{ userId: number; home: Home; uri: string }>(SHAREES, [u.id]);
        if (affected.length > 0) {
          const seq = await s.nextSeq();
          for (const a of affected) await log.tombstone(s, a.userId, a.home, a.uri, seq);
        }
        // ON DELETE CASCADE takes collections, objects, change log, dead properties, instances,
        // shares, home tombstones and feed tokens with it.
        await s.run(REMOVE, [u.id]);
      });
    },
    async countUsers() {
      return (await conn.value<number>(COUNT))!;
    },
    async setUserProfile(username, profile) {
      return conn.tx(async (s) => {
        const u = await s.row<UserRow>(BY_NAME, [username]);
        if (!u) throw new NotFound(`user ${username}`);
        if (profile.displayName !== undefined) await s.run(SET_NAME, [profile.displayName, u.id]);
        if (profile.addresses !== undefined) await writeAddresses(s, u.id, profile.addresses);
        return toUser((await s.row<UserRow>(BY_ID, [u.id]))!);
      });
    },
    async listUserAddresses(userId) {
      return (await conn.rows<{ address: string }>(ADDRESSES_OF, [userId])).map((r) => r.address);
    },
    async findUserByEmail(address) {
      const key = addressKey(address);
      if (key === '') return null;
      const r = await conn.row<UserRow>(BY_ADDRESS, [key]);
      return r ? toUser(r) : null;
    },
    async listPeople(): Promise<Person[]> {
      const people = (await conn.rows<UserRow>(ALL)).map((r) => ({ ...toUser(r), addresses: [] as string[] }));
      const byUserId = new Map(people.map((p) => [p.id, p]));
      for (const a of await conn.rows<{ userId: number; address: string }>(ALL_ADDRESSES)) byUserId.get(a.userId)?.addresses.push(a.address);
      return people;
    },
  };
}
