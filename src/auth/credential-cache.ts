// Remembers successful Basic logins for a short time so that polling clients (iOS polls every
// few minutes, Thunderbird every calendar every few minutes, DAVx5 in bursts) do not pay an
// argon2 verification (~20–60 ms, 19 MiB) on every request. Entries are keyed by an HMAC of the user
// name and password under a per-process random key: the password itself is never held, and the key
// cannot be computed offline. Each entry remembers the credential version it was verified against;
// a password change bumps the version in the store, which voids older entries on the next lookup
// (also when the change came from another process, such as `sundial user passwd`).
import { createHmac, randomBytes } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { boundedCache } from '../bounded-cache.js';

export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly cache: LRUCache<string, { userId: number; version: number }> | null;

  constructor(ttlSeconds: number, max = 10_000) {
    this.cache = ttlSeconds > 0 ? boundedCache(max, { ttl: ttlSeconds * 1000 }) : null;
  }

  private digest(username: string, password: string): string {
    return createHmac('sha256', this.key).update(username).update('\0').update(password).digest('base64url');
  }

  /** A key standing for these credentials (the same keyed digest; never the password itself). */
  keyOf(username: string, password: string): string {
    return this.digest(username, password);
  }

  /** True when this exact user name and password were verified for this credential version. */
  has(username: string, password: string, version: number, userId: number): boolean {
    const hit = this.cache?.get(this.digest(username, password));
    return hit !== undefined && hit.version === version && hit.userId === userId;
  }

  remember(username: string, password: string, version: number, userId: number): void {
    this.cache?.set(this.digest(username, password), { userId, version });
  }

  /** Drops every entry (used on password change in this process; other processes rely on the version). */
  clear(): void {
    this.cache?.clear();
  }
}
