// Account administration for the web API (admin page, own password). The CLI has the same
// operations in cli/user.ts.
import type { Store, User } from '../store/types.js';
import { Conflict, NotFound, PreconditionFailed } from '../store/errors.js';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.js';
import { createUserWithCalendar } from '../bootstrap.js';
import { forbiddenAction, invalid, missing, taken } from './errors.js';

export const VALID_USERNAME = /^[^\s/\\:]{1,64}$/;

function checkPassword(password: unknown): string {
  if (typeof password !== 'string') throw invalid('password required');
  const problem = passwordProblem(password);
  if (problem) throw invalid(problem);
  return password;
}

export async function addUser(store: Store, init: { username: unknown; password: unknown; isAdmin?: unknown }): Promise<User> {
  if (typeof init.username !== 'string' || !VALID_USERNAME.test(init.username)) throw invalid('a user name has 1 to 64 characters, without spaces, "/", "\\" or ":"');
  const password = checkPassword(init.password);
  try {
    return await createUserWithCalendar(store, { username: init.username, password, isAdmin: init.isAdmin === true });
  } catch (err) {
    if (err instanceof Conflict) throw taken(`user "${init.username}" already exists`);
    throw err;
  }
}

export async function resetPassword(store: Store, username: string, password: unknown): Promise<void> {
  const hash = await hashPassword(checkPassword(password));
  try {
    await store.setPassword(username, hash);
  } catch (err) {
    if (err instanceof NotFound) throw missing(`no user "${username}"`);
    throw err;
  }
}

export async function changeOwnPassword(store: Store, user: User, current: unknown, next: unknown): Promise<void> {
  const creds = await store.getCredentials(user.username);
  if (!creds || typeof current !== 'string' || !(await verifyPassword(creds.passwordHash, current))) throw forbiddenAction('the current password is wrong');
  const hash = await hashPassword(checkPassword(next));
  try {
    // Only if the credentials are still those the current password was checked against: an
    // administrator's reset committed during the two argon2 runs (a compromised account being
    // locked out) must not be undone by whoever knew the old password.
    await store.setPassword(user.username, hash, { ifCredentialVersion: creds.credentialVersion });
  } catch (err) {
    if (err instanceof PreconditionFailed) throw forbiddenAction('the password was changed meanwhile; log in again');
    if (err instanceof NotFound) throw missing(`no user "${user.username}"`);
    throw err;
  }
}

export async function removeUser(store: Store, actor: User, username: string): Promise<void> {
  if (actor.username === username) throw forbiddenAction('you cannot delete yourself');
  try {
    await store.deleteUser(username);
  } catch (err) {
    if (err instanceof NotFound) throw missing(`no user "${username}"`);
    throw err;
  }
}
