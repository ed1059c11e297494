// Sharing (SPEC "Sharing"): a share is the sharee's instance of a calendar or address book with
// access 'read' or 'read-write'. Implemented by store/sqlite/shares.ts (`shareStore`); contract:
// test/store/contract/shares.ts.
import type { Access } from './collections.js';
import type { CalendarInstance } from './instances.js';

export interface Share {
  collectionId: number;
  userId: number;
  username: string;
  access: Exclude<Access, 'owner'>;
}

export interface ShareStore {
  /**
   * Shares or changes access. A new sharee gets an instance (sync on) in the collection's home
   * (calendar or address-book home) under the collection's uri if free there, else
   * "<uri>-<owner>", "<uri>-<owner>-2", …; a change of access keeps the uri and moves the
   * instance's changedSeq (current-user-privilege-set changed). Throws NotFound (collection or
   * user), Conflict (not a calendar or address book, or the user is its owner).
   */
  share(collectionId: number, userId: number, access: Exclude<Access, 'owner'>): Promise<CalendarInstance>;
  /** Removes the sharee's instance, leaving a tombstone in their home. Throws NotFound when not shared. */
  unshare(collectionId: number, userId: number): Promise<void>;
  /** The collection's sharees (not its owner), ordered by user name. */
  listShares(collectionId: number): Promise<Share[]>;
}
