// What a user can do with their address books outside CardDAV — list, create, rename, delete,
// switch synchronization, share — for the preferences page's JSON API and the CLI (issue 14 item
// 4), as services/calendars.ts does for calendars. Address books are instances in the user's
// address-book home (store Home 'addressbooks'): the same switch, shares and large-collection
// threshold, so DAV-visible effects (home listing, home sync token) follow from the store.
import type { Access, CalendarInstance, Store, User } from '../store/types.js';
import { Conflict, LimitReached } from '../store/errors.js';
import { forbiddenAction, invalid, missing, taken } from './errors.js';
import { checkName } from './names.js';
import { leaveShared, shareWithUser, unshareWithUser } from './collection-shares.js';
import { slugify } from './calendars.js';
import { addressbookPath } from '../urls.js';

const HOME = 'addressbooks' as const;

export interface AddressBookView {
  uri: string;
  displayName: string;
  description: string | null;
  owner: string;
  access: Access;
  sync: boolean;
  /** Number of cards (vCard resources). Named as the calendars' field, so the page treats both alike. */
  entries: number;
  /** SPEC "Contacts": past the same threshold as calendars (SUNDIAL_LARGE_CALENDAR_THRESHOLD). */
  large: boolean;
  /** Path of the address book in this user's address-book home (for DAV clients). */
  path: string;
  shares?: { username: string; access: Exclude<Access, 'owner'> }[];
}

export async function addressBookView(store: Store, user: User, i: CalendarInstance, threshold: number, owners: Map<number, string> = new Map()): Promise<AddressBookView> {
  let owner = owners.get(i.collection.ownerId);
  if (owner === undefined) {
    owner = (await store.getUserById(i.collection.ownerId))?.username ?? '?';
    owners.set(i.collection.ownerId, owner);
  }
  const view: AddressBookView = {
    uri: i.uri,
    displayName: i.collection.displayName ?? i.collection.uri,
    description: i.collection.description,
    owner,
    access: i.access,
    sync: i.syncEnabled,
    entries: i.collection.objectCount,
    large: i.collection.objectCount > threshold,
    path: addressbookPath(user.username, i.uri),
  };
  if (i.access === 'owner') view.shares = (await store.listShares(i.collection.id)).map((s) => ({ username: s.username, access: s.access }));
  return view;
}

/** Plain collections may live in the address-book home too (litmus); only address books are listed. */
const isAddressBook = (i: CalendarInstance) => i.collection.kind === 'addressbook';

export async function listAddressBooks(store: Store, user: User, threshold: number): Promise<{ mine: AddressBookView[]; others: AddressBookView[] }> {
  const owners = new Map<number, string>([[user.id, user.username]]);
  const instances = (await store.listInstances(user.id, { home: HOME })).filter(isAddressBook);
  const views = await Promise.all(instances.map((i) => addressBookView(store, user, i, threshold, owners)));
  return { mine: views.filter((v) => v.access === 'owner'), others: views.filter((v) => v.access !== 'owner') };
}

/** The user's address book at `uri` (own or shared); ServiceError 404 when there is none. */
export async function addressBookInstance(store: Store, user: User, uri: string): Promise<CalendarInstance> {
  const i = await store.getInstance(user.id, uri, HOME);
  if (!i || !isAddressBook(i)) throw missing(`no address book "${uri}"`);
  return i;
}

async function ownInstance(store: Store, user: User, uri: string): Promise<CalendarInstance> {
  const i = await addressBookInstance(store, user, uri);
  if (i.access !== 'owner') throw forbiddenAction('only the owner can do this');
  return i;
}

const checkBookName = (displayName: unknown): string => checkName(displayName, 'an address book name');

function checkDescription(description: unknown): string | null {
  if (description === null || description === undefined || description === '') return null;
  if (typeof description !== 'string' || description.length > 1000) throw invalid('a description has at most 1000 characters');
  return description;
}

export async function createAddressBook(store: Store, user: User, init: { displayName: unknown; description?: unknown; uri?: unknown }): Promise<CalendarInstance> {
  const displayName = checkBookName(init.displayName);
  const description = checkDescription(init.description);
  const slug = slugify(displayName);
  const base = init.uri === undefined ? (slug === 'calendar' ? 'addressbook' : slug) : String(init.uri);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(base)) throw invalid('an address book URL segment has letters, digits, ".", "_" or "-"');
  for (let n = 1; n < 1000; n++) {
    const uri = n === 1 ? base : `${base}-${n}`;
    if (await store.getInstance(user.id, uri, HOME)) continue;
    try {
      const c = await store.createCollection(user.id, { kind: 'addressbook', home: HOME, uri, displayName, description });
      return (await store.getInstance(user.id, c.uri, HOME))!;
    } catch (err) {
      if (err instanceof Conflict) {
        if (init.uri !== undefined) throw taken(`"${uri}" is already used`);
        continue;
      }
      throw err;
    }
  }
  throw taken('no free name for the address book');
}

export async function updateAddressBook(store: Store, user: User, uri: string, patch: { displayName?: unknown; description?: unknown; sync?: unknown }): Promise<CalendarInstance> {
  const i = await addressBookInstance(store, user, uri);
  if (patch.displayName !== undefined || patch.description !== undefined) {
    if (i.access !== 'owner') throw forbiddenAction('only the owner renames an address book');
    await store.updateCollection(i.collection.id, {
      ...(patch.displayName !== undefined ? { displayName: checkBookName(patch.displayName) } : {}),
      ...(patch.description !== undefined ? { description: checkDescription(patch.description) } : {}),
    });
  }
  if (patch.sync !== undefined) {
    if (typeof patch.sync !== 'boolean') throw invalid('sync is true or false');
    await store.setSyncEnabled(user.id, uri, patch.sync, HOME);
  }
  return addressBookInstance(store, user, uri);
}

export async function setAddressBookSync(store: Store, user: User, uri: string, enabled: boolean): Promise<CalendarInstance> {
  await addressBookInstance(store, user, uri);
  return store.setSyncEnabled(user.id, uri, enabled, HOME);
}

/** Deletes an own address book, or removes a shared one from this user's list. */
export async function removeAddressBook(store: Store, user: User, uri: string): Promise<'deleted' | 'unsubscribed'> {
  const i = await addressBookInstance(store, user, uri);
  if (i.access !== 'owner') {
    await leaveShared(store, user, i, 'address book');
    return 'unsubscribed';
  }
  // iOS/macOS Contacts keep one CardDAV account to one address book and misbehave on an empty
  // home, as Calendar does (CLIENTS.md §1.4): every user keeps at least one, like "Contacts".
  // Counted by the store in the delete's transaction (see removeCalendar).
  try {
    await store.deleteCollection(i.collection.id, { keepLastOwn: true });
  } catch (err) {
    if (err instanceof LimitReached) throw forbiddenAction('you cannot delete your last address book');
    throw err;
  }
  return 'deleted';
}

export async function shareAddressBook(store: Store, owner: User, uri: string, username: unknown, access: unknown): Promise<void> {
  await shareWithUser(store, owner, await ownInstance(store, owner, uri), username, access, 'address book');
}

export async function unshareAddressBook(store: Store, owner: User, uri: string, username: string): Promise<void> {
  await unshareWithUser(store, await ownInstance(store, owner, uri), username, 'address book');
}
