// sundial user add|passwd|list|delete — account management without the web page.
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { createUserWithCalendar } from '../bootstrap.js';
import { Conflict, NotFound } from '../store/errors.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { readNewPassword } from './prompt.js';
import { userSetCommand, userSetUsage, userShowCommand } from './user-set.js';

export const userUsage = `Usage:
  sundial user add <name> [--admin]     create a user (password from a prompt, or stdin)
  sundial user passwd <name>            change a password (prompt, or stdin)
  sundial user list                     list users
  sundial user delete <name>            delete a user and all their calendars
${userSetUsage}`;

const VALID_NAME = /^[^\s/\\:]{1,64}$/;

export async function userCommand(args: string[], io: CliIO, readPassword: () => Promise<string> = readNewPassword): Promise<number> {
  const { positional, flags } = splitArgs(args, ['--admin', '--no-email']);
  const admin = flags.includes('--admin');
  const serverFlags = flags.filter((f) => f !== '--admin');
  const [sub, name, ...extra] = positional;
  // A password is never taken from the command line (ps and shell history would show it), and an
  // ignored extra argument would let `user add dave secret123` create dave with another password.
  // The argument is not echoed: it may well be a password.
  if (extra.length || (sub === 'list' && name !== undefined)) throw new UsageError(`too many arguments (passwords are read from a prompt or stdin, never from arguments)\n\n${userUsage}`);
  if (admin && sub !== 'add') throw new UsageError(`--admin only applies to "user add"\n\n${userUsage}`);
  const needName = () => {
    if (!name) throw new UsageError(userUsage);
    return name;
  };
  switch (sub) {
    case 'set':
      return userSetCommand(needName(), serverFlags, io, userUsage);
    case 'show':
      return userShowCommand(needName(), serverFlags, io, userUsage);
    case 'add': {
      const username = needName();
      if (!VALID_NAME.test(username)) throw new UsageError('a user name has 1 to 64 characters, without spaces, "/", "\\" or ":"');
      const password = await readPassword();
      const problem = passwordProblem(password);
      if (problem) throw new UsageError(problem);
      return withStore(io, serverFlags, async (store) => {
        try {
          await createUserWithCalendar(store, { username, password, isAdmin: admin });
        } catch (err) {
          if (err instanceof Conflict) throw new UsageError(`user "${username}" already exists`);
          throw err;
        }
        io.out(`created user ${username}${admin ? ' (admin)' : ''} with calendar "Personal"`);
        return 0;
      });
    }
    case 'passwd': {
      const username = needName();
      return withStore(io, serverFlags, async (store) => {
        const user = await store.getUser(username);
        if (!user) throw new UsageError(`no user "${username}"`);
        const password = await readPassword();
        const problem = passwordProblem(password);
        if (problem) throw new UsageError(problem);
        await store.setPassword(username, await hashPassword(password));
        // Web sessions live in the database (store/sessions.ts): end them all here, whichever
        // server process holds them. The credential-version check of session-auth.ts would end
        // each at its next request anyway; this also removes the rows.
        await store.deleteUserSessions(user.id);
        io.out(`password of ${username} changed`);
        return 0;
      });
    }
    case 'list':
      return withStore(io, serverFlags, async (store) => {
        for (const u of await store.listUsers()) io.out(`${u.username}${u.isAdmin ? '\tadmin' : '\t'}\t${u.createdAt}`);
        return 0;
      });
    case 'delete': {
      const username = needName();
      return withStore(io, serverFlags, async (store) => {
        try {
          await store.deleteUser(username);
        } catch (err) {
          if (err instanceof NotFound) throw new UsageError(`no user "${username}"`);
          throw err;
        }
        io.out(`deleted user ${username}`);
        return 0;
      });
    }
    default:
      throw new UsageError(userUsage);
  }
}
