// The iCalendar side of a free/busy lookup through the outbox (RFC 6638 §5, RFC 5546 §3.3): the
// VFREEBUSY REQUEST a client POSTs (what iOS/macOS send for the Availability panel, Thunderbird
// for its attendee dialog) and the VFREEBUSY REPLY of each recipient.
import ICAL from 'ical.js';
import { decodeCalendarText, parseCalendar } from './parse.js';
import { ItipError, normalizeAddress } from './itip.js';
import { mergePeriods, utcStamp, type BusyPeriod } from './freebusy.js';

export interface FreeBusyRequest {
  uid: string | null;
  organizer: string;
  organizerLine: string;
  attendees: string[];
  /** X-CALENDARSERVER-MASK-UID: the event being edited, left out of the busy time (Apple clients). */
  maskUid: string | null;
  start: number;
  end: number;
}

const utcOf = (t: ICAL.Time): number => t.toJSDate().getTime();

/**
 * A value as ical.js decodes it. ical.js decodes values on first read, not when it parses the
 * text: a DATE-TIME without its time (`DTSTART:20250101`, no VALUE=DATE), `2025XX01T000000Z`, an
 * empty one, or a type forced by VALUE= on an ATTENDEE (`ATTENDEE;VALUE=DATE-TIME:x`) throws
 * here, long after parseCalendar accepted the message. That is the client's malformed request,
 * answered like the outbox's other refusals (403 valid-scheduling-message), not a 500.
 */
function read<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ItipError) throw err;
    throw new ItipError('valid-scheduling-message', `${what} has a value that cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Reads a POSTed iTIP message that must be a VFREEBUSY REQUEST; throws ItipError (valid-scheduling-message) otherwise. */
export function freeBusyRequest(data: Buffer): FreeBusyRequest {
  const vcal = parseCalendar(decodeCalendarText(data));
  const method = read('METHOD', () => String(vcal.getFirstPropertyValue('method') ?? '').toUpperCase());
  if (method === '') throw new ItipError('valid-scheduling-message', 'An iTIP message needs a METHOD (RFC 5546 §1.4)');
  const fbs = vcal.getAllSubcomponents('vfreebusy');
  const others = vcal.getAllSubcomponents().filter((c) => c.name !== 'vfreebusy' && c.name !== 'vtimezone');
  // RFC 6638 §5: the outbox takes free/busy requests only; invitations and replies are implicit (§3).
  if (method !== 'REQUEST' || fbs.length !== 1 || others.length > 0) {
    throw new ItipError('valid-scheduling-message', `The outbox takes a VFREEBUSY REQUEST only (got METHOD:${method} with ${[...fbs, ...others].map((c) => c.name.toUpperCase()).join(', ') || 'no component'}); invitations and replies are sent by storing the event (RFC 6638 §3)`);
  }
  const fb = fbs[0]!;
  const org = fb.getFirstProperty('organizer');
  if (!org) throw new ItipError('valid-scheduling-message', 'A VFREEBUSY REQUEST needs an ORGANIZER (RFC 5546 §3.3.2)');
  const organizer = read('ORGANIZER', () => normalizeAddress(String(org.getFirstValue() ?? '')));
  const organizerLine = read('ORGANIZER', () => org.toICALString());
  const attendees = read('ATTENDEE', () => fb.getAllProperties('attendee').map((p) => String(p.getFirstValue() ?? '')));
  // DTSTART and DTEND are UTC DATE-TIMEs in a VFREEBUSY REQUEST (RFC 5546 §3.3.2, RFC 5545
  // §3.6.4). DURATION is not a property of VFREEBUSY (RFC 5545 §3.6.4) and is never read: a
  // request with it instead of DTEND is refused below, whatever its value.
  const dtstart = read('DTSTART', () => fb.getFirstPropertyValue('dtstart')) as ICAL.Time | null;
  const dtend = read('DTEND', () => fb.getFirstPropertyValue('dtend')) as ICAL.Time | null;
  if (!(dtstart instanceof ICAL.Time) || !(dtend instanceof ICAL.Time)) throw new ItipError('valid-scheduling-message', 'A VFREEBUSY REQUEST needs DTSTART and DTEND (RFC 5546 §3.3.2)');
  const start = read('DTSTART', () => utcOf(dtstart));
  const end = read('DTEND', () => utcOf(dtend));
  // NaN (a date ical.js decoded but JavaScript cannot place) fails this comparison too.
  if (!(end > start)) throw new ItipError('valid-scheduling-message', 'DTEND must be after DTSTART');
  const uid = read('UID', () => fb.getFirstPropertyValue('uid'));
  const maskUid = read('X-CALENDARSERVER-MASK-UID', () => fb.getFirstPropertyValue('x-calendarserver-mask-uid'));
  return {
    uid: uid ? String(uid) : null,
    organizer,
    organizerLine,
    attendees,
    maskUid: maskUid ? String(maskUid) : null,
    start,
    end,
  };
}

/** The VFREEBUSY REPLY for one recipient (RFC 5546 §3.3.3). */
export function freeBusyReply(req: FreeBusyRequest, attendee: string, periods: BusyPeriod[], now = Date.now()): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Sundial//EN', 'METHOD:REPLY', 'BEGIN:VFREEBUSY'];
  if (req.uid) lines.push(`UID:${req.uid.replace(/[\r\n]/g, '')}`);
  lines.push(`DTSTAMP:${utcStamp(now)}`, `DTSTART:${utcStamp(req.start)}`, `DTEND:${utcStamp(req.end)}`, req.organizerLine, `ATTENDEE:${attendee.replace(/[\r\n]/g, '')}`);
  for (const p of mergePeriods(periods)) lines.push(`FREEBUSY;FBTYPE=${p.type}:${utcStamp(p.start)}/${utcStamp(p.end)}`);
  lines.push('END:VFREEBUSY', 'END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
