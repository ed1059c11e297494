// Private subscription links of a user (SPEC "Subscription feeds"): create, list, regenerate,
// revoke — shared by the JSON API and the CLI so both behave the same. The secret token is
// returned only by create and regenerate; the store keeps its hash.
import type { CalendarInstance, FeedToken, Store, User } from '../store/types.js';
import { LimitReached, NotFound } from '../store/errors.js';
import { forbiddenAction, invalid, missing } from '../services/errors.js';
import { newFeedToken } from './tokens.js';

/** A user may hold this many links; more is almost certainly a script gone wrong. */
export const MAX_LINKS_PER_USER = 100;

export interface LinkView {
  id: number;
  /** Segment of the calendar in the user's home; null = all calendars with synchronization on. */
  calendar: string | null;
  /** Name of the calendar, or null for the all-calendars link. */
  calendarName: string | null;
  /** A link over a group's calendars: the group's name (calendar is then null). */
  group: string | null;
  /** false when the calendar was deleted or is no longer shared with the user (the feed is 404). */
  available: boolean;
  details: 'full' | 'busy';
  alarms: boolean;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NewLink {
  link: LinkView;
  /** The secret, shown this once. */
  token: string;
}

function view(feed: FeedToken, instances: CalendarInstance[], groups: ReadonlyMap<number, string>): LinkView {
  const inst = feed.collectionId === null ? null : instances.find((i) => i.collection.id === feed.collectionId) ?? null;
  const group = feed.groupId === null ? null : groups.get(feed.groupId) ?? null;
  return {
    id: feed.id,
    calendar: inst?.uri ?? null,
    calendarName: inst ? inst.collection.displayName ?? inst.uri : null,
    group,
    // A group link works while its user is a member (the map holds only their groups).
    available: feed.groupId !== null ? group !== null : feed.collectionId === null || inst !== null,
    details: feed.details,
    alarms: feed.alarms,
    label: feed.label,
    createdAt: feed.createdAt,
    lastUsedAt: feed.lastUsedAt,
  };
}

/** The user's groups by id: a group link is available while its user is a member. */
async function groupsOf(store: Store, user: User): Promise<Map<number, string>> {
  return new Map((await store.listUserGroups(user.id)).map((g) => [g.id, g.name]));
}

export async function listLinks(store: Store, user: User): Promise<LinkView[]> {
  const [feeds, instances, groups] = await Promise.all([store.listFeedTokens(user.id), store.listInstances(user.id), groupsOf(store, user)]);
  return feeds.map((f) => view(f, instances, groups));
}

export interface LinkInput {
  calendar?: unknown;
  /** A group the user belongs to: the link covers the calendars shared with it. */
  group?: unknown;
  details?: unknown;
  alarms?: unknown;
  label?: unknown;
}

export async function createLink(store: Store, user: User, input: LinkInput): Promise<NewLink> {
  const details = input.details ?? 'full';
  if (details !== 'full' && details !== 'busy') throw invalid('details is "full" or "busy"');
  const alarms = input.alarms ?? true;
  if (typeof alarms !== 'boolean') throw invalid('alarms is true (kept) or false (removed)');
  let label: string | null = null;
  if (input.label !== undefined && input.label !== null && input.label !== '') {
    if (typeof input.label !== 'string' || input.label.trim() === '' || input.label.length > 200) throw invalid('a label has 1 to 200 characters');
    label = input.label.trim();
  }
  let instance: CalendarInstance | null = null;
  if (input.calendar !== undefined && input.calendar !== null && input.calendar !== '') {
    if (typeof input.calendar !== 'string') throw invalid('calendar is the calendar\'s URL segment, or null for all calendars');
    instance = await store.getInstance(user.id, input.calendar);
    if (!instance) throw missing(`no calendar "${input.calendar}"`);
  }
  let groupId: number | null = null;
  if (input.group !== undefined && input.group !== null && input.group !== '') {
    if (instance) throw invalid('a link covers one calendar or one group, not both');
    if (typeof input.group !== 'string') throw invalid('group is a group\'s name');
    // Only a member may publish a group's calendars: they are what the member sees of them.
    const g = (await store.listUserGroups(user.id)).find((x) => x.name === input.group);
    if (!g) throw missing(`you are not a member of a group "${input.group}"`);
    groupId = g.id;
  }
  const { token, hash } = newFeedToken();
  let feed;
  try {
    // The store counts in the write's transaction: a count read here first let concurrent
    // requests (PostgreSQL) each see room for one more.
    feed = await store.createFeedToken({ userId: user.id, collectionId: instance?.collection.id ?? null, groupId, tokenHash: hash, details, alarms, label, maxPerUser: MAX_LINKS_PER_USER });
  } catch (err) {
    if (err instanceof LimitReached) throw forbiddenAction(`at most ${MAX_LINKS_PER_USER} links; revoke some first`);
    throw err;
  }
  return { link: view(feed, instance ? [instance] : [], await groupsOf(store, user)), token };
}

function linkId(id: unknown): number {
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d{1,15}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n)) throw missing('no such link');
  return n;
}

/** A new secret for the link, keeping its options; the old URL stops working at once. */
export async function regenerateLink(store: Store, user: User, id: unknown): Promise<NewLink> {
  const { token, hash } = newFeedToken();
  try {
    const feed = await store.rotateFeedToken(user.id, linkId(id), hash);
    return { link: view(feed, await store.listInstances(user.id), await groupsOf(store, user)), token };
  } catch (err) {
    if (err instanceof NotFound) throw missing('no such link');
    throw err;
  }
}

export async function revokeLink(store: Store, user: User, id: unknown): Promise<void> {
  try {
    await store.deleteFeedToken(user.id, linkId(id));
  } catch (err) {
    if (err instanceof NotFound) throw missing('no such link');
    throw err;
  }
}
