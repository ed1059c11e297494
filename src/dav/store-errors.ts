// Store domain errors → DAV errors, in one place (ARCHITECTURE.md "Translate storage errors once").
import { Conflict, InvalidSyncToken, NotFound, PreconditionFailed, UidConflict } from '../store/errors.js';
import { CalendarDataError } from '../ical/validate.js';
import { VCardError } from '../vcard/errors.js';
import { davErrorOfVCard } from './carddav-errors.js';
import { DavError, cardNoUidConflict, conflict, noUidConflict, notFound, preconditionFailed, validSyncToken, validCalendarData, validCalendarObjectResource, supportedCalendarComponent } from './errors.js';

/**
 * Runs a store call; domain errors become their DAV error. `hrefOf` names a conflicting object;
 * `card`: the write is into an address book, whose UID conflict is CARDDAV:no-uid-conflict
 * (RFC 6352 §6.3.2.1) rather than the CalDAV one.
 */
export async function translated<T>(fn: () => Promise<T>, hrefOf: (name: string) => string = (n) => n, card = false): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDavError(err, hrefOf, card);
  }
}

export function toDavError(err: unknown, hrefOf: (name: string) => string = (n) => n, card = false): unknown {
  if (err instanceof DavError) return err;
  if (err instanceof UidConflict) return (card ? cardNoUidConflict : noUidConflict)(hrefOf(err.existingName));
  if (err instanceof VCardError) return davErrorOfVCard(err);
  if (err instanceof PreconditionFailed) return preconditionFailed();
  if (err instanceof NotFound) return notFound();
  if (err instanceof Conflict) return conflict(err.message);
  if (err instanceof InvalidSyncToken) return validSyncToken();
  if (err instanceof CalendarDataError) {
    if (err.condition === 'supported-calendar-component') return supportedCalendarComponent(err.message);
    if (err.condition === 'valid-calendar-object-resource') return validCalendarObjectResource(err.message);
    return validCalendarData(err.message);
  }
  return err;
}
