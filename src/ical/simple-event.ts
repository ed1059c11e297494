// The iCalendar text of the web agenda's "simple events": one VEVENT, no recurrence, a title,
// a place, a note and either UTC times or whole days (RFC 5545 §3.6.1). Built and edited with
// ical.js so that escaping (§3.3.11) and line folding (§3.1) are ical.js's, and an edit keeps
// every property the page does not know (attendees, alarms, categories, X- properties).
import ICAL from 'ical.js';
import { CalendarDataError } from './errors.js';
import { decodeCalendarText, parseCalendar } from './parse.js';

export interface SimpleEventFields {
  summary?: string;
  location?: string;
  description?: string;
  allDay?: boolean;
  /** Epoch ms for timed events; for all-day ones the UTC midnight of the first day. */
  start?: number;
  /** Exclusive end, same form as start. */
  end?: number;
}

function icalTime(ms: number, allDay: boolean): ICAL.Time {
  const d = new Date(ms);
  return ICAL.Time.fromData(
    allDay
      ? { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), isDate: true }
      : { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), isDate: false },
    allDay ? undefined : ICAL.Timezone.utcTimezone,
  );
}

function setProp(comp: ICAL.Component, name: string, value: string | ICAL.Time | number): void {
  comp.removeAllProperties(name);
  if (value === '') return;
  comp.addPropertyWithValue(name, value);
}

function stamp(vevent: ICAL.Component, now: number): void {
  setProp(vevent, 'dtstamp', icalTime(now, false));
  setProp(vevent, 'last-modified', icalTime(now, false));
}

function applyFields(vevent: ICAL.Component, f: SimpleEventFields, allDay: boolean): void {
  if (f.summary !== undefined) setProp(vevent, 'summary', f.summary);
  if (f.location !== undefined) setProp(vevent, 'location', f.location);
  if (f.description !== undefined) setProp(vevent, 'description', f.description);
  if (f.start !== undefined) setProp(vevent, 'dtstart', icalTime(f.start, allDay));
  if (f.end !== undefined) {
    // DTEND and DURATION are exclusive (§3.6.1): the new end replaces either.
    vevent.removeAllProperties('duration');
    setProp(vevent, 'dtend', icalTime(f.end, allDay));
  }
}

const serialize = (vcal: ICAL.Component) => vcal.toString().replace(/\r?\n/g, '\r\n') + '\r\n';

/** A new calendar object holding one event; start and end are required. */
export function buildSimpleEvent(uid: string, f: SimpleEventFields & { start: number; end: number }, now = Date.now()): string {
  const vcal = new ICAL.Component('vcalendar');
  vcal.addPropertyWithValue('version', '2.0');
  vcal.addPropertyWithValue('prodid', '-//Sundial//Web agenda//EN');
  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', uid);
  stamp(vevent, now);
  setProp(vevent, 'created', icalTime(now, false));
  vevent.addPropertyWithValue('sequence', 0);
  applyFields(vevent, f, f.allDay === true);
  vcal.addSubcomponent(vevent);
  return serialize(vcal);
}

/**
 * The stored object `data` with the event's fields changed, SEQUENCE raised (RFC 5545 §3.8.7.4:
 * a time change is significant) and DTSTAMP/LAST-MODIFIED set to now. Throws CalendarDataError
 * when the object is not one non-recurring VEVENT: a series is edited on a device.
 */
export function editSimpleEvent(data: string | Buffer, f: SimpleEventFields, now = Date.now()): string {
  const vcal = parseCalendar(decodeCalendarText(data));
  const events = vcal.getAllSubcomponents('vevent');
  const vevent = events[0];
  if (events.length !== 1 || !vevent || ['rrule', 'rdate', 'recurrence-id'].some((p) => vevent.hasProperty(p))) {
    throw new CalendarDataError('valid-calendar-object-resource', 'a recurring event is edited in a calendar app, not on this page');
  }
  let allDay = f.allDay;
  if (allDay === undefined) {
    const t = vevent.getFirstPropertyValue('dtstart');
    allDay = t instanceof ICAL.Time && t.isDate;
  }
  if (f.allDay !== undefined && (f.start === undefined || f.end === undefined)) {
    throw new CalendarDataError('valid-calendar-data', 'switching to or from all-day needs a start and an end');
  }
  applyFields(vevent, f, allDay);
  let seq = 0;
  try {
    seq = Number(vevent.getFirstPropertyValue('sequence') ?? 0) || 0;
  } catch {
    seq = 0;
  }
  setProp(vevent, 'sequence', seq + 1);
  stamp(vevent, now);
  return serialize(vcal);
}
