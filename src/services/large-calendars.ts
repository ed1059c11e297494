// SPEC "Large calendars": a write that takes a calendar past the configured threshold logs one
// warning, whichever path wrote (DAV PUT, COPY or MOVE into the calendar, the page's import).
// Crossing is judged from the entry counts before and after the write, so an import that adds
// thousands of entries at once warns exactly once too, and later writes above it stay quiet.
import type { Logger } from '../log.js';

export interface GrowingCalendar {
  id: number;
  uri: string;
  /** Absent or 'calendar' for calendars; the Collection row carries it. */
  kind?: string;
}

/** Logs the warning and returns true when `before` ≤ threshold < `after`. */
export function warnIfPassedThreshold(log: Logger | (() => Logger), threshold: number, calendar: GrowingCalendar, before: number, after: number): boolean {
  if (!(before <= threshold && after > threshold)) return false;
  // A function is called only now: the request's child logger is built on first use, and every
  // created object passes through here (request-context.ts).
  // An address book is named as one (same threshold, SPEC "Large calendars" applied to contacts).
  const fields = calendar.kind === 'addressbook'
    ? { collectionId: calendar.id, addressbook: calendar.uri, entries: after, threshold }
    : { collectionId: calendar.id, calendar: calendar.uri, entries: after, threshold };
  const what = calendar.kind === 'addressbook' ? 'address book' : 'calendar';
  (typeof log === 'function' ? log() : log).warn(fields, `${what} passed the large-calendar threshold; devices may synchronize it slowly`);
  return true;
}
