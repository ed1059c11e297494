// Web sessions (../sessions.ts): one row per session, keyed by the hash of its cookie value.
// Never read through the read cache: `sundial user passwd` in another process ends sessions, and
// the next request must see it.
import { NotFound } from '../errors.js';
import { MAX_SESSIONS_PER_USER, type SessionStore } from '../sessions.js';
import { SESSION_COLUMNS, toSession, type SessionRow } from '../rows.js';
import type { Connection } from './connection.js';

/** The SessionStore of a SQLite store (../sessions.ts). */
export function sessionStore(conn: Connection): SessionStore {
  const { db } = conn;
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const insert = db.prepare(`INSERT INTO web_sessions (token_hash, user_id, csrf, credential_version, created_at, expires_at)
    VALUES (@tokenHash, @userId, @csrf, @credentialVersion, @createdAt, @expiresAt)`);
  const expiredOf = db.prepare('DELETE FROM web_sessions WHERE user_id = ? AND expires_at <= ?');
  // Beyond the cap, the least recently used go (expiry slides with use; id breaks ties).
  const overCap = db.prepare(`DELETE FROM web_sessions WHERE user_id = @u AND id NOT IN
    (SELECT id FROM web_sessions WHERE user_id = @u ORDER BY expires_at DESC, id DESC LIMIT ${MAX_SESSIONS_PER_USER})`);
  const find = db.prepare(`SELECT ${SESSION_COLUMNS} FROM web_sessions WHERE token_hash = ? AND expires_at > ?`);
  const touch = db.prepare('UPDATE web_sessions SET expires_at = @at WHERE token_hash = @h AND expires_at > @now AND expires_at < @at');
  const bind = db.prepare('UPDATE web_sessions SET credential_version = ? WHERE token_hash = ? AND credential_version IS NULL');
  const remove = db.prepare('DELETE FROM web_sessions WHERE token_hash = ?');
  const removeUser = db.prepare('DELETE FROM web_sessions WHERE user_id = ? AND token_hash IS NOT ?');
  const unbind = db.prepare('UPDATE web_sessions SET credential_version = NULL WHERE user_id = ? AND token_hash = ?');
  const prune = db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?');

  return {
    async createSession(init) {
      conn.write(() => {
        if (!userExists.get(init.userId)) throw new NotFound(`user ${init.userId}`);
        expiredOf.run(init.userId, init.createdAt);
        insert.run(init);
        overCap.run({ u: init.userId });
      });
    },
    async findSession(tokenHash, now) {
      const r = find.get(tokenHash, now) as SessionRow | undefined;
      return r ? toSession(r) : null;
    },
    async touchSession(tokenHash, expiresAt, now) {
      conn.write(() => touch.run({ h: tokenHash, at: expiresAt, now }));
    },
    async bindSessionCredentials(tokenHash, version) {
      conn.write(() => bind.run(version, tokenHash));
    },
    async deleteSession(tokenHash) {
      return conn.write(() => remove.run(tokenHash).changes > 0);
    },
    async deleteUserSessions(userId, keepHash) {
      return conn.write(() => {
        const n = removeUser.run(userId, keepHash ?? null).changes;
        if (keepHash !== undefined) unbind.run(userId, keepHash);
        return n;
      });
    },
    async pruneSessions(now) {
      return conn.write(() => prune.run(now).changes);
    },
  };
}
