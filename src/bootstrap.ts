// First run (SPEC "Running it"): on an empty database create the user "admin" with a random
// password, printed once, its calendar "Personal" and its address book "Contacts" — so a client
// can log in at once, and iOS never meets an empty home (CLIENTS.md §1.4).
import type { Logger } from './log.js';
import type { Store, User } from './store/types.js';
import { generatePassword, hashPassword } from './auth/passwords.js';
import { Conflict } from './store/errors.js';

export const DEFAULT_CALENDAR = { uri: 'personal', displayName: 'Personal' };
/** Every user's first address book (RFC 6352; users older than it got one from schema/006). */
export const DEFAULT_ADDRESSBOOK = { uri: 'contacts', displayName: 'Contacts' };

/** Creates a user together with the default calendar and address book every user has. */
export async function createUserWithCalendar(store: Store, init: { username: string; password: string; isAdmin?: boolean; displayName?: string; email?: string | null }): Promise<User> {
  const user = await store.createUser({
    username: init.username,
    passwordHash: await hashPassword(init.password),
    displayName: init.displayName ?? init.username,
    email: init.email ?? null,
    isAdmin: init.isAdmin ?? false,
  });
  await store.createCollection(user.id, { kind: 'calendar', uri: DEFAULT_CALENDAR.uri, displayName: DEFAULT_CALENDAR.displayName });
  await store.createCollection(user.id, { kind: 'addressbook', uri: DEFAULT_ADDRESSBOOK.uri, displayName: DEFAULT_ADDRESSBOOK.displayName });
  return user;
}

export async function bootstrapAdmin(store: Store, log: Logger, print: (line: string) => void): Promise<void> {
  if ((await store.countUsers()) > 0) return;
  const password = generatePassword();
  try {
    await createUserWithCalendar(store, { username: 'admin', password, isAdmin: true, displayName: 'Administrator' });
  } catch (err) {
    // Two processes starting together on one empty PostgreSQL database both counted no user; the
    // other one created "admin" (and printed its password) first. Not an error for this one.
    if (err instanceof Conflict) {
      log.info({ user: 'admin' }, 'the first user was created by another process');
      return;
    }
    throw err;
  }
  log.info({ user: 'admin' }, 'created the first user');
  // Printed to the terminal, not into the structured log, so it never lands in log storage.
  print(`\n  Sundial created the user "admin" with the password:\n\n      ${password}\n\n  It is shown only now. Change it with: sundial user passwd admin\n`);
}
