// What a user can do with their calendars outside DAV — list, create, rename, recolour, delete,
// switch synchronization, share — used by the preferences page's JSON API and by the CLI, so both
// behave the same. DAV-visible effects (home listing, tokens) follow from the store.
import type { Access, CalendarInstance, Store, User } from '../store/types.js';
import { Conflict, LimitReached } from '../store/errors.js';
import { forbiddenAction, invalid, missing, taken } from './errors.js';
import { checkName } from './names.js';
import { leaveShared, shareWithUser, unshareWithUser } from './collection-shares.js';
import { SCHEDULING_SEGMENTS, calendarPath } from '../urls.js';
import { isIncludedInFreeBusy } from '../scheduling/freebusy-settings.js';

export interface CalendarView {
  uri: string;
  displayName: string;
  color: string | null;
  description: string | null;
  owner: string;
  access: Access;
  sync: boolean;
  /** Whether its events count for this user's free/busy (issue 15 item 4; CalDAV schedule-calendar-transp). */
  freeBusy: boolean;
  entries: number;
  /** SPEC "Large calendars": more entries than the configured threshold. */
  large: boolean;
  /** Path of the calendar in this user's home (for DAV clients). */
  path: string;
  components: string[];
  shares?: { username: string; access: Exclude<Access, 'owner'> }[];
}

export async function calendarView(store: Store, user: User, i: CalendarInstance, threshold: number, owners: Map<number, string>): Promise<CalendarView> {
  let owner = owners.get(i.collection.ownerId);
  if (owner === undefined) {
    owner = (await store.getUserById(i.collection.ownerId))?.username ?? '?';
    owners.set(i.collection.ownerId, owner);
  }
  const view: CalendarView = {
    uri: i.uri,
    displayName: i.collection.displayName ?? i.collection.uri,
    color: i.collection.color,
    description: i.collection.description,
    owner,
    access: i.access,
    sync: i.syncEnabled,
    freeBusy: await isIncludedInFreeBusy(store, i),
    entries: i.collection.objectCount,
    large: i.collection.objectCount > threshold,
    path: calendarPath(user.username, i.uri),
    components: i.collection.components,
  };
  if (i.access === 'owner') view.shares = (await store.listShares(i.collection.id)).map((s) => ({ username: s.username, access: s.access }));
  return view;
}

export async function listCalendars(store: Store, user: User, threshold: number): Promise<{ mine: CalendarView[]; others: CalendarView[] }> {
  const owners = new Map<number, string>([[user.id, user.username]]);
  const views = await Promise.all((await store.listInstances(user.id)).map((i) => calendarView(store, user, i, threshold, owners)));
  return { mine: views.filter((v) => v.access === 'owner'), others: views.filter((v) => v.access !== 'owner') };
}

async function instanceOf(store: Store, user: User, uri: string): Promise<CalendarInstance> {
  const i = await store.getInstance(user.id, uri);
  if (!i) throw missing(`no calendar "${uri}"`);
  return i;
}

async function ownInstance(store: Store, user: User, uri: string): Promise<CalendarInstance> {
  const i = await instanceOf(store, user, uri);
  if (i.access !== 'owner') throw forbiddenAction('only the owner can do this');
  return i;
}

/** A URL segment from a display name: lower-case ASCII words joined by "-", unique in the home. */
export function slugify(name: string): string {
  const base = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return base || 'calendar';
}

const COLOR = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;

const checkCalendarName = (displayName: unknown): string => checkName(displayName, 'a calendar name');

function checkColor(color: unknown): string | null {
  if (color === null || color === undefined || color === '') return null;
  if (typeof color !== 'string' || !COLOR.test(color)) throw invalid('a colour is #RRGGBB');
  return color;
}

export async function createCalendar(store: Store, user: User, init: { displayName: unknown; color?: unknown; uri?: unknown }): Promise<CalendarInstance> {
  const displayName = checkCalendarName(init.displayName);
  const color = checkColor(init.color);
  const base = init.uri === undefined ? slugify(displayName) : String(init.uri);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(base)) throw invalid('a calendar URL segment has letters, digits, ".", "_" or "-"');
  for (let n = 1; n < 1000; n++) {
    const uri = n === 1 ? base : `${base}-${n}`;
    // The scheduling inbox and outbox own these segments (RFC 6638 §2).
    if (SCHEDULING_SEGMENTS.has(uri)) {
      if (init.uri !== undefined) throw taken(`"${uri}" is reserved for scheduling`);
      continue;
    }
    if (await store.getInstance(user.id, uri)) continue;
    try {
      const c = await store.createCollection(user.id, { kind: 'calendar', uri, displayName, color });
      return (await store.getInstance(user.id, c.uri))!;
    } catch (err) {
      if (err instanceof Conflict) {
        if (init.uri !== undefined) throw taken(`"${uri}" is already used`);
        continue;
      }
      throw err;
    }
  }
  throw taken('no free name for the calendar');
}

export async function updateCalendar(store: Store, user: User, uri: string, patch: { displayName?: unknown; color?: unknown; sync?: unknown; freeBusy?: unknown }): Promise<CalendarInstance> {
  let i = await instanceOf(store, user, uri);
  if (patch.displayName !== undefined || patch.color !== undefined) {
    if (i.access !== 'owner') throw forbiddenAction('only the owner renames or recolours a calendar');
    await store.updateCollection(i.collection.id, {
      ...(patch.displayName !== undefined ? { displayName: checkCalendarName(patch.displayName) } : {}),
      ...(patch.color !== undefined ? { color: checkColor(patch.color) } : {}),
    });
  }
  if (patch.sync !== undefined) {
    if (typeof patch.sync !== 'boolean') throw invalid('sync is true or false');
    await store.setSyncEnabled(user.id, uri, patch.sync);
  }
  if (patch.freeBusy !== undefined) {
    if (typeof patch.freeBusy !== 'boolean') throw invalid('freeBusy is true or false');
    await store.setFreeBusyIncluded(user.id, i.collection.id, patch.freeBusy);
  }
  i = await instanceOf(store, user, uri);
  return i;
}

export async function setSync(store: Store, user: User, uri: string, enabled: boolean): Promise<CalendarInstance> {
  await instanceOf(store, user, uri);
  return store.setSyncEnabled(user.id, uri, enabled);
}

/** Deletes an own calendar, or removes a shared one from this user's list (SPEC "Sharing"). */
export async function removeCalendar(store: Store, user: User, uri: string): Promise<'deleted' | 'unsubscribed'> {
  const i = await instanceOf(store, user, uri);
  if (i.access !== 'owner') {
    await leaveShared(store, user, i, 'calendar');
    return 'unsubscribed';
  }
  // iOS misbehaves on an empty home (CLIENTS.md §1.4): every user keeps at least one calendar.
  // Counted by the store in the delete's transaction: two concurrent deletes read before it
  // each saw two calendars and took both.
  try {
    await store.deleteCollection(i.collection.id, { keepLastOwn: true });
  } catch (err) {
    if (err instanceof LimitReached) throw forbiddenAction('you cannot delete your last calendar');
    throw err;
  }
  return 'deleted';
}

export async function shareCalendar(store: Store, owner: User, uri: string, username: unknown, access: unknown): Promise<void> {
  await shareWithUser(store, owner, await ownInstance(store, owner, uri), username, access, 'calendar');
}

export async function unshareCalendar(store: Store, owner: User, uri: string, username: string): Promise<void> {
  await unshareWithUser(store, await ownInstance(store, owner, uri), username, 'calendar');
}
