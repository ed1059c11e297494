// Web sessions: the PostgreSQL twin of ../sqlite/sessions.ts (see ../sessions.ts). No read cache:
// a session ended by another process must be refused on the next request.
import { NotFound } from '../errors.js';
import { MAX_SESSIONS_PER_USER, type SessionStore, type StoredSession } from '../sessions.js';
import { sql, type Connection } from './connection.js';

interface SessionRow {
  user_id: number;
  csrf: string;
  credential_version: number | null;
  created_at: number;
  expires_at: number;
}

const toSession = (r: SessionRow): StoredSession => ({
  userId: r.user_id, csrf: r.csrf, credentialVersion: r.credential_version, createdAt: r.created_at, expiresAt: r.expires_at,
});

const USER_EXISTS = sql('SELECT 1 FROM users WHERE id = ?');
const INSERT = sql(`INSERT INTO web_sessions (token_hash, user_id, csrf, credential_version, created_at, expires_at)
  VALUES (@tokenHash, @userId, @csrf, @credentialVersion, @createdAt, @expiresAt)`);
const EXPIRED_OF = sql('DELETE FROM web_sessions WHERE user_id = ? AND expires_at <= ?');
const OVER_CAP = sql(`DELETE FROM web_sessions WHERE user_id = @u AND id NOT IN
  (SELECT id FROM web_sessions WHERE user_id = @u ORDER BY expires_at DESC, id DESC LIMIT ${MAX_SESSIONS_PER_USER})`);
const FIND = sql('SELECT user_id, csrf, credential_version, created_at, expires_at FROM web_sessions WHERE token_hash = ? AND expires_at > ?');
const TOUCH = sql('UPDATE web_sessions SET expires_at = @at WHERE token_hash = @h AND expires_at > @now AND expires_at < @at');
const BIND = sql('UPDATE web_sessions SET credential_version = ? WHERE token_hash = ? AND credential_version IS NULL');
const REMOVE = sql('DELETE FROM web_sessions WHERE token_hash = ?');
const REMOVE_USER = sql('DELETE FROM web_sessions WHERE user_id = ? AND token_hash IS DISTINCT FROM ?');
const UNBIND = sql('UPDATE web_sessions SET credential_version = NULL WHERE user_id = ? AND token_hash = ?');
const PRUNE = sql('DELETE FROM web_sessions WHERE expires_at <= ?');

/** The SessionStore of a PostgreSQL store (../sessions.ts). */
export function sessionStore(conn: Connection): SessionStore {
  return {
    async createSession(init) {
      await conn.tx(async (s) => {
        if (!(await s.value(USER_EXISTS, [init.userId]))) throw new NotFound(`user ${init.userId}`);
        await s.run(EXPIRED_OF, [init.userId, init.createdAt]);
        await s.run(INSERT, init as unknown as Record<string, unknown>);
        await s.run(OVER_CAP, { u: init.userId });
      });
    },
    async findSession(tokenHash, now) {
      const r = await conn.row<SessionRow>(FIND, [tokenHash, now]);
      return r ? toSession(r) : null;
    },
    // The statements below touch one session's row (or one user's): single statements, atomic on
    // their own, so they need not wait for the store's write lock.
    async touchSession(tokenHash, expiresAt, now) {
      await conn.run(TOUCH, { h: tokenHash, at: expiresAt, now });
    },
    async bindSessionCredentials(tokenHash, version) {
      await conn.run(BIND, [version, tokenHash]);
    },
    async deleteSession(tokenHash) {
      return (await conn.run(REMOVE, [tokenHash])) > 0;
    },
    async deleteUserSessions(userId, keepHash) {
      return conn.tx(async (s) => {
        const n = await s.run(REMOVE_USER, [userId, keepHash ?? null]);
        if (keepHash !== undefined) await s.run(UNBIND, [userId, keepHash]);
        return n;
      });
    },
    async pruneSessions(now) {
      return conn.run(PRUNE, [now]);
    },
  };
}
