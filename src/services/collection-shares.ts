// Sharing a calendar or an address book with a user, stopping it, and a sharee leaving it (SPEC
// "Sharing"): one code for both kinds, which differ only in the noun their messages use. The
// caller has resolved the instance in the right home (services/calendars.ts, addressbooks.ts).
import type { CalendarInstance, Store, User } from '../store/types.js';
import { NotFound } from '../store/errors.js';
import { forbiddenAction, invalid, missing } from './errors.js';

export type CollectionNoun = 'calendar' | 'address book';

/** Shares the owner's collection with a user, or changes the access. */
export async function shareWithUser(store: Store, owner: User, own: CalendarInstance, username: unknown, access: unknown, noun: CollectionNoun): Promise<void> {
  if (typeof username !== 'string') throw invalid('user name required');
  if (access !== 'read' && access !== 'read-write') throw invalid('access is "read" or "read-write"');
  const sharee = await store.getUser(username);
  if (!sharee) throw missing(`no user "${username}"`);
  if (sharee.id === owner.id) throw invalid(`you own this ${noun} already`);
  await store.share(own.collection.id, sharee.id, access);
}

export async function unshareWithUser(store: Store, own: CalendarInstance, username: string, noun: CollectionNoun): Promise<void> {
  const sharee = await store.getUser(username);
  if (!sharee) throw missing(`no user "${username}"`);
  try {
    await store.unshare(own.collection.id, sharee.id);
  } catch (err) {
    if (err instanceof NotFound) throw missing(`the ${noun} is not shared with "${username}"`);
    throw err;
  }
}

/** A sharee removes a collection shared with them from their list. */
export async function leaveShared(store: Store, user: User, shared: CalendarInstance, noun: CollectionNoun): Promise<void> {
  try {
    await store.unshare(shared.collection.id, user.id);
  } catch (err) {
    // Shared with one of the user's groups, not with them: membership decides (issue 15 item 6).
    if (err instanceof NotFound) throw forbiddenAction(`this ${noun} is shared with a group you belong to; switch its synchronization off instead`);
    throw err;
  }
}
