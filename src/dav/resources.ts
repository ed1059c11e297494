// Resolves a request path to the resource it names, as seen by the requesting user. Other users'
// principals and homes are refused without saying whether they exist (SPEC "Sharing": a user
// never reaches another user's data unless shared); shared calendars and address books appear in
// the sharee's own home (calendar home or address-book home) under the instance's uri. Both homes
// resolve alike: their kind of resource is the 'home' with its `home`, their collections are
// reached through the user's instances (calendars, address books) or are plain collections.
import type { Access, CalendarInstance, Collection, Home, ObjectMeta, Store, User } from '../store/types.js';
import { forbidden, notFound, badRequest } from './errors.js';
import { DAV_ROOT, HOME_AREAS, PRINCIPALS, homeHrefOf, homeMemberHref, parseDavPath, principalHref } from './paths.js';
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
  | (Base & { kind: 'principal'; user: User })
  /** /dav/calendars/ */
  | (Base & { kind: 'calendars'; user: User })
  /** /dav/addressbooks/ (RFC 6352) */
  | (Base & { kind: 'addressbooks'; user: User })
  /** The user's calendar home or address-book home. */
  | (Base & { kind: 'home'; user: User; home: Home })
  /** A calendar reached through the user's instance (own or shared). */
  | (Base & { kind: 'calendar'; user: User; instance: CalendarInstance; collection: Collection; access: Access })
  /** An address book (RFC 6352 §5.2) reached through the user's instance (own or shared). */
  | (Base & { kind: 'addressbook'; user: User; instance: CalendarInstance; collection: Collection; access: Access })
  /** A plain WebDAV collection (owner only). `segments` is its path below the home. */
  | (Base & { kind: 'collection'; user: User; collection: Collection; segments: string[] })
  | (Base & { kind: 'object'; user: User; parent: CollectionResource; meta: ObjectMeta; name: string })
  /**
   * Nothing there: the target of PUT, MKCOL, MKCALENDAR, COPY, MOVE. `parent` is null when the
   * parent does not exist either (those methods then answer 409, RFC 4918 §9.7.1, §9.3.1).
   */
  | (Base & { kind: 'missing'; user: User; parent: ParentResource | null; name: string });

export type CollectionResource = Extract<Resource, { kind: 'calendar' | 'addressbook' | 'collection' }>;
export type ParentResource = Extract<Resource, { kind: 'home' | 'calendar' | 'addressbook' | 'collection' }>;

export type CalendarResource = Extract<Resource, { kind: 'calendar' }>;
export type AddressbookResource = Extract<Resource, { kind: 'addressbook' }>;
/** A collection reached through an instance: a calendar or an address book. */
export type InstanceResource = CalendarResource | AddressbookResource;

export const isInstanceResource = (r: Resource | null | undefined): r is InstanceResource => r?.kind === 'calendar' || r?.kind === 'addressbook';

/**
 * A calendar or address book as `user` reaches it through `instance` (own or shared): its kind
 * follows the collection's, its collection, access and href come from the instance.
 */
export function instanceResource(user: User, instance: CalendarInstance, href = `${homeHrefOf(instance.home, user.username)}${instance.uri}/`): InstanceResource {
  const kind = instance.collection.kind === 'addressbook' ? 'addressbook' : 'calendar';
  return { kind, user, instance, collection: instance.collection, access: instance.access, href };
}

/** A calendar as `user` reaches it through `instance` (own or shared). */
export function calendarResource(user: User, instance: CalendarInstance, href?: string): CalendarResource {
  return instanceResource(user, instance, href) as CalendarResource;
}

/** A plain collection of the user at `segments` below its home. */
export function plainResource(user: User, collection: Collection, segments: string[]): Extract<Resource, { kind: 'collection' }> {
  return { kind: 'collection', user, collection, segments, href: homeMemberHref(user.username, segments, true, collection.home) };
}

export const isCollectionKind = (r: Resource) => r.kind !== 'object' && r.kind !== 'missing';

/** Access the user has to a resource's content. */
export function accessOf(r: Resource): Access | 'none' {
  switch (r.kind) {
    case 'calendar': case 'addressbook': return r.access;
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
    if (parsed.user !== user.username) throw forbidden('This is not your principal');
    if (parsed.below) throw opts.creating ? forbidden('Nothing can be created under a principal') : notFound('A principal has no members');
    return { kind: 'principal', user, href: principalHref(user.username) };
  }
  const area = parsed.area;
  if (parsed.user === undefined) return { kind: area, user, href: HOME_AREAS[area] };
  if (parsed.user !== user.username) throw forbidden(area === 'calendars' ? 'This is not your calendar home' : 'This is not your address-book home');
  const home: Resource = { kind: 'home', user, home: area, href: homeHrefOf(area, user.username) };
  const segs = parsed.segments;
  if (segs.length === 0) return home;
  const memberHref = (segments: readonly string[], collection: boolean) => homeMemberHref(user.username, segments, collection, area);

  // First segment: an instance (own or shared calendar or address book) or a plain collection of the user.
  const first = segs[0]!;
  let current: ParentResource;
  const instance = await store.getInstance(user.id, first, area);
  if (instance) {
    current = instanceResource(user, instance);
  } else {
    const plain = await store.findCollection(user.id, null, first, area);
    if (!plain || plain.kind !== 'plain') {
      const last = segs[segs.length - 1]!;
      return { kind: 'missing', user, parent: segs.length === 1 ? home : null, name: last, href: memberHref(segs, parsed.trailingSlash) };
    }
    current = plainResource(user, plain, [first]);
  }

  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    const coll = current.collection;
    if (current.kind === 'collection') {
      const child = await store.findCollection(user.id, coll.id, seg);
      if (child) {
        current = plainResource(user, child, [...current.segments, seg]);
        continue;
      }
    }
    const segments = current.kind === 'collection' ? [...current.segments, seg] : [first, seg];
    const meta = last && opts.withData ? await store.getObject(coll.id, seg) : await store.getObjectMeta(coll.id, seg);
    if (!last) return { kind: 'missing', user, parent: null, name: segs[segs.length - 1]!, href: memberHref(segs, parsed.trailingSlash) };
    // A sharee: 404 for a private object, the busy view of a confidential one (sharee-view.ts).
    if (meta) return { kind: 'object', user, parent: current, meta: await visibleObject(store, current, meta), name: seg, href: memberHref(segments, false) };
    return { kind: 'missing', user, parent: current, name: seg, href: memberHref(segments, parsed.trailingSlash) };
  }
  return current;
}
