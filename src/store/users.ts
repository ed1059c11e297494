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
  /** Throws NotFound. Bumps the credential version. */
  setPassword(username: string, passwordHash: string): Promise<void>;
  /**
   * Removes the user with their collections, objects, dead properties, shares (both ways) and feed
   * tokens. Sharees of the user's calendars get a home tombstone, so their home's sync-collection
   * (RFC 6578 §3.2) reports those calendars removed. Throws NotFound.
   */
  deleteUser(username: string): Promise<void>;
  countUsers(): Promise<number>;
}
