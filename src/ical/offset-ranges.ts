// Where a local time may fall on the UTC axis, without letting ical.js expand any VTIMEZONE.
//
// Why not register the object's VTIMEZONEs with ICAL.TimezoneService: that registry is global
// (one user's VTIMEZONE would change how another user's TZID resolves) and ical.js expands a
// VTIMEZONE's RRULE from its DTSTART up to the year asked for, so a crafted
// `RRULE:FREQ=SECONDLY` in a STANDARD block hangs the process. The bounds we compute are only a
// candidate pre-filter (RFC 4791 §9.9 is applied exactly later), so a local time is mapped to
// the range of instants it can denote instead: [wall - maxOffset, wall - minOffset], where the
// offsets are every TZOFFSETFROM/TZOFFSETTO the VTIMEZONE declares (RFC 5545 §3.6.5).
import ICAL from 'ical.js';

const HOUR = 3_600_000;

/** UTC offsets (ms east of UTC) a local time may carry. */
export interface OffsetRange {
  readonly min: number;
  readonly max: number;
}

/** Possible UTC instants (epoch ms) of a local time; lo === hi when it is exact. */
export interface Instant {
  readonly lo: number;
  readonly hi: number;
}

const UTC: OffsetRange = { min: 0, max: 0 };
/**
 * Floating times and DATE values (RFC 5545 §3.3.4/§3.3.5) are read in the calendar's or the
 * query's timezone (RFC 4791 §9.9), which we do not know here; so are TZIDs without a VTIMEZONE,
 * which a later filter may resolve as UTC or by the system's zone names. Real offsets lie in
 * -12h..+14h, so ±14h around the wall clock covers every reading.
 */
export const FLOATING: OffsetRange = { min: -14 * HOUR, max: 14 * HOUR };

/** The wall-clock fields of `t` read as if they were UTC (DATE values at midnight). */
export function wallClockMs(t: ICAL.Time): number {
  return t.isDate
    ? Date.UTC(t.year, t.month - 1, t.day)
    : Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

export function instantOf(wallMs: number, range: OffsetRange): Instant {
  return { lo: wallMs - range.max, hi: wallMs - range.min };
}

/** Offset ranges of the VTIMEZONEs one VCALENDAR carries, keyed by TZID. */
export class ZoneTable {
  private readonly zones = new Map<string, OffsetRange>();

  /**
   * Reads every VTIMEZONE of `vcal` and then removes them from the tree, so that ical.js
   * resolves TZIDs to floating times (or to UTC for UTC/GMT) and never expands a zone itself.
   */
  static takeFrom(vcal: ICAL.Component): ZoneTable {
    const table = new ZoneTable();
    for (const vtz of vcal.getAllSubcomponents('vtimezone')) table.add(vtz);
    vcal.removeAllSubcomponents('vtimezone');
    return table;
  }

  private add(vtz: ICAL.Component): void {
    let tzid: unknown;
    try {
      tzid = vtz.getFirstPropertyValue('tzid');
    } catch {
      return; // a VTIMEZONE we cannot read leaves its TZID floating
    }
    if (typeof tzid !== 'string') return;
    let { min, max } = this.zones.get(tzid) ?? { min: Infinity, max: -Infinity };
    for (const rule of vtz.getAllSubcomponents()) {
      for (const name of ['tzoffsetfrom', 'tzoffsetto']) {
        try {
          const v = rule.getFirstPropertyValue(name);
          if (v instanceof ICAL.UtcOffset) {
            min = Math.min(min, v.toSeconds() * 1000);
            max = Math.max(max, v.toSeconds() * 1000);
          }
        } catch {
          // an unreadable offset is skipped; with none left the zone stays floating
        }
      }
    }
    if (min <= max) this.zones.set(tzid, { min, max });
  }

  /** Offsets `t` may carry; `tzid` is the TZID parameter of the property it came from. */
  rangeOf(t: ICAL.Time, tzid: string | null): OffsetRange {
    if (t.isDate) return FLOATING;
    const declared = tzid === null ? undefined : this.zones.get(tzid);
    if (t.zone !== ICAL.Timezone.utcTimezone) return declared ?? FLOATING;
    // 'Z' suffix or TZID=UTC/GMT; a clashing VTIMEZONE of that name only widens the range.
    return declared ? { min: Math.min(declared.min, 0), max: Math.max(declared.max, 0) } : UTC;
  }

  instant(t: ICAL.Time, tzid: string | null): Instant {
    return instantOf(wallClockMs(t), this.rangeOf(t, tzid));
  }
}

/** The TZID parameter of a property, if it has exactly one string value. */
export function tzidOf(prop: ICAL.Property): string | null {
  const p: unknown = prop.getParameter('tzid');
  return typeof p === 'string' ? p : null;
}
