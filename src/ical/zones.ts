// Exact UTC instants of iCalendar local times (RFC 5545 §3.3.5, §3.6.5) for query evaluation
// (RFC 4791 §9.9). Like offset-ranges.ts, nothing is registered in ical.js's global
// TimezoneService and ical.js never expands a VTIMEZONE itself: each VTIMEZONE of the object
// becomes a private Zone whose transitions are walked here with a cap, so a crafted
// `RRULE:FREQ=SECONDLY` in a STANDARD block costs a bounded amount of work, not a hang.
// A TZID without a VTIMEZONE is read as an IANA zone when the runtime knows the name, else as
// floating; floating and DATE values are read in the calendar's zone (CALDAV:calendar-timezone,
// else UTC).
import ICAL from 'ical.js';
import { RuleWalker, untilTest } from './rule-walk.js';
import { tzidOf, wallClockMs } from './offset-ranges.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR = 366 * DAY;

export interface Zone {
  readonly id: string;
  /** Offset east of UTC in ms at the UTC instant `utcMs`. */
  offsetAt(utcMs: number): number;
}

export const UTC_ZONE: Zone = { id: 'UTC', offsetAt: () => 0 };

/**
 * Wall-clock ms (local fields read as if UTC) → epoch ms in `zone`. A time repeated by a
 * fall-back transition is its first occurrence; a time skipped by a spring-forward gap is read
 * with the offset before the gap (RFC 5545 §3.3.5).
 */
export function localToUtc(zone: Zone, wall: number): number {
  if (zone === UTC_ZONE) return wall;
  const candidates = new Set([zone.offsetAt(wall - 14 * HOUR), zone.offsetAt(wall), zone.offsetAt(wall + 14 * HOUR)]);
  let best: number | null = null;
  for (const o of candidates) if (zone.offsetAt(wall - o) === o && (best === null || o > best)) best = o;
  if (best !== null) return wall - best;
  return wall - Math.min(...candidates);
}

/** Offsets from the runtime's IANA database (Node ships full ICU). */
class IanaZone implements Zone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();
  constructor(readonly id: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: id, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }
  offsetAt(utcMs: number): number {
    const key = Math.floor(utcMs / 1000);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const parts: Record<string, number> = {};
    for (const p of this.fmt.formatToParts(new Date(key * 1000))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    let year = parts.year ?? 1970;
    if (this.fmt.formatToParts(new Date(key * 1000)).some((p) => p.type === 'era' && p.value.startsWith('B'))) year = 1 - year;
    const wall = Date.UTC(year, (parts.month ?? 1) - 1, parts.day ?? 1, (parts.hour ?? 0) % 24, parts.minute ?? 0, parts.second ?? 0);
    const off = wall - key * 1000;
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(key, off);
    return off;
  }
}

const ianaZones = new Map<string, IanaZone | null>();

/** The runtime's zone of that name, or null when it knows none (Outlook names, made-up ids). */
export function ianaZone(name: string): Zone | null {
  if (/^(utc|gmt|z|etc\/utc|etc\/gmt)$/i.test(name)) return UTC_ZONE;
  let z = ianaZones.get(name);
  if (z === undefined) {
    try {
      z = new IanaZone(name);
    } catch {
      z = null;
    }
    if (ianaZones.size < 1000) ianaZones.set(name, z);
  }
  return z;
}

interface Transition {
  at: number; // epoch ms
  from: number;
  to: number;
}

interface Observance {
  from: number;
  to: number;
  walker: RuleWalker | null;
  pastUntil: (t: ICAL.Time) => boolean;
  /** UTC of the latest onset generated so far. */
  reached: number;
}

/** Onsets the rules of one VTIMEZONE may generate in total; far more than 1600–2100 yearly rules need. */
const MAX_TRANSITIONS = 4000;
const STEP_BUDGET = 20_000;

/** A VTIMEZONE (RFC 5545 §3.6.5) read on its own, never registered anywhere. */
export class VTimezoneZone implements Zone {
  private readonly transitions: Transition[] = [];
  private readonly observances: Observance[] = [];
  private covered = -Infinity;
  private fallback = 0;

  constructor(readonly id: string, vtz: ICAL.Component) {
    let earliest = Infinity;
    for (const sub of vtz.getAllSubcomponents()) {
      if (sub.name !== 'standard' && sub.name !== 'daylight') continue;
      try {
        const from = sub.getFirstPropertyValue('tzoffsetfrom');
        const to = sub.getFirstPropertyValue('tzoffsetto');
        const start = sub.getFirstPropertyValue('dtstart');
        if (!(from instanceof ICAL.UtcOffset) || !(to instanceof ICAL.UtcOffset) || !(start instanceof ICAL.Time)) continue;
        const obs: Observance = { from: from.toSeconds() * 1000, to: to.toSeconds() * 1000, walker: null, pastUntil: () => false, reached: -Infinity };
        const onset = (t: ICAL.Time) => wallClockMs(t) - obs.from;
        const first = onset(start);
        this.push({ at: first, from: obs.from, to: obs.to });
        if (first < earliest) {
          earliest = first;
          this.fallback = obs.from;
        }
        for (const prop of sub.getAllProperties('rdate')) {
          for (const v of prop.getValues() as unknown[]) {
            const t = v instanceof ICAL.Period ? v.start : v;
            if (t instanceof ICAL.Time) this.push({ at: t.zone === ICAL.Timezone.utcTimezone ? wallClockMs(t) : onset(t), from: obs.from, to: obs.to });
          }
        }
        const rule = sub.getFirstPropertyValue('rrule');
        if (rule instanceof ICAL.Recur) {
          obs.walker = new RuleWalker(rule, start, STEP_BUDGET);
          obs.walker.next(); // DTSTART itself, pushed above
          obs.pastUntil = untilTest(rule, onset);
          obs.reached = first;
        }
        this.observances.push(obs);
      } catch {
        // an unreadable observance is skipped
      }
    }
    this.transitions.sort((a, b) => a.at - b.at);
  }

  private push(t: Transition): void {
    if (this.transitions.length < MAX_TRANSITIONS) this.transitions.push(t);
  }

  /** Generates rule onsets until every observance has passed `utcMs` by a year. */
  private ensure(utcMs: number): void {
    if (utcMs <= this.covered) return;
    const target = utcMs + YEAR;
    let added = false;
    for (const obs of this.observances) {
      while (obs.walker && obs.reached <= target && this.transitions.length < MAX_TRANSITIONS) {
        const t = obs.walker.next();
        if (!t || obs.pastUntil(t)) {
          obs.walker = null;
          break;
        }
        obs.reached = wallClockMs(t) - obs.from;
        this.transitions.push({ at: obs.reached, from: obs.from, to: obs.to });
        added = true;
      }
    }
    if (added) this.transitions.sort((a, b) => a.at - b.at);
    this.covered = target - YEAR / 2;
  }

  offsetAt(utcMs: number): number {
    this.ensure(utcMs);
    const ts = this.transitions;
    let lo = 0;
    let hi = ts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]!.at <= utcMs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return ts[0]?.from ?? this.fallback;
    return ts[found]!.to;
  }
}

/**
 * Objects of one calendar nearly always carry the same VTIMEZONE text, and walking its rules
 * from 1970 costs milliseconds; zones are therefore shared by their content (a VTimezoneZone
 * depends on nothing else, and its lazily grown transition list only ever gains entries).
 */
const zoneCache = new Map<string, VTimezoneZone>();
const ZONE_CACHE_SIZE = 200;

function sharedZone(tzid: string, vtz: ICAL.Component): VTimezoneZone {
  // The parsed form (jCal) as JSON: the same key for the same text, and much cheaper than
  // serializing the component back to iCalendar.
  const key = JSON.stringify(vtz.toJSON());
  let z = zoneCache.get(key);
  if (z) {
    zoneCache.delete(key); // most recently used last
  } else {
    z = new VTimezoneZone(tzid, vtz);
    if (zoneCache.size >= ZONE_CACHE_SIZE) zoneCache.delete(zoneCache.keys().next().value!);
  }
  zoneCache.set(key, z);
  return z;
}

/** The zone of the first VTIMEZONE in a VCALENDAR text (CALDAV:calendar-timezone, RFC 4791 §5.2.2). */
export function zoneFromCalendarText(vcal: ICAL.Component): Zone | null {
  const vtz = vcal.getFirstSubcomponent('vtimezone');
  if (!vtz) return null;
  const tzid = vtz.getFirstPropertyValue('tzid');
  const id = typeof tzid === 'string' ? tzid : 'calendar';
  return new VTimezoneZone(id, vtz);
}

/**
 * Resolves the zones of one calendar object: its VTIMEZONEs by TZID, then IANA names, then the
 * calendar's zone for floating times, DATE values and unknown TZIDs.
 */
export class ZoneResolver {
  private readonly own = new Map<string, Zone>();

  constructor(
    vtimezones: ICAL.Component[],
    readonly floating: Zone,
  ) {
    for (const vtz of vtimezones) {
      const tzid = vtz.getFirstPropertyValue('tzid');
      if (typeof tzid === 'string' && !this.own.has(tzid)) this.own.set(tzid, sharedZone(tzid, vtz));
    }
  }

  /** Zone a value of `prop` is in; `t` tells UTC ('Z', TZID=UTC) and DATE apart. */
  zoneOf(t: ICAL.Time, tzid: string | null): Zone {
    if (t.zone === ICAL.Timezone.utcTimezone && !(tzid && this.own.has(tzid))) return UTC_ZONE;
    if (t.isDate || tzid === null) return this.floating;
    return this.own.get(tzid) ?? ianaZone(tzid) ?? this.floating;
  }

  zoneOfProp(prop: ICAL.Property, t: ICAL.Time): Zone {
    return this.zoneOf(t, tzidOf(prop));
  }

  utc(t: ICAL.Time, zone: Zone): number {
    return localToUtc(zone, wallClockMs(t));
  }
}
