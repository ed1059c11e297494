// Throttles password guessing: after `limit` failed logins for one account from one address
// within `windowSeconds`, further attempts for that pair are refused (429) until the window
// ends, without even checking the password, so a correct guess cannot be confirmed either.
import type { LRUCache } from 'lru-cache';
import { boundedCache } from '../bounded-cache.js';

export class LoginThrottle {
  private readonly failures: LRUCache<string, { count: number; until: number }>;

  constructor(private readonly limit: number, private readonly windowSeconds: number) {
    this.failures = boundedCache(50_000, { ttl: windowSeconds * 1000 });
  }

  private key(username: string, address: string): string {
    return `${username}\0${address}`;
  }

  /** Seconds to wait when this pair is blocked, else 0. */
  retryAfter(username: string, address: string, now = Date.now()): number {
    const entry = this.failures.get(this.key(username, address));
    if (!entry || entry.count < this.limit) return 0;
    return Math.max(1, Math.ceil((entry.until - now) / 1000));
  }

  fail(username: string, address: string, now = Date.now()): void {
    const key = this.key(username, address);
    const entry = this.failures.get(key);
    const until = now + this.windowSeconds * 1000;
    this.failures.set(key, { count: (entry?.count ?? 0) + 1, until });
  }

  succeed(username: string, address: string): void {
    this.failures.delete(this.key(username, address));
  }
}
