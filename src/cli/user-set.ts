// sundial user set|show — a user's display name and e-mail addresses (issue 15 item 1), the same
// operation as the page's "Name and e-mail" section (services/people.ts).
import { profileOf, setProfile } from '../services/people.js';
import { UsageError, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';

export const userSetUsage = `  sundial user set <name> [--name "Full Name"] [--email ADDR]... [--no-email]
                                        set the display name and/or the e-mail addresses
                                        (each --email once; the list replaces the old one,
                                        the first is the primary address; --no-email removes all)
  sundial user show <name>              the user's display name and e-mail addresses`;

/**
 * `user set`: takes its own flags out of `flags` (--name VALUE, --email VALUE repeated,
 * --no-email) and passes the rest on as server options.
 */
export async function userSetCommand(username: string, flags: string[], io: CliIO, usage: string): Promise<number> {
  let displayName: string | undefined;
  let addresses: string[] | undefined;
  let none = false;
  const serverFlags: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    const [flag, inline] = f.includes('=') ? [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] : [f, undefined];
    if (flag === '--name' || flag === '--email') {
      const value = inline ?? flags[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value\n\n${usage}`);
      if (flag === '--name') displayName = value;
      else (addresses ??= []).push(value);
    } else if (flag === '--no-email') none = true;
    else serverFlags.push(f);
  }
  if (none && addresses) throw new UsageError(`--no-email and --email cannot go together\n\n${usage}`);
  if (none) addresses = [];
  if (displayName === undefined && addresses === undefined) throw new UsageError(`nothing to set: give --name, --email or --no-email\n\n${usage}`);
  return withStore(io, serverFlags, async (store) => {
    const user = await userNamed(store, username, usage);
    const p = await asUsage(() => setProfile(store, user.username, { displayName, addresses }));
    io.out(`${p.username}: ${p.displayName}${p.addresses.length ? ` <${p.addresses.join('>, <')}>` : ' (no e-mail address)'}`);
    return 0;
  });
}

export async function userShowCommand(username: string, flags: string[], io: CliIO, usage: string): Promise<number> {
  return withStore(io, flags, async (store) => {
    const p = await profileOf(store, await userNamed(store, username, usage));
    io.out(`name\t${p.displayName}`);
    for (const a of p.addresses) io.out(`email\t${a}`);
    return 0;
  });
}
