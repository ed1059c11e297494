// What a sharee sees of a shared calendar's objects, by their classification (RFC 5545
// §3.8.1.3 CLASS, stored in objects.classification): the behaviour users know from Nextcloud
// (apps/dav Calendar::getChild/getChildren, CalendarObject::get) and Google Calendar.
// - PRIVATE (and any class value not understood, RFC 5545 §3.8.1.3, and rows not yet
//   classified): invisible — not listed, not in any report, 404 for its URL, a 404 removal in
//   sync-collection — and so not writable either (PUT onto its name is 404, not an overwrite).
// - CONFIDENTIAL: busy time only (ical/confidential.ts), read-only: a write would replace the
//   owner's details with what the sharee was shown, so PUT/DELETE/MOVE/COPY/PROPPATCH are 403
//   DAV:need-privileges.
// - The owner always sees everything; free-busy counts every event (it shows times only).
//
// The busy view keeps the stored ETag, as Nextcloud does: the ETag names the stored version, the
// view is a function of it (a change of the object, its class included, changes the bytes and
// so the ETag, and the sharee then fetches the new view), and a sharee's conditional GET or
// listing comparison stays valid. Caches keyed by ETag (dav/query/engine.ts) tell the view apart
// by its `busyView` flag, so an owner's rendering never reaches a sharee or the reverse.
import { busyObject, hiddenFromSharee } from '../services/visibility.js';
import type { ObjectMeta, Store, StoredObject } from '../store/types.js';
import { needPrivileges, notFound } from './errors.js';
import type { CollectionResource, Resource } from './resources.js';

export { busyObject, hiddenFromSharee, visibleMeta, visibleMetas, visibleObjects, visibleText } from '../services/visibility.js';

/** True when the requesting user reaches this calendar or address book (or collection) through a share. */
export function isSharee(r: Resource | null | undefined): boolean {
  if (!r) return false;
  if (r.kind === 'calendar' || r.kind === 'addressbook') return r.access !== 'owner';
  if (r.kind === 'object' || r.kind === 'missing') return isSharee(r.parent);
  return false;
}

/**
 * An object resolved for a request (resources.ts): 404 when a sharee may not see it, the busy
 * view (with its body, so GET and HEAD agree on the length) when confidential.
 */
export async function visibleObject(store: Store, parent: CollectionResource, meta: ObjectMeta | StoredObject): Promise<ObjectMeta | StoredObject> {
  if (!isSharee(parent)) return meta;
  if (hiddenFromSharee(meta.classification)) throw notFound();
  if (meta.classification !== 'confidential') return meta;
  const full = 'data' in meta ? meta : await store.getObject(parent.collection.id, meta.name);
  if (!full) throw notFound();
  return busyObject(full);
}

const WRITES: Record<string, string> = { PUT: 'write-content', DELETE: 'unbind', MOVE: 'unbind', COPY: 'read', PROPPATCH: 'write-properties' };

/**
 * Refuses a method that would change (or copy out the stored details of) a confidential object
 * a sharee sees as busy time: 403 DAV:need-privileges. A COPY would duplicate the owner's full
 * text, which the sharee has no DAV:read of.
 */
export function refuseBusyViewWrite(method: string, r: Resource): void {
  if (r.kind !== 'object' || !r.meta.busyView) return;
  const privilege = WRITES[method];
  if (privilege) throw needPrivileges(r.href, privilege);
}

