// People (issue 15 item 1): a user's display name and e-mail addresses, set from the page's API
// and the CLI (`sundial user set`), and the resolution of calendar-user addresses (RFC 6638
// §2.4.1 calendar-user-address-set: mailto: addresses and the principal URL) that scheduling uses.
import type { Person, Store, User } from '../store/types.js';
import { Conflict, NotFound } from '../store/errors.js';
import { invalid, missing, taken } from './errors.js';
import { checkName } from './names.js';
import { parseDavPath } from '../urls.js';

/** At most this many addresses per user: enough for aliases, and a bound on every search row. */
export const MAX_ADDRESSES = 10;
const MAX_ADDRESS_LENGTH = 254; // RFC 5321 §4.5.3.1.3 (path of 256 minus the angle brackets)

// local@domain with no spaces, brackets, quotes, separators or a second "@". Each class excludes
// "@", so the two quantifiers cannot overlap (linear time). Deliberately simple: the mail server
// decides what is deliverable; this only keeps out what cannot be an address at all.
const EMAIL = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+$/;
/** A checked display name (trimmed, 1 to 200 characters, no control characters). */
export function checkDisplayName(name: unknown): string {
  if (typeof name !== 'string') throw invalid('the name must be text');
  return checkName(name, 'a name');
}

/** Checked e-mail addresses ("mailto:" accepted and dropped), at most MAX_ADDRESSES. */
export function checkAddresses(addresses: unknown): string[] {
  if (!Array.isArray(addresses)) throw invalid('the addresses must be a list');
  if (addresses.length > MAX_ADDRESSES) throw invalid(`at most ${MAX_ADDRESSES} e-mail addresses`);
  return addresses.map((a) => {
    if (typeof a !== 'string') throw invalid('an e-mail address must be text');
    let v = a.trim();
    if (v.slice(0, 7).toLowerCase() === 'mailto:') v = v.slice(7);
    if (v.length > MAX_ADDRESS_LENGTH || !EMAIL.test(v)) throw invalid(`"${v.slice(0, 80)}" is not an e-mail address`);
    return v;
  });
}

/** What the page and the API show of a user: name and addresses. */
export interface Profile {
  username: string;
  displayName: string;
  addresses: string[];
}

export async function profileOf(store: Store, user: User): Promise<Profile> {
  return { username: user.username, displayName: user.displayName, addresses: await store.listUserAddresses(user.id) };
}

/**
 * Sets a user's name and/or addresses (fields left undefined are kept). One store transaction.
 * Errors: invalid (bad name or address), missing (no user), taken (an address of another user).
 */
export async function setProfile(store: Store, username: string, change: { displayName?: unknown; addresses?: unknown }): Promise<Profile> {
  const displayName = change.displayName === undefined ? undefined : checkDisplayName(change.displayName);
  const addresses = change.addresses === undefined ? undefined : checkAddresses(change.addresses);
  try {
    const user = await store.setUserProfile(username, {
      ...(displayName === undefined ? {} : { displayName }),
      ...(addresses === undefined ? {} : { addresses }),
    });
    return await profileOf(store, user);
  } catch (err) {
    if (err instanceof NotFound) throw missing(`no user "${username}"`);
    if (err instanceof Conflict) throw taken(err.message);
    throw err;
  }
}

/**
 * The user behind a calendar-user address (RFC 6638 §2.4.1), for scheduling (sched's Directory):
 * - "mailto:x@y" (scheme and address compared case-insensitively) → the user holding that address;
 * - the principal URL, absolute ("https://host/dav/principals/bob/") or a path
 *   ("/dav/principals/bob/"), percent-encoded or not → that user. The host is not checked: a
 *   principal URL names a user of this server whatever name the client reached it by.
 * null for anything else (unknown address, another scheme, a group's principal: see
 * store.groupMemberAddresses for groups).
 */
export async function userByCalendarAddress(store: Store, address: string): Promise<User | null> {
  const a = address.trim();
  if (/^mailto:/i.test(a)) return store.findUserByEmail(a);
  const username = principalUserOf(a);
  return username === null ? null : store.getUser(username);
}

/** The user name of a principal URL or path, or null when the address is not one. */
export function principalUserOf(address: string): string | null {
  if (!/^(https?:\/\/|\/)/i.test(address)) return null;
  let path: string;
  try {
    path = new URL(address, 'http://principal.invalid/').pathname;
  } catch {
    return null;
  }
  const parsed = parseDavPath(path.endsWith('/') ? path : `${path}/`);
  return parsed?.area === 'principals' && parsed.user !== undefined && !parsed.below ? parsed.user : null;
}

/** Every person (users with addresses): what people search matches against. */
export function listPeople(store: Store): Promise<Person[]> {
  return store.listPeople();
}
