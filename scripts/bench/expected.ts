// Expected answers for the time-range queries, computed from the generated iCalendar text by an
// implementation independent of the server under test: ical.js expansion with the events' own
// VTIMEZONEs, the RFC 4791 §9.9 overlap test (start < range end AND end > range start), and
// overridden instances placed where their RECURRENCE-ID override moved them.
import ICAL from 'ical.js';
import { VTIMEZONES, type BenchEvent } from './generate.js';

let registered = false;
function registerZones(): void {
  if (registered) return;
  for (const lines of Object.values(VTIMEZONES)) {
    const comp = new ICAL.Component(ICAL.parse(`${lines.join('\r\n')}\r\n`) as unknown as unknown[]);
    ICAL.TimezoneService.register(comp);
  }
  registered = true;
}

/** An override can move an instance by at most 3 days 3 hours; iterate this far past the range. */
const MARGIN_MS = 8 * 86_400_000;

export interface Expected {
  /** Resource names with at least one instance overlapping the range. */
  hits: Set<string>;
  /** Total overlapping instances (what an expanded answer holds), and per resource; for an open range (end = Infinity) 1 per matching resource. */
  instances: number;
  instancesByName: Map<string, number>;
  /** Overridden instances that fell in the range (sanity: the override path is exercised). */
  overridesInRange: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function offsetAt(tzid: string, utc: number): number {
  let f = formatters.get(tzid);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tzid, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tzid, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utc)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - utc;
}
const utcCache = new Map<string, number>();
/**
 * UTC epoch ms of an ical.js time. Zoned wall-clock times are converted with the platform's IANA
 * data (Intl), which the generated VTIMEZONEs match for these years; ical.js's own toUnixTime
 * re-expands the VTIMEZONE on every call and would make this take minutes at N=9000.
 */
function ms(t: ICAL.Time): number {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  const tzid = t.zone?.tzid;
  if (!tzid || tzid === 'UTC' || tzid === 'floating') return wall;
  const key = `${tzid} ${wall}`;
  let v = utcCache.get(key);
  if (v === undefined) {
    v = wall - offsetAt(tzid, wall);
    v = wall - offsetAt(tzid, v);
    utcCache.set(key, v);
  }
  return v;
}

export function expectedInRange(events: readonly BenchEvent[], start: number, end: number): Expected {
  registerZones();
  const out: Expected = { hits: new Set(), instances: 0, instancesByName: new Map(), overridesInRange: 0 };
  for (const ev of events) {
    const vcal = new ICAL.Component(ICAL.parse(ev.ics) as unknown as unknown[]);
    const vevents = vcal.getAllSubcomponents('vevent');
    const masterComp = vevents.find((c) => !c.hasProperty('recurrence-id'))!;
    const exceptions = vevents.filter((c) => c.hasProperty('recurrence-id'));
    const event = new ICAL.Event(masterComp, { exceptions });
    let count = 0;
    if (!event.isRecurring()) {
      if (ms(event.startDate) < end && ms(event.endDate) > start) count = 1;
    } else {
      const it = event.iterator();
      for (let next = it.next(); next; next = it.next()) {
        // Cheap wall-clock prefilter (a zone offset is under a day); exact UTC math only near the range.
        const wall = Date.UTC(next.year, next.month - 1, next.day, next.hour, next.minute, next.second);
        if (wall >= end + MARGIN_MS) break;
        if (wall < start - MARGIN_MS) continue;
        const d = event.getOccurrenceDetails(next);
        if (ms(d.startDate) < end && ms(d.endDate) > start) {
          count++;
          if (d.item !== event) out.overridesInRange++;
          // An open range (end = Infinity, "since" queries) only asks whether the object matches:
          // an unbounded RRULE would never end, so stop at the first instance.
          if (!Number.isFinite(end)) break;
        }
      }
    }
    if (count > 0) {
      out.hits.add(ev.name);
      out.instancesByName.set(ev.name, count);
      out.instances += count;
    }
  }
  return out;
}
