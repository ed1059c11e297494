// Throttles password guessing at two levels, both counted over `windowSeconds`:
// - one account from one address: after `limit` failures further attempts for that pair are
//   refused (429) until the window ends, without even checking the password, so a correct guess
//   cannot be confirmed either. Keyed by the pair, a stranger elsewhere cannot lock a user out.
// - one address across all accounts: after `addressLimit` failures (60 guesses against 60 user
//   names took 3.5 s before, issue 11 Low) the address gets 429 for every account that has not
//   logged in successfully from that same address within the last day (a colleague's polling
//   client behind the same NAT keeps working; guessing for that account stays bounded by the
//   per-pair limit), so spraying one password over many accounts is slowed as much as guessing
//   one. Only that address is blocked, and only for the window: users elsewhere are never
//   locked out by it.
import type { LRUCache } from 'lru-cache';
import { boundedCache } from '../bounded-cache.js';

interface Entry { count: number; until: number }

export class LoginThrottle {
  private readonly failures: LRUCache<string, Entry>;
  private readonly byAddress: LRUCache<string, Entry>;
  /** (account, address) pairs with a successful login in the last day. */
  private readonly trusted: LRUCache<string, true>;

  constructor(private readonly limit: number, private readonly windowSeconds: number, private readonly addressLimit = Infinity) {
    this.failures = boundedCache(50_000, { ttl: windowSeconds * 1000 });
    this.byAddress = boundedCache(50_000, { ttl: windowSeconds * 1000 });
    this.trusted = boundedCache(50_000, { ttl: 24 * 3600 * 1000 });
  }

  private key(username: string, address: string): string {
    return `${username}\0${address}`;
  }

  private static wait(entry: Entry | undefined, limit: number, now: number): number {
    if (!entry || entry.count < limit) return 0;
    return Math.max(1, Math.ceil((entry.until - now) / 1000));
  }

  /** Seconds to wait when this pair is blocked, else 0. */
  retryAfter(username: string, address: string, now = Date.now()): number {
    return LoginThrottle.wait(this.failures.get(this.key(username, address)), this.limit, now);
  }

  /** Seconds to wait when this address is blocked for this account, else 0. */
  addressRetryAfter(username: string, address: string, now = Date.now()): number {
    if (this.trusted.has(this.key(username, address))) return 0;
    return LoginThrottle.wait(this.byAddress.get(address), this.addressLimit, now);
  }

  fail(username: string, address: string, now = Date.now()): void {
    const until = now + this.windowSeconds * 1000;
    const key = this.key(username, address);
    this.failures.set(key, { count: (this.failures.get(key)?.count ?? 0) + 1, until });
    this.byAddress.set(address, { count: (this.byAddress.get(address)?.count ?? 0) + 1, until });
  }

  /** A success clears the pair; the address count stays (one valid account must not unlock spraying). */
  succeed(username: string, address: string): void {
    this.failures.delete(this.key(username, address));
    this.trusted.set(this.key(username, address), true);
  }
}
