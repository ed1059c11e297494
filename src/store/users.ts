// Users and credentials: the accounts, and the one read that carries a password hash.
// Implemented by store/sqlite/users.ts (`userStore`); contract: test/store/contract/users.ts.

export interface User {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  isAdmin: boolean;
  createdAt: string;
}

/** What a verified login needs: the argon2id hash is never exposed beyond this. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
  /** Bumped on every password change; cached verifications keyed on an older value are void. */
  credentialVersion: number;
}

/**
 * Accounts. User names are unique and compared exactly (no case folding). Password hashes go in
 * through createUser/setPassword and come out only through getCredentials.
 */
export interface UserStore {
  /** Throws Conflict if the user name exists. */
  createUser(init: { username: string; passwordHash: string; displayName?: string; email?: string | null; isAdmin?: boolean }): Promise<User>;
  /** null when there is no such user. */
  getUser(username: string): Promise<User | null>;
  getUserById(id: number): Promise<User | null>;
  /**
   * The user with their hash and credential version, or null. Read on every authenticated request;
   * an implementation may cache it but must never return it after a password change or a deletion
   * committed by anyone (another connection or process included).
   */
  getCredentials(username: string): Promise<UserCredentials | null>;
  /** Every user, ordered by user name. */
  listUsers(): Promise<User[]>;
  /**
   * Throws NotFound. Bumps the credential version. With `ifCredentialVersion`, throws
   * PreconditionFailed instead when the version is no longer that one: a change of one's own
   * password checked the old one against what it read, and must not undo an administrator's reset
   * committed since (checked in the write transaction).
   */
  setPassword(username: string, passwordHash: string, opts?: { ifCredentialVersion?: number }): Promise<void>;
  /**
   * Removes the user with their collections, objects, dead properties, shares (both ways) and feed
   * tokens. Sharees of the user's calendars get a home tombstone, so their home's sync-collection
   * (RFC 6578 §3.2) reports those calendars removed. Throws NotFound.
   */
  deleteUser(username: string): Promise<void>;
  countUsers(): Promise<number>;

  // --- people (issue 15): names and e-mail addresses -----------------------------------------
  // A user has one or more e-mail addresses (none at first). They are compared case-insensitively
  // (the whole address, domain and local part, folded with toLowerCase) and each belongs to at most
  // one user. The first is the primary one, which User.email mirrors. Scheduling (sched's
  // Directory) finds the user behind an ATTENDEE or ORGANIZER with findUserByEmail; the principal
  // URL form of a calendar-user address is resolved by services/people.ts (userByCalendarAddress),
  // which knows the URL layout.

  /**
   * Sets the display name and/or replaces the whole list of addresses (in order; the first becomes
   * the primary, `User.email`; an empty list leaves the user without any). Addresses are stored as
   * given (trimmed); duplicates within the list, compared case-insensitively, are kept once.
   * Validation of the address syntax is the caller's (services/people.ts). One transaction.
   * Throws NotFound (no such user), Conflict (an address belongs to another user).
   */
  setUserProfile(username: string, profile: { displayName?: string; addresses?: readonly string[] }): Promise<User>;
  /** The user's addresses, primary first; [] for a user without any or an unknown id. */
  listUserAddresses(userId: number): Promise<string[]>;
  /**
   * The user owning an e-mail address, compared case-insensitively; a leading "mailto:" (any case)
   * is ignored, so an iCalendar CAL-ADDRESS can be passed as it is. null when nobody has it.
   */
  findUserByEmail(address: string): Promise<User | null>;
  /**
   * Every user with their addresses, ordered by user name: what people search (principal-property-
   * search, services/people.ts) matches against. One read of two small tables; the search itself
   * is the caller's, linear in the number of users.
   */
  listPeople(): Promise<Person[]>;
}

/** A user with all their e-mail addresses (primary first). */
export interface Person extends User {
  addresses: string[];
}

/** The comparison key of an e-mail address: "mailto:" dropped, trimmed, case-folded. */
export function addressKey(address: string): string {
  const a = address.trim();
  return (a.slice(0, 7).toLowerCase() === 'mailto:' ? a.slice(7) : a).trim().toLowerCase();
}
