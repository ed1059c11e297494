// Web sessions of the preferences page: a random id in an HttpOnly, SameSite=Strict cookie, and
// a per-session CSRF token the page sends back in X-CSRF-Token on every change (SPEC "Accounts
// and security"). Sessions live in the store (store/sessions.ts, issue 18): every Sundial process
// on the database shares them, and a restart logs nobody out. Only the SHA-256 of the id is
// stored and looked up, so the database never holds a usable cookie value; CSRF tokens are
// compared in constant time.
// Each session remembers the credential version (users.credential_version, bumped by every
// password change or reset, also by `sundial user passwd` in another process) it was opened
// under; requireSession (session-auth.ts) ends it once the stored version differs, so a password
// change from anywhere ends every web session of the user (issue 11 item 9).
// Expiry slides: a session unused for ttlSeconds ends. The expiry is written back at most once a
// minute per session, not on every request of the page.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionStore } from '../store/types.js';
import { StorageFull, StorageReadOnly } from '../store/errors.js';

export const COOKIE = 'sundial_session';

/** How far a session's expiry may lag behind its last use before it is written back. */
const TOUCH_INTERVAL_MS = 60_000;
/** How often creating a session also sweeps every user's expired ones from the store. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

export interface Session {
  userId: number;
  csrf: string;
  createdAt: number;
  /**
   * The credential version the session belongs to; null: take the stored one at the next
   * request (a session kept through its own password change, see destroyUser).
   */
  credentialVersion: number | null;
  /** The base64url SHA-256 of the cookie value: the session's key in the store. */
  readonly hash: string;
}

export class Sessions {
  private readonly ttlMs: number;
  private lastPrune = 0;

  constructor(private readonly store: SessionStore, ttlSeconds = 12 * 3600, private readonly clock: () => number = Date.now) {
    this.ttlMs = ttlSeconds * 1000;
  }

  static hash(id: string): string {
    return createHash('sha256').update(id).digest('base64url');
  }

  async create(userId: number, credentialVersion: number | null = null): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: Session = { userId, csrf: randomBytes(24).toString('base64url'), createdAt: now, credentialVersion, hash: Sessions.hash(id) };
    await this.store.createSession({ tokenHash: session.hash, userId, csrf: session.csrf, credentialVersion, createdAt: now, expiresAt: now + this.ttlMs });
    if (now - this.lastPrune >= PRUNE_INTERVAL_MS) {
      this.lastPrune = now;
      await this.store.pruneSessions(now);
    }
    return { id, session };
  }

  /** The live session of a cookie value, its expiry moved forward; null when unknown or expired. */
  async get(id: string | undefined): Promise<Session | null> {
    if (!id || id.length > 100) return null;
    const hash = Sessions.hash(id);
    const now = this.clock();
    const s = await this.store.findSession(hash, now);
    if (!s) return null;
    if (now + this.ttlMs - s.expiresAt >= TOUCH_INTERVAL_MS) await bestEffort(this.store.touchSession(hash, now + this.ttlMs, now));
    return { userId: s.userId, csrf: s.csrf, createdAt: s.createdAt, credentialVersion: s.credentialVersion, hash };
  }

  /** Binds a session kept through its own password change (credentialVersion null) to `version`. */
  async bind(session: Session, version: number): Promise<void> {
    await bestEffort(this.store.bindSessionCredentials(session.hash, version));
    session.credentialVersion = version;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id && id.length <= 100) await this.store.deleteSession(Sessions.hash(id));
  }

  /**
   * Ends every session of a user (password change, account deletion), except `keep`: the
   * session that changed its own password stays logged in and is bound to the new credential
   * version at its next request (the user just proved the old password and chose the new one).
   */
  async destroyUser(userId: number, keep?: Session): Promise<void> {
    await this.store.deleteUserSessions(userId, keep?.hash);
    if (keep) keep.credentialVersion = null;
  }
}

/**
 * Keeping a session's expiry or binding up to date is a write; on a full disk or a read-only
 * database (StorageFull, StorageReadOnly) the page must still read: the session stays valid as
 * stored, and the next request tries again.
 */
async function bestEffort(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!(err instanceof StorageFull) && !(err instanceof StorageReadOnly)) throw err;
  }
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
