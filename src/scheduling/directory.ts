// Who a calendar user address belongs to (RFC 6638 §2.4.1 calendar-user-address-set). Scheduling
// asks only this interface, so the people store (several addresses per user, groups) can replace
// the implementation below without touching the scheduling code.
import type { Store, User } from '../store/types.js';
import { normalizeAddress } from '../ical/itip.js';
import { hrefToPath, parseDavPath, principalPath } from '../urls.js';

export interface Directory {
  /** The Sundial user an address names (mailto:, or the principal URL), null for outsiders. */
  userByAddress(address: string): Promise<User | null>;
  /** Every calendar user address of a user, normalized (normalizeAddress), mailto: ones first. */
  addressesOf(user: User): Promise<string[]>;
  /** The member addresses of a group address, null when the address is no group. */
  expandGroup(address: string): Promise<string[] | null>;
}

/** A user's mailto: address from today's `users.email` (or a user name that is an address). */
export function emailOf(user: User): string | null {
  return user.email ?? (user.username.includes('@') ? user.username : null);
}

/**
 * The Directory over today's schema: one address per user, `users.email`, and the principal URL.
 * Looking a mailto: address up lists the users (no index on email yet): fine for the hundreds of
 * users a Sundial serves; the people store replaces it with an indexed lookup.
 */
export class UsersEmailDirectory implements Directory {
  constructor(private readonly store: Store) {}

  async userByAddress(address: string): Promise<User | null> {
    const a = normalizeAddress(address);
    if (a.startsWith('mailto:')) {
      const email = a.slice(7);
      for (const u of await this.store.listUsers()) {
        const e = emailOf(u);
        if (e && e.toLowerCase() === email) return u;
      }
      return null;
    }
    // A principal URL, absolute or a path (RFC 6638 §2.4.1 allows any URI in the set).
    const path = hrefToPath(a, 'http://localhost');
    if (!path) return null;
    const parsed = parseDavPath(path);
    if (!parsed || parsed.area !== 'principals' || parsed.user === undefined || parsed.below) return null;
    return this.store.getUser(parsed.user);
  }

  async addressesOf(user: User): Promise<string[]> {
    const email = emailOf(user);
    return [...(email ? [normalizeAddress('mailto:' + email)] : []), principalPath(user.username)];
  }

  async expandGroup(): Promise<string[] | null> {
    return null;
  }
}
