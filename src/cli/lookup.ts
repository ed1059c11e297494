// Finding the user a command names, with a usage error when there is none.
import type { Store, User } from '../store/types.js';
import { ServiceError } from '../services/errors.js';
import { UsageError } from './command.js';

export async function userNamed(store: Store, username: string | undefined, usage: string): Promise<User> {
  if (!username) throw new UsageError(usage);
  const user = await store.getUser(username);
  if (!user) throw new UsageError(`no user "${username}"`);
  return user;
}

/** Service errors (bad input, missing calendar) become usage errors: a message and exit code 2. */
export async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ServiceError) throw new UsageError(err.message);
    throw err;
  }
}
