// The iCalendar side of scheduling (RFC 6638 §3, RFC 5546 iTIP): reading who organizes and who
// attends each component of a scheduling object resource, and the transformations implicit
// scheduling needs — the attendee's copy, REQUEST/CANCEL/REPLY messages, a reply merged into the
// organizer's copy, SCHEDULE-STATUS on each ATTENDEE. The only scheduling code that touches
// ical.js; src/scheduling/ decides, this file rewrites.
import ICAL from 'ical.js';
import { decodeCalendarText, parseCalendar } from './parse.js';

/** An iTIP or scheduling-object error; `condition` is the local name of the CALDAV precondition (RFC 6638 §3.2.4.1, §6). */
export class ItipError extends Error {
  override name = 'ItipError';
  constructor(readonly condition: string, message: string) {
    super(message);
  }
}

export interface ItipAttendee {
  address: string;
  partstat: string;
  /** RFC 6638 §7.1 SCHEDULE-AGENT: SERVER (default), CLIENT or NONE. */
  scheduleAgent: string;
  cn: string | null;
  /** CUTYPE (RFC 5545 §3.2.3), upper-case; INDIVIDUAL when absent. */
  cutype: string;
}

export interface ItipComponent {
  /** RECURRENCE-ID as text, null for the master (or a non-recurring component). */
  recurrenceId: string | null;
  organizer: string | null;
  organizerAgent: string;
  attendees: ItipAttendee[];
  sequence: number;
  cancelled: boolean;
  summary: string;
  /** DTSTART as text, for mails and replies. */
  start: string | null;
  /** What only the organizer may change (RFC 6638 §3.2.2.1): times, recurrence, organizer, attendee list. */
  fingerprint: string;
}

export interface SchedulingInfo {
  uid: string;
  componentType: string;
  /** The organizer of every component (RFC 6638 §3.2.4.2: the same in all), null = none. */
  organizer: string | null;
  organizerAgent: string;
  organizerCn: string | null;
  components: ItipComponent[];
  /** The METHOD property of the VCALENDAR, upper-case, null when absent. */
  method: string | null;
}

const SCHEDULED = new Set(['vevent', 'vtodo']);

/** A calendar user address compared case-insensitively in its mailto: part (RFC 6638 §3.2.4, RFC 5545 §3.3.3). */
export function normalizeAddress(raw: string): string {
  const v = raw.trim();
  if (/^mailto:/i.test(v)) return 'mailto:' + v.slice(7).trim().toLowerCase();
  return v;
}

const param = (p: ICAL.Property, name: string): string | null => {
  const v = p.getParameter(name);
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? String(v[0] ?? '') : String(v);
};
const str = (c: ICAL.Component, name: string): string | null => {
  const p = c.getFirstProperty(name);
  if (!p) return null;
  const v = p.getFirstValue();
  return v === null || v === undefined ? null : String(v);
};
const rawValues = (c: ICAL.Component, name: string): string =>
  c.getAllProperties(name).map((p) => p.getValues().map(String).join(',') + ';' + (param(p, 'tzid') ?? '')).sort().join('|');

function recurrenceIdOf(c: ICAL.Component): string | null {
  const p = c.getFirstProperty('recurrence-id');
  if (!p) return null;
  const v = p.getFirstValue() as unknown;
  return String(v);
}

function componentsOf(vcal: ICAL.Component): ICAL.Component[] {
  return vcal.getAllSubcomponents().filter((c) => SCHEDULED.has(c.name));
}

/** Who organizes and attends what; null when the object holds no VEVENT/VTODO. Throws ItipError. */
export function schedulingInfo(data: Buffer | string): SchedulingInfo | null {
  return infoOf(parseCalendar(decodeCalendarText(data)));
}

function infoOf(vcal: ICAL.Component): SchedulingInfo | null {
  const comps = componentsOf(vcal);
  if (comps.length === 0) return null;
  const out: ItipComponent[] = [];
  let organizer: string | null | undefined;
  let organizerAgent = 'SERVER';
  let organizerCn: string | null = null;
  for (const c of comps) {
    const orgProp = c.getFirstProperty('organizer');
    const org = orgProp ? normalizeAddress(String(orgProp.getFirstValue() ?? '')) : null;
    // RFC 6638 §3.2.4.2: two components naming different organizers are refused. A component
    // without ORGANIZER (an override some clients write bare) takes the others'.
    if (org !== null) {
      if (organizer != null && organizer !== org) {
        throw new ItipError('same-organizer-in-all-components', 'Every component of a scheduling object must have the same ORGANIZER (RFC 6638 §3.2.4.2)');
      }
      organizer = org;
    }
    if (orgProp) {
      organizerAgent = (param(orgProp, 'schedule-agent') ?? 'SERVER').toUpperCase();
      organizerCn = param(orgProp, 'cn');
    }
    const attendees = c.getAllProperties('attendee').map((p) => ({
      address: normalizeAddress(String(p.getFirstValue() ?? '')),
      partstat: (param(p, 'partstat') ?? 'NEEDS-ACTION').toUpperCase(),
      scheduleAgent: (param(p, 'schedule-agent') ?? 'SERVER').toUpperCase(),
      cn: param(p, 'cn'),
      cutype: (param(p, 'cutype') ?? 'INDIVIDUAL').toUpperCase(),
    }));
    const fingerprint = [
      rawValues(c, 'dtstart'), rawValues(c, 'dtend'), rawValues(c, 'due'), rawValues(c, 'duration'),
      rawValues(c, 'rrule'), rawValues(c, 'rdate'), org ?? '', attendees.map((a) => a.address).sort().join(','),
    ].join('\n');
    out.push({
      recurrenceId: recurrenceIdOf(c),
      organizer: org,
      organizerAgent,
      attendees,
      sequence: Number(str(c, 'sequence') ?? 0) || 0,
      cancelled: (str(c, 'status') ?? '').toUpperCase() === 'CANCELLED',
      summary: str(c, 'summary') ?? '',
      start: str(c, 'dtstart'),
      fingerprint,
    });
  }
  const methodProp = vcal.getFirstProperty('method');
  return {
    uid: str(comps[0]!, 'uid') ?? '',
    componentType: comps[0]!.name.toUpperCase(),
    organizer: organizer ?? null,
    organizerAgent,
    organizerCn,
    components: out,
    method: methodProp ? String(methodProp.getFirstValue() ?? '').toUpperCase() : null,
  };
}

function attendeeProp(c: ICAL.Component, address: string): ICAL.Property | undefined {
  return c.getAllProperties('attendee').find((p) => normalizeAddress(String(p.getFirstValue() ?? '')) === address);
}

/** Sets SCHEDULE-STATUS (RFC 6638 §7.3) on the ATTENDEEs named, in every component; drops SCHEDULE-FORCE-SEND (§7.2: one request only). */
export function withScheduleStatus(text: string, statuses: ReadonlyMap<string, string>): string {
  const vcal = parseCalendar(text);
  for (const c of componentsOf(vcal)) {
    for (const p of c.getAllProperties('attendee')) {
      const st = statuses.get(normalizeAddress(String(p.getFirstValue() ?? '')));
      if (st !== undefined) p.setParameter('schedule-status', st);
      p.removeParameter('schedule-force-send');
    }
    c.getFirstProperty('organizer')?.removeParameter('schedule-force-send');
  }
  return vcal.toString() + '\r\n';
}

function stripSchedulingParams(vcal: ICAL.Component): void {
  for (const c of componentsOf(vcal)) {
    for (const p of [...c.getAllProperties('attendee'), ...c.getAllProperties('organizer')]) {
      p.removeParameter('schedule-status');
      p.removeParameter('schedule-force-send');
    }
  }
}

/**
 * The copy of the organizer's object for one attendee (RFC 6638 §3.2.1, §4.1; RFC 5546 §3.2.2):
 * the components they attend; an instance overridden without them is excluded from their master
 * by an EXDATE. Their PARTSTAT defaults to NEEDS-ACTION. null = they attend no component.
 */
export function attendeeCopy(organizerText: string, address: string): string | null {
  const vcal = parseCalendar(organizerText);
  vcal.removeAllProperties('method');
  stripSchedulingParams(vcal);
  const comps = componentsOf(vcal);
  const master = comps.find((c) => !c.getFirstProperty('recurrence-id'));
  const masterHas = master ? attendeeProp(master, address) !== undefined : false;
  let kept = 0;
  for (const c of comps) {
    const p = attendeeProp(c, address);
    if (!p) {
      if (c !== master && masterHas && master) {
        const rid = c.getFirstProperty('recurrence-id')!;
        const ex = master.addPropertyWithValue('exdate', rid.getFirstValue() as ICAL.Time);
        const tzid = param(rid, 'tzid');
        if (tzid) ex.setParameter('tzid', tzid);
      }
      vcal.removeSubcomponent(c);
      continue;
    }
    if (!p.getParameter('partstat')) p.setParameter('partstat', 'NEEDS-ACTION');
    kept++;
  }
  return kept === 0 ? null : vcal.toString() + '\r\n';
}

/** The object as an iTIP message of `method` (RFC 5546 §3.2): METHOD added, scheduling parameters removed. */
export function itipMessage(text: string, method: 'REQUEST' | 'CANCEL'): string {
  const vcal = parseCalendar(text);
  vcal.removeAllProperties('method');
  stripSchedulingParams(vcal);
  if (method === 'CANCEL') for (const c of componentsOf(vcal)) c.updatePropertyWithValue('status', 'CANCELLED');
  vcal.addPropertyWithValue('method', method);
  return vcal.toString() + '\r\n';
}

/** The attendee's copy marked cancelled (RFC 5546 §3.2.5): what a CANCEL leaves in their calendar. */
export function cancelledCopy(text: string): string {
  const vcal = parseCalendar(text);
  for (const c of componentsOf(vcal)) c.updatePropertyWithValue('status', 'CANCELLED');
  return vcal.toString() + '\r\n';
}

/**
 * An iTIP REPLY (RFC 5546 §3.2.3) from `address` for the components of `text` whose
 * RECURRENCE-ID is in `recurrenceIds` (null = the master): UID, RECURRENCE-ID, DTSTART,
 * SEQUENCE, ORGANIZER and this one ATTENDEE with its PARTSTAT (`partstat` overrides it: a
 * deletion replies DECLINED).
 */
export function replyMessage(text: string, address: string, recurrenceIds: readonly (string | null)[], partstat?: string): string {
  const vcal = parseCalendar(text);
  const out = new ICAL.Component(['vcalendar', [], []]);
  out.addPropertyWithValue('version', '2.0');
  out.addPropertyWithValue('prodid', '-//Sundial//Sundial//EN');
  out.addPropertyWithValue('method', 'REPLY');
  for (const c of componentsOf(vcal)) {
    if (!recurrenceIds.includes(recurrenceIdOf(c))) continue;
    const a = attendeeProp(c, address);
    if (!a) continue;
    const r = new ICAL.Component(c.name);
    for (const name of ['uid', 'recurrence-id', 'dtstart', 'sequence', 'organizer', 'summary']) {
      const p = c.getFirstProperty(name);
      if (p) r.addProperty(ICAL.Property.fromString(p.toICALString()));
    }
    r.updatePropertyWithValue('dtstamp', ICAL.Time.now());
    const att = ICAL.Property.fromString(a.toICALString());
    att.removeParameter('schedule-status');
    att.removeParameter('rsvp');
    if (partstat) att.setParameter('partstat', partstat);
    r.addProperty(att);
    out.addSubcomponent(r);
  }
  for (const tz of vcal.getAllSubcomponents('vtimezone')) out.addSubcomponent(tz);
  return out.toString() + '\r\n';
}

/**
 * A REPLY merged into the organizer's copy (RFC 5546 §3.2.3, RFC 6638 §3.2.3): the replying
 * attendee's PARTSTAT (and SCHEDULE-STATUS 2.0) per instance. An instance the organizer's copy
 * does not override gets an override made from the master. Returns null when nothing changed.
 */
export function applyReply(organizerText: string, address: string, replies: readonly { recurrenceId: string | null; partstat: string }[]): string | null {
  const vcal = parseCalendar(organizerText);
  const comps = componentsOf(vcal);
  const master = comps.find((c) => !c.getFirstProperty('recurrence-id'));
  let changed = false;
  for (const r of replies) {
    let c = comps.find((x) => recurrenceIdOf(x) === r.recurrenceId);
    if (!c && r.recurrenceId !== null && master) c = overrideFromMaster(vcal, master, r.recurrenceId) ?? undefined;
    if (!c) continue;
    const a = attendeeProp(c, address);
    if (!a) continue;
    if ((param(a, 'partstat') ?? 'NEEDS-ACTION').toUpperCase() === r.partstat) continue;
    a.setParameter('partstat', r.partstat);
    a.setParameter('schedule-status', '2.0');
    a.removeParameter('rsvp');
    changed = true;
  }
  return changed ? vcal.toString() + '\r\n' : null;
}

/** A new override of the instance starting at `recurrenceId`, copied from the master (RFC 5545 §3.8.4.4). */
function overrideFromMaster(vcal: ICAL.Component, master: ICAL.Component, recurrenceId: string): ICAL.Component | null {
  const dtstart = master.getFirstProperty('dtstart');
  if (!dtstart) return null;
  const start = dtstart.getFirstValue() as ICAL.Time;
  let rid: ICAL.Time;
  try {
    rid = ICAL.Time.fromString(recurrenceId, dtstart);
  } catch {
    return null;
  }
  const c = new ICAL.Component(ICAL.parse(master.toString()) as unknown as unknown[]);
  for (const name of ['rrule', 'rdate', 'exdate', 'exrule']) c.removeAllProperties(name);
  const end = master.getFirstProperty('dtend')?.getFirstValue() as ICAL.Time | undefined;
  const tzid = param(dtstart, 'tzid');
  const setTime = (name: string, t: ICAL.Time) => {
    const p = c.updatePropertyWithValue(name, t);
    if (tzid) p.setParameter('tzid', tzid);
  };
  setTime('recurrence-id', rid);
  setTime('dtstart', rid);
  if (end) {
    const e = rid.clone();
    e.addDuration(end.subtractDate(start));
    setTime('dtend', e);
  }
  vcal.addSubcomponent(c);
  return c;
}

/** Per instance, the PARTSTAT of `address` (instances they are not in are left out). */
export function partstatsOf(info: SchedulingInfo, address: string): Map<string | null, string> {
  const out = new Map<string | null, string>();
  for (const c of info.components) {
    const a = c.attendees.find((x) => x.address === address);
    if (a) out.set(c.recurrenceId, a.partstat);
  }
  return out;
}

/** The METHOD of a VCALENDAR text and its components' info, for an iTIP message POSTed to an outbox. */
export function itipInfo(data: Buffer | string): SchedulingInfo | null {
  return schedulingInfo(data);
}

/**
 * Invitations to a group address (RFC 6638 §3.2.1.1, RFC 5545 §3.2.11 MEMBER): each member not
 * yet invited in a component where the group is becomes an ATTENDEE with MEMBER="<group>", so
 * they get their own copy and reply for themselves; the group's ATTENDEE is marked CUTYPE=GROUP.
 * Returns null when nothing was added.
 */
export function expandGroupAttendees(text: string, groups: ReadonlyMap<string, readonly string[]>): string | null {
  const vcal = parseCalendar(text);
  let changed = false;
  for (const c of componentsOf(vcal)) {
    const present = new Set(c.getAllProperties('attendee').map((p) => normalizeAddress(String(p.getFirstValue() ?? ''))));
    for (const p of c.getAllProperties('attendee')) {
      const group = normalizeAddress(String(p.getFirstValue() ?? ''));
      const members = groups.get(group);
      if (!members) continue;
      if ((param(p, 'cutype') ?? '').toUpperCase() !== 'GROUP') {
        p.setParameter('cutype', 'GROUP');
        changed = true;
      }
      for (const m of members) {
        if (present.has(m)) continue;
        present.add(m);
        const a = c.addPropertyWithValue('attendee', m);
        a.setParameter('cutype', 'INDIVIDUAL');
        a.setParameter('member', String(p.getFirstValue() ?? ''));
        a.setParameter('partstat', 'NEEDS-ACTION');
        a.setParameter('rsvp', 'TRUE');
        changed = true;
      }
    }
  }
  return changed ? vcal.toString() + '\r\n' : null;
}

/**
 * An organizer's update delivered over the attendee's current copy keeps what is the attendee's
 * own (RFC 6638 §3.2.2.1 lets them change it): their alarms, per instance, where the update
 * brings none.
 */
export function keepAttendeeAlarms(newCopy: string, currentCopy: string): string {
  const next = parseCalendar(newCopy);
  const current = parseCalendar(currentCopy);
  const alarms = new Map<string | null, ICAL.Component[]>();
  for (const c of componentsOf(current)) {
    const list = c.getAllSubcomponents('valarm');
    if (list.length > 0) alarms.set(recurrenceIdOf(c), list);
  }
  if (alarms.size === 0) return newCopy;
  let changed = false;
  for (const c of componentsOf(next)) {
    if (c.getAllSubcomponents('valarm').length > 0) continue;
    const own = alarms.get(recurrenceIdOf(c)) ?? alarms.get(null);
    if (!own) continue;
    for (const a of own) c.addSubcomponent(new ICAL.Component(ICAL.parse(a.toString()) as unknown as unknown[]));
    changed = true;
  }
  return changed ? next.toString() + '\r\n' : newCopy;
}
