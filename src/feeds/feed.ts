// The content of a subscription feed, GET /feeds/<token>.ics (SPEC "Subscription feeds"): which
// calendars a token reaches, a strong ETag computed from their sync sequences (no body hashing),
// and the body as a stream of text chunks, built from the store in batches so that a 30,000-entry
// feed never sits whole in memory.
import { createHash } from 'node:crypto';
import { objectPages, type CalendarInstance, type FeedToken, type Store } from '../store/types.js';
import { mergeCalendar } from '../ical/merge.js';
import { privacyTransform } from '../ical/privacy.js';
import { hashFeedToken } from './tokens.js';
import { visibleMetas, visibleObjects } from '../services/visibility.js';
import { slicer } from '../time-slice.js';

/** Bumped when the feed's output format changes, so every cached copy is revalidated. */
const FORMAT_VERSION = 1;
/** Objects fetched per store call while streaming. */
export const BATCH = 200;
/** Component types a feed carries (SPEC: events and to-dos); VTIMEZONEs come along. */
const FEED_TYPES = new Set(['VEVENT', 'VTODO']);

/** RFC 7986 §5.7 REFRESH-INTERVAL and its older Microsoft twin, both one hour. */
export const REFRESH_HEADER = ['REFRESH-INTERVAL;VALUE=DURATION:PT1H', 'X-PUBLISHED-TTL:PT1H'];

export interface ResolvedFeed {
  feed: FeedToken;
  name: string;
  instances: CalendarInstance[];
  etag: string;
}

/**
 * The feed a presented token opens, or null (unknown, revoked, or the calendar is no longer
 * reachable by the link's owner). The token is hashed before anything else, whatever it looks
 * like, and looked up with one indexed query on the hash: no early return on its shape, and the
 * comparison happens on hashes, which tell an attacker nothing about the token.
 */
export async function resolveFeed(store: Store, token: string): Promise<ResolvedFeed | null> {
  const feed = await store.findFeedToken(hashFeedToken(token));
  if (!feed) return null;
  const user = await store.getUserById(feed.userId);
  if (!user) return null;
  let instances: CalendarInstance[];
  let name: string;
  if (feed.groupId !== null) {
    // A group's calendars (issue 15 item 6): the collections shared with the group, as this
    // member reaches them — checked on every use, so leaving the group (or the group's deletion,
    // which takes the token with it) ends the link, and sharee privacy (CLASS) applies below.
    const group = await store.getGroupById(feed.groupId);
    if (!group || !(await store.listUserGroups(user.id)).some((g) => g.id === group.id)) return null;
    const shared = new Set((await store.listGroupCollections(group.id)).map((s) => s.collectionId));
    instances = (await store.listInstances(user.id)).filter((i) => shared.has(i.collection.id));
    name = `${group.displayName || group.name} — all calendars`;
    if (feed.details === 'busy') name = `${group.displayName || group.name} — busy`;
  } else if (feed.collectionId === null) {
    // "All my calendars": own and shared, with synchronization on (SPEC table, last row).
    instances = await store.listInstances(user.id, { syncOnly: true });
    name = `${user.displayName || user.username} — all calendars`;
  } else {
    // Access is checked on every use: a calendar unshared or deleted since ends the link.
    const inst = (await store.listInstances(user.id)).find((i) => i.collection.id === feed.collectionId);
    if (!inst) return null;
    instances = [inst];
    name = inst.collection.displayName ?? inst.uri;
  }
  // Busy mode does not give away the calendar's own name ("Doctor", "Job interviews") either.
  if (feed.details === 'busy' && feed.groupId === null) name = `${user.displayName || user.username} — busy`;
  if (feed.label) name = feed.label;
  const state = JSON.stringify([
    FORMAT_VERSION, feed.id, feed.details, feed.alarms, name,
    instances.map((i) => [i.collection.id, i.collection.syncSeq]),
  ]);
  const etag = `"${createHash('sha256').update(state).digest('base64url').slice(0, 32)}"`;
  return { feed, name, instances, etag };
}

/**
 * Object bodies of some collections, fetched BATCH at a time (only the metadata list is held
 * whole). `types` keeps objects of those component types; null keeps everything. Collections in
 * `shared` are read as a sharee sees them: no private objects, confidential ones as busy time
 * (services/visibility.ts) — a link's creator sees no more through it than over DAV.
 */
export async function* objectTexts(store: Store, collectionIds: number[], types: ReadonlySet<string> | null, shared: ReadonlySet<number> = new Set()): AsyncGenerator<string> {
  // The consumer (mergeCalendar, the privacy transform) works on each text before asking for the
  // next, so pausing here slices all of it: a 20,000-entry feed held the event loop for 2.5 s.
  const pause = slicer();
  for (const id of collectionIds) {
    const sharee = shared.has(id);
    // A page of names at a time (objectPages yields to the event loop between pages), and the
    // bodies of each page in one read.
    for await (const page of objectPages(store, id, BATCH)) {
      const names = visibleMetas(sharee, page)
        .filter((m) => types === null || m.componentType === null || types.has(m.componentType))
        .map((m) => m.name);
      for (const obj of visibleObjects(sharee, await store.getObjects(id, names))) {
        await pause();
        yield obj.data.toString('utf8');
      }
    }
  }
}

/** The feed as text chunks of about 64 KB: one VCALENDAR with de-duplicated VTIMEZONEs. */
export function feedBody(store: Store, resolved: ResolvedFeed): AsyncGenerator<string> {
  const shared = new Set(resolved.instances.filter((i) => i.access !== 'owner').map((i) => i.collection.id));
  return mergeCalendar(objectTexts(store, resolved.instances.map((i) => i.collection.id), FEED_TYPES, shared), {
    name: resolved.name,
    extraHeader: REFRESH_HEADER,
    transform: privacyTransform({ details: resolved.feed.details, alarms: resolved.feed.alarms, include: [...FEED_TYPES] }),
  });
}
