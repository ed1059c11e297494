// Accounts. Password hashes leave the store only through getCredentials.
import { Conflict, NotFound, PreconditionFailed } from '../errors.js';
import { addressKey, type Person, type UserCredentials, type UserStore } from '../users.js';
import type { Home } from '../collections.js';
import type { ChangeLog } from './changes.js';
import { bit, now, type Connection } from './connection.js';

import { USER_COLUMNS, toUser, type UserRow } from '../rows.js';


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
  const versionOf = db.prepare('SELECT credential_version FROM users WHERE username = ?').pluck();
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
  // People (migration 007): addresses, primary first; users.email mirrors position 0.
  const addressesOf = db.prepare('SELECT address FROM user_addresses WHERE user_id = ? ORDER BY position').pluck();
  const allAddresses = db.prepare('SELECT user_id AS userId, address FROM user_addresses ORDER BY user_id, position');
  const ownerOf = db.prepare('SELECT user_id FROM user_addresses WHERE address_key = ?').pluck();
  const byAddress = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = (SELECT user_id FROM user_addresses WHERE address_key = ?)`);
  const clearAddresses = db.prepare('DELETE FROM user_addresses WHERE user_id = ?');
  const insertAddress = db.prepare('INSERT INTO user_addresses (user_id, address, address_key, position) VALUES (?, ?, ?, ?)');
  const setName = db.prepare('UPDATE users SET display_name = ? WHERE id = ?');
  const setPrimary = db.prepare('UPDATE users SET email = ? WHERE id = ?');

  /** Replaces a user's addresses inside a write; Conflict when one belongs to someone else. */
  function writeAddresses(userId: number, addresses: readonly string[]): void {
    const seen = new Set<string>();
    const kept: { address: string; key: string }[] = [];
    for (const raw of addresses) {
      const address = raw.trim();
      const key = addressKey(address);
      if (key === '' || seen.has(key)) continue;
      seen.add(key);
      const owner = ownerOf.get(key) as number | undefined;
      if (owner !== undefined && owner !== userId) throw new Conflict(`the address ${address} belongs to another user`);
      kept.push({ address, key });
    }
    clearAddresses.run(userId);
    kept.forEach((a, i) => insertAddress.run(userId, a.address, a.key, i));
    setPrimary.run(kept[0]?.address ?? null, userId);
  }

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
        if (init.email) {
          writeAddresses(row.id, [init.email]);
          return toUser(byId.get(row.id) as UserRow);
        }
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
    async setPassword(username, passwordHash, opts) {
      conn.write(() => {
        if (opts?.ifCredentialVersion !== undefined) {
          const v = versionOf.get(username) as number | undefined;
          if (v === undefined) throw new NotFound(`user ${username}`);
          if (v !== opts.ifCredentialVersion) throw new PreconditionFailed('the credentials changed');
        }
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
    async setUserProfile(username, profile) {
      return conn.write(() => {
        const u = byName.get(username) as UserRow | undefined;
        if (!u) throw new NotFound(`user ${username}`);
        if (profile.displayName !== undefined) setName.run(profile.displayName, u.id);
        if (profile.addresses !== undefined) writeAddresses(u.id, profile.addresses);
        return toUser(byId.get(u.id) as UserRow);
      });
    },
    async listUserAddresses(userId) {
      return addressesOf.all(userId) as string[];
    },
    async findUserByEmail(address) {
      const key = addressKey(address);
      if (key === '') return null;
      const r = byAddress.get(key) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    async listPeople(): Promise<Person[]> {
      const people = (all.all() as UserRow[]).map((r) => ({ ...toUser(r), addresses: [] as string[] }));
      const byUserId = new Map(people.map((p) => [p.id, p]));
      for (const a of allAddresses.all() as { userId: number; address: string }[]) byUserId.get(a.userId)?.addresses.push(a.address);
      return people;
    },
  };
}
