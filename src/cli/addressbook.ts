// sundial addressbook list|create|sync — what the preferences page does with address books
// (issue 14 item 4), for admins and scripts; the calendar command's twin (cli/calendar.ts).
import { createAddressBook, listAddressBooks, setAddressBookSync } from '../services/addressbooks.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { takeOptions } from './feed.js';
import { asUsage, userNamed } from './lookup.js';
import { count } from './plural.js';
import type { Store } from '../store/types.js';

export const addressbookUsage = `Usage:
  sundial addressbook list <user>                        the user's address books (own and shared)
  sundial addressbook create <user> <name> [--description TEXT]
  sundial addressbook sync <user> <addressbook> on|off   switch synchronization to devices`;

export async function addressbookCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const { values, rest } = takeOptions(flags, ['--description'], addressbookUsage);
  const [sub, username, a, b] = positional;
  return withStore(io, rest, async (store, config) => {
    switch (sub) {
      case 'list': {
        const user = await userNamed(store, username, addressbookUsage);
        const { mine, others } = await listAddressBooks(store, user, config.largeCalendarThreshold);
        for (const c of [...mine, ...others]) {
          io.out([c.uri, c.displayName, c.access === 'owner' ? 'own' : `${c.access} from ${c.owner}`, `${count(c.entries, 'card', 'cards')}${c.large ? ' (large)' : ''}`, `sync ${c.sync ? 'on' : 'off'}`].join('\t'));
        }
        return 0;
      }
      case 'create': {
        const user = await userNamed(store, username, addressbookUsage);
        if (!a || b !== undefined) throw new UsageError(addressbookUsage);
        const i = await asUsage(() => createAddressBook(store, user, { displayName: a, description: values['--description'] }));
        io.out(`created ${i.uri} ("${i.collection.displayName}") for ${user.username}`);
        return 0;
      }
      case 'sync': {
        const user = await userNamed(store, username, addressbookUsage);
        if (!a || (b !== 'on' && b !== 'off')) throw new UsageError(addressbookUsage);
        const i = await asUsage(() => setAddressBookSync(store, user, a, b === 'on'));
        io.out(`synchronization of ${i.uri} for ${user.username}: ${i.syncEnabled ? 'on' : 'off'}`);
        return 0;
      }
      default:
        throw new UsageError(addressbookUsage);
    }
  });
}

/** The address-book half of `sundial stats`: every own address book with its cards, large ones flagged. */
export async function addressBookStats(store: Store, threshold: number, io: CliIO): Promise<void> {
  let books = 0;
  let cards = 0;
  let large = 0;
  io.out(['owner', 'addressbook', 'cards', 'flag'].join('\t'));
  for (const user of await store.listUsers()) {
    for (const i of await store.listInstances(user.id, { home: 'addressbooks' })) {
      if (i.access !== 'owner' || i.collection.kind !== 'addressbook') continue;
      const n = i.collection.objectCount;
      const isLarge = n > threshold;
      books++;
      cards += n;
      if (isLarge) large++;
      io.out([user.username, i.uri, String(n), isLarge ? `LARGE (> ${threshold})` : ''].join('\t'));
    }
  }
  io.out(`${count(books, 'address book', 'address books')}, ${count(cards, 'card', 'cards')}, ${large} past the threshold of ${threshold}`);
}
