// sundial share <owner> <calendar> <user> read|read-write, and --remove; --addressbook for an
// address book (issue 14 item 4: the address-book home has its own names, so the flag says which).
import { shareCalendar, unshareCalendar } from '../services/calendars.js';
import { shareAddressBook, unshareAddressBook } from '../services/addressbooks.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';

export const shareUsage = `Usage:
  sundial share <owner> <calendar> <user> read|read-write   share a calendar (or change the access)
  sundial share <owner> <calendar> <user> --remove          stop sharing it
  sundial share --addressbook <owner> <addressbook> <user> read|read-write|--remove   the same for an address book`;

export async function shareCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args, ['--remove', '--addressbook']);
  const remove = flags.includes('--remove');
  const book = flags.includes('--addressbook');
  const [share, unshare] = book ? [shareAddressBook, unshareAddressBook] : [shareCalendar, unshareCalendar];
  const serverFlags = flags.filter((f) => f !== '--remove' && f !== '--addressbook');
  const [ownerName, calendar, username, access] = positional;
  if (!calendar || !username || (!remove && !access)) throw new UsageError(shareUsage);
  return withStore(io, serverFlags, async (store) => {
    const owner = await userNamed(store, ownerName, shareUsage);
    if (remove) {
      await asUsage(() => unshare(store, owner, calendar, username));
      io.out(`${calendar} of ${owner.username} is no longer shared with ${username}`);
    } else {
      await asUsage(() => share(store, owner, calendar, username, access));
      io.out(`${calendar} of ${owner.username} shared with ${username} (${access})`);
    }
    return 0;
  });
}
