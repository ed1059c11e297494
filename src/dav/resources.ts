// Resolves a request path to the resource it names, as seen by the requesting user. Other users'
// homes are refused without saying whether they exist (SPEC "Sharing": a user never reaches
// another user's data unless shared); shared calendars appear in the sharee's own home under the
// instance's uri. Principals are the directory: any authenticated user may read another user's
// principal and any group's (issue 15: names, addresses, calendar-user-type; never their calendars).
import type { Access, CalendarInstance, Collection, Group, ObjectMeta, Store, User } from '../store/types.js';
import { forbidden, notFound, badRequest } from './errors.js';
import { CALENDARS, DAV_ROOT, GROUPS, PRINCIPALS, calendarHref, groupHref, homeHref, homeMemberHref, parseDavPath, principalHref } from './paths.js';
import { visibleObject } from './sharee-view.js';

interface Base {
  /** Canonical href of the resource (collections end in "/"). */
  href: string;
}
export type Resource =
  // The requesting user rides along everywhere, so current-user-principal answers on every
  // resource, "/" and "/dav/" included (RFC 5397 §3; vdirsyncer and DAVx5 start discovery there).
  | (Base & { kind: 'root'; user: User })
  | (Base & { kind: 'principals'; user: User })
  /**
   * A user's principal. Unlike every other kind, `user` is the user the principal belongs to (so
   * its properties — addresses, home, inbox — describe that user), and `viewer` is the requesting
   * user, who may be someone else (issue 15 item 1).
   */
  | (Base & { kind: 'principal'; user: User; viewer: User })
  /** The collection of group principals (/dav/groups/). */
  | (Base & { kind: 'groups'; user: User })
  /** A group's principal (calendar-user-type GROUP, group-member-set). */
  | (Base & { kind: 'group'; user: User; group: Group })
  | (Base & { kind: 'calendars'; user: User })
  | (Base & { kind: 'home'; user: User })
  /** A calendar reached through the user's instance (own or shared). */
  | (Base & { kind: 'calendar'; user: User; instance: CalendarInstance; collection: Collection; access: Access })
  /** A plain WebDAV collection (owner only). `segments` is its path below the home. */
  | (Base & { kind: 'collection'; user: User; collection: Collection; segments: string[] })
  | (Base & { kind: 'object'; user: User; parent: CollectionResource; meta: ObjectMeta; name: string })
  /**
   * Nothing there: the target of PUT, MKCOL, MKCALENDAR, COPY, MOVE. `parent` is null when the
   * parent does not exist either (those methods then answer 409, RFC 4918 §9.7.1, §9.3.1).
   */
  | (Base & { kind: 'missing'; user: User; parent: ParentResource | null; name: string });

export type CollectionResource = Extract<Resource, { kind: 'calendar' | 'collection' }>;
export type ParentResource = Extract<Resource, { kind: 'home' | 'calendar' | 'collection' }>;

export type CalendarResource = Extract<Resource, { kind: 'calendar' }>;

/** A calendar as `user` reaches it through `instance` (own or shared): its collection, access and href come from the instance. */
export function calendarResource(user: User, instance: CalendarInstance, href = calendarHref(user.username, instance.uri)): CalendarResource {
  return { kind: 'calendar', user, instance, collection: instance.collection, access: instance.access, href };
}

export const isCollectionKind = (r: Resource) => r.kind !== 'object' && r.kind !== 'missing';

/** Access the user has to a resource's content. */
export function accessOf(r: Resource): Access | 'none' {
  switch (r.kind) {
    case 'calendar': return r.access;
    case 'object': return accessOf(r.parent);
    case 'missing': return r.parent ? accessOf(r.parent) : 'owner';
    case 'collection': case 'home': return 'owner';
    case 'principal': return 'read';
    default: return 'read';
  }
}

export function collectionOf(r: CollectionResource): Collection {
  return r.collection;
}

/**
 * Resolves a raw request path. Throws 400 for undecodable paths, 403/404 where nothing may be seen.
 * With `withData` an object is read with its body (a StoredObject as `meta`), so GET reads its
 * row once. With `creating` (PUT, MKCOL, MKCALENDAR) a path below the user's own principal is
 * 403: nothing may be created there, which is what a client asking to create must read, not
 * "not found" (issue 12 item 5).
 */
export async function resolve(store: Store, user: User, rawPath: string, opts: { withData?: boolean; creating?: boolean } = {}): Promise<Resource> {
  const parsed = parseDavPath(rawPath);
  if (!parsed) throw badRequest('Malformed path');
  // Nothing is served there: discovery probes (DAVx5 tries home-set guesses, clients try
  // /dav/addressbooks/) must read "not here", not "malformed" (issue 12 item 3).
  if (parsed.area === 'outside' || parsed.area === 'unknown') throw notFound();
  // "/" answers DAV too (Apple PROPFINDs it); the response names the URL that was asked.
  if (parsed.area === 'root') return { kind: 'root', user, href: rawPath === '/' ? '/' : DAV_ROOT };
  if (parsed.area === 'principals') {
    if (parsed.user === undefined) return { kind: 'principals', user, href: PRINCIPALS };
    const owner = parsed.user === user.username ? user : await store.getUser(parsed.user);
    if (!owner) throw notFound('No such principal');
    if (parsed.below) throw opts.creating ? forbidden('Nothing can be created under a principal') : notFound('A principal has no members');
    return { kind: 'principal', user: owner, viewer: user, href: principalHref(owner.username) };
  }
  if (parsed.area === 'groups') {
    if (parsed.group === undefined) return { kind: 'groups', user, href: GROUPS };
    const group = await store.getGroup(parsed.group);
    if (!group) throw notFound('No such group');
    if (parsed.below) throw opts.creating ? forbidden('Nothing can be created under a principal') : notFound('A principal has no members');
    return { kind: 'group', user, group, href: groupHref(group.name) };
  }
  if (parsed.user === undefined) return { kind: 'calendars', user, href: CALENDARS };
  if (parsed.user !== user.username) throw forbidden('This is not your calendar home');
  const home: Resource = { kind: 'home', user, href: homeHref(user.username) };
  const segs = parsed.segments;
  if (segs.length === 0) return home;

  // First segment: a calendar instance (own or shared) or a plain collection of the user.
  const first = segs[0]!;
  let current: ParentResource;
  const instance = await store.getInstance(user.id, first);
  if (instance) {
    current = calendarResource(user, instance);
  } else {
    const plain = await store.findCollection(user.id, null, first);
    if (!plain || plain.kind !== 'plain') {
      const last = segs[segs.length - 1]!;
      return { kind: 'missing', user, parent: segs.length === 1 ? home : null, name: last, href: homeMemberHref(user.username, segs, parsed.trailingSlash) };
    }
    current = { kind: 'collection', user, collection: plain, segments: [first], href: homeMemberHref(user.username, [first], true) };
  }

  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    const coll = current.collection;
    if (current.kind === 'collection') {
      const child = await store.findCollection(user.id, coll.id, seg);
      if (child) {
        current = { kind: 'collection', user, collection: child, segments: [...current.segments, seg], href: homeMemberHref(user.username, [...current.segments, seg], true) };
        continue;
      }
    }
    const segments = current.kind === 'collection' ? [...current.segments, seg] : [first, seg];
    const meta = last && opts.withData ? await store.getObject(coll.id, seg) : await store.getObjectMeta(coll.id, seg);
    if (!last) return { kind: 'missing', user, parent: null, name: segs[segs.length - 1]!, href: homeMemberHref(user.username, segs, parsed.trailingSlash) };
    // A sharee: 404 for a private object, the busy view of a confidential one (sharee-view.ts).
    if (meta) return { kind: 'object', user, parent: current, meta: await visibleObject(store, current, meta), name: seg, href: homeMemberHref(user.username, segments, false) };
    return { kind: 'missing', user, parent: current, name: seg, href: homeMemberHref(user.username, segments, parsed.trailingSlash) };
  }
  return current;
}
