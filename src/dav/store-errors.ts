// Store domain errors → DAV errors, in one place (ARCHITECTURE.md "Translate storage errors once").
import { Conflict, InvalidSyncToken, NotFound, PreconditionFailed, UidConflict } from '../store/errors.js';
import { CalendarDataError } from '../ical/validate.js';
import { DavError, conflict, noUidConflict, notFound, preconditionFailed, validSyncToken, validCalendarData, validCalendarObjectResource, supportedCalendarComponent } from './errors.js';

/** Runs a store call; domain errors become their DAV error. `hrefOf` names a conflicting object. */
export async function translated<T>(fn: () => Promise<T>, hrefOf: (name: string) => string = (n) => n): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDavError(err, hrefOf);
  }
}

export function toDavError(err: unknown, hrefOf: (name: string) => string = (n) => n): unknown {
  if (err instanceof DavError) return err;
  if (err instanceof UidConflict) return noUidConflict(hrefOf(err.existingName));
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
