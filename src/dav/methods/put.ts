// PUT (RFC 4918 §9.7, RFC 4791 §5.3.2, RFC 6352 §6.3.2): create or replace a resource. Into a
// calendar the body must be one valid calendar object resource (one component type, one UID, no
// METHOD) of a supported component, with a UID no other resource of the calendar holds; into an
// address book one vCard 3.0/4.0 with UID, FN and VERSION (address-objects.ts), its UID unique
// there too (CARDDAV:no-uid-conflict); into a plain collection anything goes. If-Match / If-None-Match are enforced by the store inside the write
// transaction, so of two writers holding the same ETag exactly one wins (SPEC).
import type { MethodHandler } from '../handler-types.js';
import { DavError, conflict, maxResourceSize, methodNotAllowed, supportedCalendarData } from '../errors.js';
import { checkWriteOnMissing, writeConditions } from '../conditional.js';
import { requireWrite } from '../privileges.js';
import { translated } from '../store-errors.js';
import { calendarObjectInput } from '../calendar-objects.js';
import { cardObjectInput } from '../address-objects.js';
import { cardMaxResourceSize } from '../carddav-errors.js';
import { objectLimitsOf } from '../../ical/limits.js';
import { vcardLimitsOf } from '../../vcard/validate.js';
import type { ObjectInput } from '../../store/types.js';
import { warnIfPassedThreshold } from '../../services/large-calendars.js';

export const put: MethodHandler = async (req, svc, resource) => {
  if (resource.kind !== 'object' && resource.kind !== 'missing') throw methodNotAllowed('OPTIONS, GET, HEAD, PROPFIND, PROPPATCH, DELETE, COPY, MOVE', 'PUT is not allowed on a collection');
  const parent = resource.parent;
  if (parent === null) throw conflict('The parent collection does not exist');
  if (parent.kind === 'home') throw methodNotAllowed('MKCOL, MKCALENDAR', 'Resources go into a calendar or collection, not directly into the home');
  if (resource.kind === 'missing' && resource.href.endsWith('/')) throw conflict('A PUT target cannot end in "/"');
  requireWrite(resource, resource.kind === 'missing' ? 'bind' : 'write-content');
  const cond = writeConditions(req);
  if (resource.kind === 'missing') checkWriteOnMissing(req);

  const collection = parent.collection;
  const limit = svc.config.maxResourceSize;
  const isCalendar = parent.kind === 'calendar';
  const isAddressbook = parent.kind === 'addressbook';
  const tooLarge = () => (isCalendar ? maxResourceSize(limit) : isAddressbook ? cardMaxResourceSize(`Resource larger than ${limit} bytes`) : new DavError(413, null, `Resource larger than ${limit} bytes`));
  const data = await req.body(limit, tooLarge);
  const contentType = req.header('content-type') ?? (isCalendar ? 'text/calendar' : 'application/octet-stream');
  let input: ObjectInput;
  if (isAddressbook) {
    input = cardObjectInput(resource.name, data, vcardLimitsOf(svc.config), req.header('content-type'));
  } else if (isCalendar) {
    // RFC 4791 §5.3.2.1 supported-calendar-data; a missing type or a generic binary type is
    // read as iCalendar (some sync tools send none), anything else is refused.
    if (!/^(text\/calendar|application\/octet-stream|text\/plain)\b/i.test(contentType)) throw supportedCalendarData(`Calendars hold text/calendar, not ${contentType}`);
    input = calendarObjectInput(collection, resource.name, data, objectLimitsOf(svc.config));
  } else {
    input = { name: resource.name, data, contentType };
  }
  const result = await translated(() => svc.store.putObject(collection.id, input, cond), (name) => parent.href + name, isAddressbook);
  if ((isCalendar || isAddressbook) && result.created) warnIfPassedThreshold(() => svc.log, svc.config.largeCalendarThreshold, collection, collection.objectCount, collection.objectCount + 1);
  return { status: result.created ? 201 : 204, headers: { ETag: result.meta.etag, 'Last-Modified': new Date(result.meta.modifiedAt).toUTCString() }, body: null };
};
