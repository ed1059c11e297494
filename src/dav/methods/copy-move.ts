// COPY and MOVE (RFC 4918 §9.8, §9.9) of objects and collections within the user's own tree.
// Destination must be on this server and reachable by the user; Overwrite (default T) decides
// what happens to an existing target (F → 412); a missing parent of the target is 409.
// Objects moved or copied into a calendar are validated as calendar data there (RFC 4791 §5.3.2),
// into an address book as a vCard (RFC 6352 §6.3.2); a card never enters a calendar, nor a
// calendar object an address book (supported-calendar-data / supported-address-data). Calendars
// stay in the calendar home and address books in the address-book home
// (addressbook-collection-location-ok, RFC 6352 §6.3.2.1).
import type { DavRequest, DavServices, MethodHandler } from '../handler-types.js';
import { DavError, addressbookCollectionLocationOk, badRequest, conflict, forbidden, needPrivileges, preconditionFailed, supportedCalendarComponent, supportedCalendarData } from '../errors.js';
import { supportedAddressData } from '../carddav-errors.js';
import { cardObjectInput } from '../address-objects.js';
import { vcardLimitsOf } from '../../vcard/validate.js';
import { depthOf } from '../depth.js';
import { hrefToPath } from '../paths.js';
import { requireOwner, requireWrite } from '../privileges.js';
import { resolve, type CollectionResource, type ParentResource, type Resource } from '../resources.js';
import { translated } from '../store-errors.js';
import { calendarObjectInput } from '../calendar-objects.js';
import { objectLimitsOf } from '../../ical/limits.js';
import type { Replaced, WriteConditions } from '../../store/types.js';
import { warnIfPassedThreshold } from '../../services/large-calendars.js';
import { isSharee, refuseBusyViewWrite } from '../sharee-view.js';

async function destinationOf(req: DavRequest, svc: DavServices): Promise<Resource> {
  const header = req.header('destination');
  if (!header) throw badRequest('Destination header required');
  // URL parsing would drop a fragment and aim at another resource (see http/adapter.ts).
  if (header.includes('#')) throw badRequest('Destination must not contain "#"; percent-encode it as %23');
  if (!URL.canParse(header, req.origin + '/')) throw badRequest('Destination is not a URI');
  const path = hrefToPath(header, req.origin);
  if (path === null) throw new DavError(502, null, 'Destination is on another server');
  try {
    return await resolve(svc.store, req.user, path);
  } catch (err) {
    // A destination where nothing can be created (below a principal, outside /dav/) has no parent
    // collection to bind it in (§9.8.5): 409, not a 404 that would read as "source not found".
    if (err instanceof DavError && err.status === 404) throw conflict('The destination cannot be created there');
    throw err;
  }
}

function overwriteOf(req: DavRequest): boolean {
  const raw = req.header('overwrite')?.trim().toUpperCase();
  if (raw === undefined || raw === 'T') return true;
  if (raw === 'F') return false;
  throw badRequest('Overwrite must be T or F');
}

/** Throws unless the user may replace what is at `dest` (checked before anything changes). */
function assertReplaceable(dest: Resource): void {
  if (dest.kind === 'calendar' || dest.kind === 'addressbook') requireOwner(dest);
  else if (dest.kind !== 'object' && dest.kind !== 'collection') throw forbidden('The destination cannot be replaced');
}

/**
 * What Overwrite: T replaces, unless an object replaces an object (the store's move/copy/put
 * replace one of the same name themselves, after their UID checks). The store deletes it inside
 * the transaction of the write that takes its place (RFC 4918 §9.8.4, §9.9.3): when that write is
 * refused, it is still there.
 */
function replacedOf(dest: Resource, byCollection: boolean): Replaced | undefined {
  if (dest.kind === 'calendar' || dest.kind === 'addressbook' || dest.kind === 'collection') return { kind: 'collection', id: dest.collection.id };
  if (dest.kind === 'object' && byCollection) return { kind: 'object', collectionId: dest.parent.collection.id, name: dest.name };
  return undefined;
}

function isInside(child: Resource, ancestorHref: string): boolean {
  return child.href.startsWith(ancestorHref) && child.href !== ancestorHref;
}

/** The collection holding an existing collection resource (its href minus the last segment). */
async function parentOf(svc: DavServices, req: DavRequest, r: Resource): Promise<ParentResource | null> {
  const parent = await resolve(svc.store, req.user, encodeURI(withoutLastSegment(r.href)));
  return parent.kind === 'home' || parent.kind === 'calendar' || parent.kind === 'addressbook' || parent.kind === 'collection' ? parent : null;
}

// lastIndexOf rather than .replace(/[^/]+\/$/, ''), which restarts at every character of a long
// segment: quadratic, 135 ms for a 16 KB one.
const withoutLastSegment = (href: string) => (href.endsWith('/') ? href.slice(0, href.lastIndexOf('/', href.length - 2) + 1) : href);

export const copyMove: MethodHandler = async (req, svc, source) => {
  const move = req.method === 'MOVE';
  const overwrite = overwriteOf(req);
  const depth = depthOf(req, 'infinity');
  if (source.kind === 'missing') throw new DavError(404, null, 'No resource at this URL');
  const dest = await destinationOf(req, svc);
  refuseBusyViewWrite('PUT', dest); // a sharee cannot overwrite a confidential object either
  if (dest.href.replace(/\/$/, '') === source.href.replace(/\/$/, '')) throw forbidden('Source and destination are the same resource');
  const destParent = dest.kind === 'missing' || dest.kind === 'object' ? dest.parent : await parentOf(svc, req, dest);
  if (destParent === null) throw conflict('The destination\'s parent collection does not exist');
  const existed = dest.kind !== 'missing';
  if (existed && !overwrite) throw preconditionFailed('The destination exists and Overwrite is F');
  const destName = dest.kind === 'object' ? dest.name : dest.kind === 'missing' ? dest.name : (dest as CollectionResource).collection.uri;
  requireWrite(destParent, 'bind');

  if (existed) assertReplaceable(dest);
  // Replacing an ancestor of the source would delete the source with it (MOVE /p/q/ onto /p/).
  if (existed && isInside(source, dest.href)) throw forbidden('The destination holds the source; it cannot be overwritten by it');
  const replacing = existed ? replacedOf(dest, source.kind !== 'object') : undefined;
  // Overwrite: F (the destination was missing above, else 412 already): the store checks again,
  // inside the transaction of its write, that nothing is at the destination. The check above is
  // only a look: a PUT with If-None-Match: * creating the destination between it and the write
  // was silently replaced by the COPY/MOVE (both answered 201; the PUT's body was lost). Now one
  // of the two gets 412, whichever writes second. Overwrite: T may replace what it finds there.
  const destAbsent: WriteConditions | undefined = overwrite ? undefined : { ifNoneMatch: ['*'] };

  // Every check comes before the first change, and what Overwrite: T replaces is deleted in the
  // same store transaction as the write: a refused request leaves source and destination as they
  // were (RFC 4918 §9.8.4; a refused COPY used to delete the destination first). The same holds
  // for Overwrite: F refused by the store (destAbsent): its transaction changes nothing.
  if (source.kind === 'object') {
    if (move) requireWrite(source.parent, 'unbind');
    if (destParent.kind === 'home') throw forbidden('Resources go into a calendar or collection, not directly into the home');
    const from = source.parent.collection;
    const to = destParent.collection;
    const hrefOf = (n: string) => destParent.href + n;
    const card = to.kind === 'addressbook';
    if (to.kind === 'calendar' && from.kind === 'addressbook') throw supportedCalendarData('A card cannot be placed in a calendar');
    if (to.kind === 'addressbook' && from.kind === 'calendar') throw supportedAddressData('A calendar object cannot be placed in an address book');
    if (to.kind === 'addressbook' && from.kind !== 'addressbook') {
      // Plain data entering an address book must be a valid vCard.
      const obj = await svc.store.getObject(from.id, source.name);
      if (!obj) throw new DavError(404, null, 'Source vanished');
      const input = cardObjectInput(destName, obj.data, vcardLimitsOf(svc.config));
      // A MOVE deletes the source only once the put has succeeded (destAbsent refuses it first).
      await translated(() => svc.store.putObject(to.id, input, destAbsent, replacing), hrefOf, true);
      if (move) await translated(() => svc.store.deleteObject(from.id, source.name));
    } else if (to.kind === 'calendar' && from.kind !== 'calendar') {
      // Plain data entering a calendar must be a valid calendar object.
      const obj = await svc.store.getObject(from.id, source.name);
      if (!obj) throw new DavError(404, null, 'Source vanished');
      const input = calendarObjectInput(to, destName, obj.data, objectLimitsOf(svc.config));
      await translated(() => svc.store.putObject(to.id, input, destAbsent, replacing), hrefOf);
      if (move) await translated(() => svc.store.deleteObject(from.id, source.name));
    } else {
      if (to.kind === 'calendar' && source.meta.componentType && !to.components.includes(source.meta.componentType)) {
        throw supportedCalendarComponent(`${source.meta.componentType} is not supported by the destination calendar`);
      }
      await translated(() => (move ? svc.store.moveObject(from.id, source.name, to.id, destName, destAbsent, replacing) : svc.store.copyObject(from.id, source.name, to.id, destName, destAbsent, replacing)), hrefOf, card);
    }
    if ((to.kind === 'calendar' || to.kind === 'addressbook') && !existed && !(move && from.id === to.id)) {
      warnIfPassedThreshold(() => svc.log, svc.config.largeCalendarThreshold, to, to.objectCount, to.objectCount + 1);
    }
    return { status: existed ? 204 : 201, body: null };
  }

  if (source.kind !== 'calendar' && source.kind !== 'addressbook' && source.kind !== 'collection') throw forbidden('This resource cannot be copied or moved');
  if (isInside(dest, source.href)) throw forbidden('A collection cannot be copied or moved into itself');
  if (destParent.kind === 'calendar') throw forbidden('Collections cannot be placed inside a calendar');
  if (destParent.kind === 'addressbook') throw addressbookCollectionLocationOk('Collections cannot be placed inside an address book');
  if (source.kind === 'calendar' && (destParent.kind !== 'home' || destParent.home !== 'calendars')) throw forbidden('Calendars stay directly in the calendar home');
  if (source.kind === 'addressbook' && (destParent.kind !== 'home' || destParent.home !== 'addressbooks')) throw addressbookCollectionLocationOk('Address books stay directly in the address-book home');
  // A new collection belongs to the user who makes it, in their own home: a sharee's COPY of a
  // shared calendar is the sharee's calendar, never a new one in the owner's home. resolve()
  // only reaches the user's own home and plain collections; this states it where it matters.
  // It holds only what the sharee sees in full: no private or confidential objects
  // (sharee-view.ts), hence publicOnly below.
  if (destParent.kind === 'collection' && destParent.collection.ownerId !== req.user.id) throw needPrivileges(destParent.href, 'bind');
  if (move) requireOwner(source);
  else if (depth === '1') throw badRequest('COPY of a collection takes Depth 0 or infinity');
  const parentId = destParent.kind === 'collection' ? destParent.collection.id : null;
  // No destAbsent here: with Overwrite: F (or a destination missing above) `replacing` is unset,
  // and the collection store refuses a name taken since the check (a collection or object created
  // concurrently) inside its transaction, as Conflict: 409, never a replacement.
  if (move) await translated(() => svc.store.moveCollection(source.collection.id, parentId, destName, replacing));
  else await translated(() => svc.store.copyCollection(source.collection.id, req.user.id, parentId, destName, { deep: depth === 'infinity', publicOnly: isSharee(source), ...(replacing ? { replacing } : {}), ...(destParent.kind === 'home' ? { home: destParent.home } : {}) }));
  return { status: existed ? 204 : 201, body: null };
};
