// MKCALENDAR (RFC 4791 §5.3.1): a calendar collection in the calendar home, with the initial
// properties of the optional body (displayname, description, timezone, colour, order and the
// supported-calendar-component-set, which is fixed from then on).
import { CALDAV } from '../../xml/names.js';
import type { MethodHandler } from '../handler-types.js';
import { badRequest, calendarCollectionLocationOk, conflict, resourceMustBeNull } from '../errors.js';
import { readXmlBody } from '../xml-body.js';
import { parseInstructions } from '../property-update.js';
import { createCollectionWithProps } from '../create-collection.js';

export const mkcalendar: MethodHandler = async (req, svc, resource) => {
  // RFC 4791 §5.3.1: a precondition, not the 405 of MKCOL.
  if (resource.kind !== 'missing') throw resourceMustBeNull();
  const root = await readXmlBody(req, svc);
  if (root && root.name !== CALDAV.mkcalendar) throw badRequest('Expected a CALDAV:mkcalendar body');
  if (resource.parent === null) throw conflict('The parent collection does not exist');
  if (resource.parent.kind !== 'home' || resource.parent.home !== 'calendars') throw calendarCollectionLocationOk('Calendars are created directly in the calendar home');
  const instructions = root ? parseInstructions(root, 'mkcalendar') : [];
  return createCollectionWithProps(svc, resource, resource.parent, 'calendar', instructions, CALDAV.mkcalendarResponse);
};
