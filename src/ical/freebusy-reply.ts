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

/** Reads a POSTed iTIP message that must be a VFREEBUSY REQUEST; throws ItipError (valid-scheduling-message) otherwise. */
export function freeBusyRequest(data: Buffer): FreeBusyRequest {
  const vcal = parseCalendar(decodeCalendarText(data));
  const method = String(vcal.getFirstPropertyValue('method') ?? '').toUpperCase();
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
  const attendees = fb.getAllProperties('attendee').map((p) => String(p.getFirstValue() ?? ''));
  const dtstart = fb.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  const dtend = fb.getFirstPropertyValue('dtend') as ICAL.Time | null;
  if (!(dtstart instanceof ICAL.Time) || !(dtend instanceof ICAL.Time)) throw new ItipError('valid-scheduling-message', 'A VFREEBUSY REQUEST needs DTSTART and DTEND (RFC 5546 §3.3.2)');
  const start = utcOf(dtstart);
  const end = utcOf(dtend);
  if (!(end > start)) throw new ItipError('valid-scheduling-message', 'DTEND must be after DTSTART');
  return {
    uid: fb.getFirstPropertyValue('uid') ? String(fb.getFirstPropertyValue('uid')) : null,
    organizer: normalizeAddress(String(org.getFirstValue() ?? '')),
    organizerLine: org.toICALString(),
    attendees,
    maskUid: fb.getFirstPropertyValue('x-calendarserver-mask-uid') ? String(fb.getFirstPropertyValue('x-calendarserver-mask-uid')) : null,
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
