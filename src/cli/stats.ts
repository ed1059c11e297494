// sundial stats — every calendar with its number of entries; those past the large-calendar
// threshold are flagged (SPEC "Large calendars").
import { splitArgs, withStore, type CliIO } from './command.js';
import { count } from './plural.js';

export const statsUsage = `Usage:
  sundial stats                       every calendar with its number of entries; large ones flagged`;

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
    return 0;
  });
}
