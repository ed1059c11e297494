// Web sessions of the preferences page: a random id in an HttpOnly, SameSite=Strict cookie, and
// a per-session CSRF token the page sends back in X-CSRF-Token on every change (SPEC "Accounts
// and security"). Sessions live in memory: a restart logs people out of the page, never out of
// their DAV clients. Ids and tokens are compared in constant time.
// Each session remembers the credential version (users.credential_version, bumped by every
// password change or reset, also by `sundial user passwd` in another process) it was opened
// under; requireSession (session-auth.ts) ends it once the stored version differs, so a password
// change from anywhere ends every web session of the user (issue 11 item 9).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { boundedCache } from '../bounded-cache.js';

export const COOKIE = 'sundial_session';

export interface Session {
  userId: number;
  csrf: string;
  createdAt: number;
  /**
   * The credential version the session belongs to; null: take the stored one at the next
   * request (a session kept through its own password change, see destroyUser).
   */
  credentialVersion: number | null;
}

export class Sessions {
  // Keyed by a hash of the id, so the map never holds a usable cookie value and lookups don't
  // leak timing about stored ids.
  private readonly byHash: LRUCache<string, Session>;

  constructor(ttlSeconds = 12 * 3600) {
    this.byHash = boundedCache(100_000, { ttl: ttlSeconds * 1000, updateAgeOnGet: true });
  }

  private static hash(id: string): string {
    return createHash('sha256').update(id).digest('base64url');
  }

  create(userId: number, credentialVersion: number | null = null): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const session: Session = { userId, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now(), credentialVersion };
    this.byHash.set(Sessions.hash(id), session);
    return { id, session };
  }

  get(id: string | undefined): Session | null {
    if (!id || id.length > 100) return null;
    return this.byHash.get(Sessions.hash(id)) ?? null;
  }

  destroy(id: string | undefined): void {
    if (id) this.byHash.delete(Sessions.hash(id));
  }

  /**
   * Ends every session of a user (password change, account deletion), except `keep`: the
   * session that changed its own password stays logged in and is bound to the new credential
   * version at its next request (the user just proved the old password and chose the new one).
   */
  destroyUser(userId: number, keep?: Session): void {
    for (const [k, s] of [...this.byHash.entries()]) if (s.userId === userId && s !== keep) this.byHash.delete(k);
    if (keep) keep.credentialVersion = null;
  }
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
