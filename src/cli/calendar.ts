// sundial calendar list|create|sync|freebusy — what the preferences page does, for admins and scripts.
import { createCalendar, listCalendars, setSync, updateCalendar } from '../services/calendars.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';
import { count } from './plural.js';

export const calendarUsage = `Usage:
  sundial calendar list <user>                      the user's calendars (own and shared)
  sundial calendar create <user> <name> [--color #RRGGBB]
  sundial calendar sync <user> <calendar> on|off    switch synchronization to devices
  sundial calendar freebusy <user> <calendar> on|off  count its events in the user's free/busy`;

export async function calendarCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const colorAt = flags.indexOf('--color');
  const color = colorAt >= 0 ? flags[colorAt + 1] : undefined;
  const serverFlags = colorAt >= 0 ? flags.filter((_, i) => i !== colorAt && i !== colorAt + 1) : flags;
  const [sub, username, a, b] = positional;
  return withStore(io, serverFlags, async (store, config) => {
    switch (sub) {
      case 'list': {
        const user = await userNamed(store, username, calendarUsage);
        const { mine, others } = await listCalendars(store, user, config.largeCalendarThreshold);
        for (const c of [...mine, ...others]) {
          io.out([c.uri, c.displayName, c.access === 'owner' ? 'own' : `${c.access} from ${c.owner}`, `${count(c.entries, 'entry', 'entries')}${c.large ? ' (large)' : ''}`, `sync ${c.sync ? 'on' : 'off'}`, `free/busy ${c.freeBusy ? 'on' : 'off'}`].join('\t'));
        }
        return 0;
      }
      case 'create': {
        const user = await userNamed(store, username, calendarUsage);
        if (!a) throw new UsageError(calendarUsage);
        const i = await asUsage(() => createCalendar(store, user, { displayName: a, color }));
        io.out(`created ${i.uri} ("${i.collection.displayName}") for ${user.username}`);
        return 0;
      }
      case 'sync': {
        const user = await userNamed(store, username, calendarUsage);
        if (!a || (b !== 'on' && b !== 'off')) throw new UsageError(calendarUsage);
        const i = await asUsage(() => setSync(store, user, a, b === 'on'));
        io.out(`synchronization of ${i.uri} for ${user.username}: ${i.syncEnabled ? 'on' : 'off'}`);
        return 0;
      }
      case 'freebusy': {
        const user = await userNamed(store, username, calendarUsage);
        if (!a || (b !== 'on' && b !== 'off')) throw new UsageError(calendarUsage);
        const i = await asUsage(() => updateCalendar(store, user, a, { freeBusy: b === 'on' }));
        io.out(`free/busy of ${i.uri} for ${user.username}: ${b}`);
        return 0;
      }
      default:
        throw new UsageError(calendarUsage);
    }
  });
}
