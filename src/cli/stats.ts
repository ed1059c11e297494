// sundial stats — every calendar with its number of entries, then every address book with its
// number of cards; those past the large-calendar threshold are flagged (SPEC "Large calendars";
// address books are "warned past the same threshold", SPEC "Contacts").
import { splitArgs, withStore, type CliIO } from './command.js';
import { count } from './plural.js';
import { addressBookStats } from './addressbook.js';

export const statsUsage = `Usage:
  sundial stats                       every calendar with its number of entries, every address book
                                      with its number of cards; large ones flagged`;

export async function statsCommand(args: string[], io: CliIO): Promise<number> {
  const { flags } = splitArgs(args);
  return withStore(io, flags, async (store, config) => {
    let calendars = 0;
    let entries = 0;
    let large = 0;
    io.out(['owner', 'calendar', 'entries', 'flag'].join('\t'));
    for (const user of await store.listUsers()) {
      for (const i of await store.listInstances(user.id)) {
        if (i.access !== 'owner') continue;
        const n = i.collection.objectCount;
        const isLarge = n > config.largeCalendarThreshold;
        calendars++;
        entries += n;
        if (isLarge) large++;
        io.out([user.username, i.uri, String(n), isLarge ? `LARGE (> ${config.largeCalendarThreshold})` : ''].join('\t'));
      }
    }
    io.out(`${count(calendars, 'calendar', 'calendars')}, ${count(entries, 'entry', 'entries')}, ${large} past the threshold of ${config.largeCalendarThreshold}`);
    await addressBookStats(store, config.largeCalendarThreshold, io);
    return 0;
  });
}
