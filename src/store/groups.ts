// Groups of users (issue 15 item 6): principals of their own (calendar-user-type GROUP), whose
// members share in what is shared with the group. Implemented by store/sqlite/groups.ts
// (`groupStore`); contract: test/store/contract/groups.ts.
import type { Access } from './collections.js';
import type { User } from './users.js';

export interface Group {
  id: number;
  /** Unique; the URL segment of the group's principal (/dav/groups/<name>/, src/urls.ts). */
  name: string;
  displayName: string;
  /** The group's own mailto: address (a mailing list), if any; unique among groups, case-insensitively. */
  email: string | null;
  createdAt: string;
}

/** A collection shared with a group. */
export interface GroupShare {
  collectionId: number;
  groupId: number;
  groupName: string;
  access: Exclude<Access, 'owner'>;
}

/** A member and their e-mail addresses (primary first): what a group's address expands to. */
export interface GroupMemberAddresses {
  user: User;
  addresses: string[];
}

/**
 * Groups, their members, and collections shared with them. A collection shared with a group gives
 * every member (but its owner) an instance, under a uri free in their home, as a direct share
 * does (ShareStore); a member who joins gets the instances of the group's collections, one who
 * leaves loses those they reach through no other group — each removal leaves a home tombstone,
 * so their home's sync-collection reports it (RFC 6578 §3.5). A direct share (ShareStore.share)
 * always wins over group shares: its access holds, and it stays when the groups go; unsharing it
 * falls back to the access the user's groups give. With several groups, the best access wins.
 * Every method that changes membership or group shares is one transaction.
 */
export interface GroupStore {
  /** Throws Conflict (name, or e-mail address, taken by another group). */
  createGroup(init: { name: string; displayName?: string; email?: string | null }): Promise<Group>;
  getGroup(name: string): Promise<Group | null>;
  getGroupById(id: number): Promise<Group | null>;
  /** Every group, ordered by name. */
  listGroups(): Promise<Group[]>;
  /** Display name and/or e-mail (null removes it). Throws NotFound, Conflict (e-mail of another group). */
  updateGroup(name: string, change: { displayName?: string; email?: string | null }): Promise<Group>;
  /** Removes the group; members lose the instances they had only through it. Throws NotFound. */
  deleteGroup(name: string): Promise<void>;
  /**
   * Replaces the members with exactly `userIds` (one transaction: joins and leaves together).
   * Throws NotFound (group, or a user id that does not exist: then nothing changes).
   */
  setGroupMembers(name: string, userIds: readonly number[]): Promise<void>;
  /** Adds one member (nothing when already one). Throws NotFound (group or user). */
  addGroupMember(name: string, userId: number): Promise<void>;
  /** Removes one member (nothing when not one). Throws NotFound (group). */
  removeGroupMember(name: string, userId: number): Promise<void>;
  /** The members, ordered by user name. */
  listGroupMembers(groupId: number): Promise<User[]>;
  /** The groups a user belongs to, ordered by name. */
  listUserGroups(userId: number): Promise<Group[]>;
  /** The group owning an e-mail address ("mailto:" ignored, case-insensitive), or null. */
  findGroupByEmail(address: string): Promise<Group | null>;
  /**
   * What inviting a group's address means (RFC 6638 §3.2.1.1 CUTYPE=GROUP; scheduling expands it):
   * each member with their addresses, ordered by user name; members without an address are
   * included (their principal URL still reaches them).
   */
  groupMemberAddresses(groupId: number): Promise<GroupMemberAddresses[]>;
  /**
   * Shares a collection with a group, or changes the access: members' instances follow. Throws
   * NotFound (collection or group), Conflict (a plain WebDAV collection: only calendars and other
   * shareable kinds can be shared).
   */
  shareWithGroup(collectionId: number, groupId: number, access: Exclude<Access, 'owner'>): Promise<void>;
  /** Stops sharing with the group; members keep only what they reach otherwise. Throws NotFound when not shared. */
  unshareWithGroup(collectionId: number, groupId: number): Promise<void>;
  /** The groups a collection is shared with, ordered by group name. */
  listGroupShares(collectionId: number): Promise<GroupShare[]>;
  /** The collections shared with a group (for feeds of a group's calendars), ordered by collection id. */
  listGroupCollections(groupId: number): Promise<GroupShare[]>;
}
