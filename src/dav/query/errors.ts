// Evaluation errors of ical/ (QueryError) as the CalDAV preconditions they stand for
// (RFC 4791 §9.7 valid-filter, §7.5 supported-collation, §9.6 supported-calendar-data,
// §9.6.5 max-instances); anything else passes through.
import { QueryError } from '../../ical/query-errors.js';
import { maxInstances, supportedCalendarData, supportedCollation, validFilter } from '../errors.js';

/** Maps evaluation errors of ical/ to their CalDAV preconditions; anything else passes through. */
export function toQueryDavError(err: unknown): unknown {
  if (!(err instanceof QueryError)) return err;
  switch (err.condition) {
    case 'valid-filter':
      return validFilter(err.message);
    case 'supported-collation':
      return supportedCollation(err.message);
    case 'supported-calendar-data':
      return supportedCalendarData(err.message);
    case 'max-instances':
      return maxInstances(err.message);
  }
}

/** Runs `fn`, turning QueryErrors into DavErrors. */
export function queryErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toQueryDavError(err);
  }
}
