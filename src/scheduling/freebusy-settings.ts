// "Include in free/busy" per calendar and user (issue 15 item 4; RFC 6638 §9.1
// schedule-calendar-transp on the DAV side): on by default for the user's own calendars, off for
// calendars shared with them (a colleague's calendar must not make the sharee look busy).
import type { CalendarInstance, Collection, Store, User } from '../store/types.js';

export async function isIncludedInFreeBusy(store: Store, instance: CalendarInstance): Promise<boolean> {
  const stored = await store.getFreeBusyIncluded(instance.userId, instance.collection.id);
  return stored ?? instance.access === 'owner';
}

/** The calendars whose events count for the user's free/busy. */
export async function freeBusyCalendars(store: Store, user: User): Promise<Collection[]> {
  const out: Collection[] = [];
  for (const i of await store.listInstances(user.id)) {
    if (!i.collection.components.includes('VEVENT') && !i.collection.components.includes('VFREEBUSY')) continue;
    if (await isIncludedInFreeBusy(store, i)) out.push(i.collection);
  }
  return out;
}
