// The CalDAV preconditions a calendar object can fail on PUT/COPY/MOVE (RFC 4791 §5.3.2.1).
// dav/ maps `condition` to the status and the <C:…/> element; nothing here knows HTTP.

export type CalendarDataCondition =
  | 'valid-calendar-data' // not UTF-8, not parseable, not a single VCALENDAR, bad values
  | 'valid-calendar-object-resource' // RFC 4791 §4.1 rules (one type, one UID, no METHOD)
  | 'supported-calendar-component'; // type outside the collection's supported set

export class CalendarDataError extends Error {
  override name = 'CalendarDataError';
  constructor(
    readonly condition: CalendarDataCondition,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `fn`; any exception that is not already a CalendarDataError becomes one. */
export function asCalendarData<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CalendarDataError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new CalendarDataError('valid-calendar-data', `${what}: ${detail}`);
  }
}
