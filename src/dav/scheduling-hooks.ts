// The scheduling steps of PUT and DELETE (RFC 6638 §3.2–3.3), kept out of the method files:
// If-Schedule-Tag-Match, handing scheduling object resources to src/scheduling/implicit.ts, and
// turning its ItipErrors into CALDAV preconditions (403, nothing stored).
import type { DavRequest, DavResponse, DavServices } from './handler-types.js';
import type { CollectionResource, Resource } from './resources.js';
import type { ObjectInput, StoredObject, User, WriteConditions } from '../store/types.js';
import { DavError, preconditionFailed } from './errors.js';
import { toDavError } from './store-errors.js';
import { PreconditionFailed } from '../store/errors.js';
import { ItipError } from '../ical/itip.js';
import { CalendarDataError } from '../ical/errors.js';
import { CALDAV_NS } from '../xml/names.js';
import { scheduledDelete, scheduledPut } from '../scheduling/implicit.js';

/** RFC 6638 §3.2.4.1, §6: a scheduling precondition as a 403 with its CALDAV element. */
export function itipDavError(err: ItipError): DavError {
  return new DavError(403, `{${CALDAV_NS}}${err.condition}`, err.message);
}

async function ownerOf(svc: DavServices, parent: CollectionResource): Promise<User | null> {
  const ownerId = parent.collection.ownerId;
  return ownerId === parent.user.id ? parent.user : svc.store.getUserById(ownerId);
}

/**
 * RFC 6638 §3.3 If-Schedule-Tag-Match: the write goes ahead only while the object's Schedule-Tag
 * is the one given; it becomes an If-Match on the etag read with it, so the store's transaction
 * refuses the write if the object changes in between.
 */
async function scheduleTagCondition(req: DavRequest, svc: DavServices, parent: CollectionResource, name: string, existing: { etag: string } | null, cond: WriteConditions): Promise<WriteConditions> {
  const raw = req.header('if-schedule-tag-match');
  if (raw === undefined) return cond;
  const tag = existing ? await svc.store.getScheduleTag(parent.collection.id, name) : null;
  if (tag === null || raw.trim() !== tag) throw preconditionFailed('If-Schedule-Tag-Match: the Schedule-Tag has changed');
  return { ...cond, ifMatch: [existing!.etag] };
}

/** For PUT into a calendar: the answer when the object was scheduled, null for a plain store. */
export async function schedulePut(req: DavRequest, svc: DavServices, resource: Extract<Resource, { kind: 'object' | 'missing' }>, parent: CollectionResource, input: ObjectInput, cond: WriteConditions): Promise<DavResponse | null> {
  const owner = await ownerOf(svc, parent);
  if (!owner) return null;
  let done;
  let conditions = cond;
  // The plan is made from reads and applied in one transaction whose ops carry the etags read:
  // an attendee's copy changed in between (other requests run while the plan is made) fails the
  // transaction, and the plan is made again from fresh reads. The client's own conditions fail
  // the same way every time: the last attempt's 412 is theirs.
  for (let attempt = 1; ; attempt++) {
    const existing: StoredObject | null = resource.kind === 'object' || attempt > 1 ? await svc.store.getObject(parent.collection.id, resource.name) : null;
    conditions = await scheduleTagCondition(req, svc, parent, resource.name, existing, cond);
    try {
      done = await scheduledPut(svc.scheduler, owner, parent.collection, input, conditions, existing, req.origin);
      break;
    } catch (err) {
      if (err instanceof PreconditionFailed && attempt < 3) continue;
      if (err instanceof ItipError) throw itipDavError(err);
      if (err instanceof CalendarDataError) throw new DavError(403, `{${CALDAV_NS}}valid-calendar-data`, err.message);
      throw toDavError(err, (n) => parent.href + n);
    }
  }
  if (!done) {
    if (conditions === cond) return null;
    // If-Schedule-Tag-Match on an object that is no scheduling object: the store write below must still check it.
    Object.assign(cond, conditions);
    return null;
  }
  const headers: Record<string, string> = { 'Last-Modified': new Date(done.result.meta.modifiedAt).toUTCString() };
  if (done.scheduleTag) headers['Schedule-Tag'] = done.scheduleTag;
  // RFC 4791 §5.3.4: no ETag when the stored body differs from the one sent (SCHEDULE-STATUS was added).
  if (!done.rewritten) headers.ETag = done.result.meta.etag;
  return { status: done.result.created ? 201 : 204, headers, body: null };
}

/** For DELETE of a calendar object: true when the deletion was scheduled (CANCEL or a declining REPLY sent). */
export async function scheduleDelete(req: DavRequest, svc: DavServices, resource: Extract<Resource, { kind: 'object' }>, cond: WriteConditions): Promise<boolean> {
  const parent = resource.parent;
  if (parent.kind !== 'calendar') return false;
  const owner = await ownerOf(svc, parent);
  if (!owner) return false;
  // As schedulePut: a plan gone stale meanwhile is made again.
  for (let attempt = 1; ; attempt++) {
    const object = await svc.store.getObject(parent.collection.id, resource.name);
    if (!object) return false;
    const conditions = await scheduleTagCondition(req, svc, parent, resource.name, object, cond);
    try {
      const done = await scheduledDelete(svc.scheduler, owner, parent.collection, object, conditions, req.origin);
      if (!done && conditions !== cond) Object.assign(cond, conditions);
      return done;
    } catch (err) {
      if (err instanceof PreconditionFailed && attempt < 3) continue;
      if (err instanceof ItipError) throw itipDavError(err);
      throw toDavError(err);
    }
  }
}
