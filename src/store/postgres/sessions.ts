// Web sessions: the PostgreSQL twin of ../sqlite/sessions.ts (see ../sessions.ts). No read cache:
// a session ended by another process must be refused on the next request.
import { NotFound } from '../errors.js';
import { MAX_SESSIONS_PER_USER, type SessionStore } from '../sessions.js';
import { SESSION_COLUMNS, toSession, type SessionRow } from '../rows.js';
import { sql, type Connection } from './connection.js';

// Nothing here moves the sync sequence and no cache depends on sessions: every method is one
// statement outside tx() (atomic on its own), so logins never wait for the store's write lock.
const INSERT = sql(`INSERT INTO web_sessions (token_hash, user_id, csrf, credential_version, created_at, expires_at)
  SELECT @tokenHash, @userId, @csrf, @credentialVersion, @createdAt, @expiresAt WHERE EXISTS (SELECT 1 FROM users WHERE id = @userId)`);
// The user's expired sessions, and beyond the cap the least recently used (expiry slides with
// use; id breaks ties). Run after the insert: two logins at once may leave one extra for a moment.
const TRIM = sql(`DELETE FROM web_sessions WHERE user_id = @u AND (expires_at <= @now OR id NOT IN
  (SELECT id FROM web_sessions WHERE user_id = @u AND expires_at > @now ORDER BY expires_at DESC, id DESC LIMIT ${MAX_SESSIONS_PER_USER}))`);
const FIND = sql(`SELECT ${SESSION_COLUMNS} FROM web_sessions WHERE token_hash = ? AND expires_at > ?`);
const TOUCH = sql('UPDATE web_sessions SET expires_at = @at WHERE token_hash = @h AND expires_at > @now AND expires_at < @at');
const BIND = sql('UPDATE web_sessions SET credential_version = ? WHERE token_hash = ? AND credential_version IS NULL');
const REMOVE = sql('DELETE FROM web_sessions WHERE token_hash = ?');
// One statement: the kept session is unbound and the others deleted together.
const REMOVE_USER = sql(`WITH kept AS (UPDATE web_sessions SET credential_version = NULL WHERE user_id = @u AND token_hash = @keep RETURNING 1)
  DELETE FROM web_sessions WHERE user_id = @u AND token_hash IS DISTINCT FROM @keep`);
const PRUNE = sql('DELETE FROM web_sessions WHERE expires_at <= ?');

/** The SessionStore of a PostgreSQL store (../sessions.ts). */
export function sessionStore(conn: Connection): SessionStore {
  return {
    async createSession(init) {
      if ((await conn.run(INSERT, init as unknown as Record<string, unknown>)) === 0) throw new NotFound(`user ${init.userId}`);
      await conn.run(TRIM, { u: init.userId, now: init.createdAt });
    },
    async findSession(tokenHash, now) {
      const r = await conn.row<SessionRow>(FIND, [tokenHash, now]);
      return r ? toSession(r) : null;
    },
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
      return conn.run(REMOVE_USER, { u: userId, keep: keepHash ?? null });
    },
    async pruneSessions(now) {
      return conn.run(PRUNE, [now]);
    },
  };
}
