// Who a calendar user address belongs to (RFC 6638 §2.4.1 calendar-user-address-set). Scheduling
// asks only this interface; the implementation below reads the people store (several addresses
// per user, groups).
import type { Store, User } from '../store/types.js';
import { normalizeAddress } from '../ical/itip.js';
import { principalPath } from '../urls.js';
import { userByCalendarAddress } from '../services/people.js';

export interface Directory {
  /** The Sundial user an address names (mailto:, or the principal URL), null for outsiders. */
  userByAddress(address: string): Promise<User | null>;
  /** Every calendar user address of a user, normalized (normalizeAddress), mailto: ones first. */
  addressesOf(user: User): Promise<string[]>;
  /** The member addresses of a group address, null when the address is no group. */
  expandGroup(address: string): Promise<string[] | null>;
}

/**
 * The Directory over the people store (migration 007): every address of a user (user_addresses,
 * case-insensitive, indexed), the principal URL, and groups with an address of their own, which
 * expand to each member's primary address.
 */
export class PeopleDirectory implements Directory {
  constructor(private readonly store: Store) {}

  userByAddress(address: string): Promise<User | null> {
    return userByCalendarAddress(this.store, address);
  }

  async addressesOf(user: User): Promise<string[]> {
    const mail = (await this.store.listUserAddresses(user.id)).map((e) => normalizeAddress('mailto:' + e));
    if (mail.length === 0 && user.username.includes('@')) mail.push(normalizeAddress('mailto:' + user.username));
    return [...mail, principalPath(user.username)];
  }

  async expandGroup(address: string): Promise<string[] | null> {
    if (!/^mailto:/i.test(address.trim())) return null;
    const group = await this.store.findGroupByEmail(address);
    if (!group) return null;
    const members = await this.store.groupMemberAddresses(group.id);
    return members.flatMap((m) => (m.addresses[0] ? [normalizeAddress('mailto:' + m.addresses[0])] : []));
  }
}
