// sundial share <owner> <calendar> <user> read|read-write, and --remove.
import { shareCalendar, unshareCalendar } from '../services/calendars.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';

export const shareUsage = `Usage:
  sundial share <owner> <calendar> <user> read|read-write   share a calendar (or change the access)
  sundial share <owner> <calendar> <user> --remove          stop sharing it`;

export async function shareCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args, ['--remove']);
  const remove = flags.includes('--remove');
  const serverFlags = flags.filter((f) => f !== '--remove');
  const [ownerName, calendar, username, access] = positional;
  if (!calendar || !username || (!remove && !access)) throw new UsageError(shareUsage);
  return withStore(io, serverFlags, async (store) => {
    const owner = await userNamed(store, ownerName, shareUsage);
    if (remove) {
      await asUsage(() => unshareCalendar(store, owner, calendar, username));
      io.out(`${calendar} of ${owner.username} is no longer shared with ${username}`);
    } else {
      await asUsage(() => shareCalendar(store, owner, calendar, username, access));
      io.out(`${calendar} of ${owner.username} shared with ${username} (${access})`);
    }
    return 0;
  });
}
