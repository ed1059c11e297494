// Web sessions of the preferences page (src/web/sessions.ts), kept in the database so that every
// Sundial process on it shares logins (issue 18 item 3) and a restart keeps them. Implemented by
// store/sqlite/sessions.ts and store/postgres/sessions.ts (`sessionStore`); contract:
// test/store/contract/sessions.ts. Only the SHA-256 of a session's cookie value is stored and
// looked up: web/ hashes the presented cookie, the store never sees a usable token.

/** Live sessions one user may hold; creating one more drops the least recently used. */
export const MAX_SESSIONS_PER_USER = 100;

export interface StoredSession {
  userId: number;
  /** The CSRF token the page sends back in X-CSRF-Token. */
  csrf: string;
  /** The credential version the session was opened under; null: bind to the stored one at the next request. */
  credentialVersion: number | null;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; moved forward by touchSession (sliding expiry). */
  expiresAt: number;
}

export interface SessionInit extends StoredSession {
  /** base64url SHA-256 of the cookie value. */
  tokenHash: string;
}

export interface SessionStore {
  /**
   * Stores a new session. The user's expired sessions go, and beyond MAX_SESSIONS_PER_USER live
   * ones the least recently used (earliest expiry) are dropped, in the same transaction. Moves no
   * sync token. Throws NotFound (user), Conflict (the hash is in use).
   */
  createSession(init: SessionInit): Promise<void>;
  /**
   * The session holding this hash if it has not expired at `now` (epoch ms), else null. Read on
   * every request of the page: never cached, so a session ended by any process ends everywhere.
   */
  findSession(tokenHash: string, now: number): Promise<StoredSession | null>;
  /** Moves a live session's expiry to expiresAt (never backwards). Unknown or expired hashes are ignored. */
  touchSession(tokenHash: string, expiresAt: number, now: number): Promise<void>;
  /** Binds a session whose credential version is null to `version`; others and unknown hashes stay as they are. */
  bindSessionCredentials(tokenHash: string, version: number): Promise<void>;
  /** Ends one session; false when there was none. */
  deleteSession(tokenHash: string): Promise<boolean>;
  /**
   * Ends every session of the user (password change, account deletion) except `keepHash`, whose
   * credential version becomes null (see StoredSession.credentialVersion). Returns how many ended.
   */
  deleteUserSessions(userId: number, keepHash?: string): Promise<number>;
  /** Removes every session expired at `now`; returns how many. */
  pruneSessions(now: number): Promise<number>;
}
