// A capped walk over the start times one RRULE generates (RFC 5545 §3.3.10), for query
// evaluation. ical.js compares UNTIL with our zone-less wall-clock times as if they were UTC, so
// the walk hands UNTIL to the caller (who knows the zone) and ical.js only sees a relaxed bound.
// Its inner loop is capped as in rule-last-start.ts: a rule that never matches ends the walk instead of
// hanging the process.
import ICAL from 'ical.js';
import { QueryError } from './query-errors.js';

class StepBudgetExceeded extends Error {}

/**
 * Rule instances later than this many years after DTSTART (or after the start of the range
 * asked, when later: a series begun in 1500 still reaches today) are not searched for.
 */
const HORIZON_YEARS = 500;

function horizonYear(dtstart: ICAL.Time, fromWall: number): number {
  const from = Number.isFinite(fromWall) ? new Date(fromWall).getUTCFullYear() : -Infinity;
  return Math.min(9999, Math.max(dtstart.year, from) + HORIZON_YEARS);
}

/** Days in a month (1–12) of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate() || 31;
}

/** Wrong instances ical.js skips past before a walk gives up (one per year at most in practice). */
const MAX_PHANTOMS = 1000;

export class RuleWalker {
  private readonly it: ICAL.RecurIterator | null;
  private done = false;
  private steps = 0;
  private readonly byMonth: number[] | null;
  private readonly byMonthDay: number[] | null;
  private first = true;
  private readonly dtstart: ICAL.Time;

  /**
   * @param stepBudget inner iterations (candidate days, months…) allowed between two instances;
   *   past it the walk ends as if the rule had no more instances. ical.js needs ~50 µs per
   *   iteration, so 20,000 bound an impossible rule to about a second while a sparse legitimate
   *   one (DAILY;BYMONTH=2;BYMONTHDAY=29: 1,461 days apart) walks on.
   */
  constructor(
    rule: ICAL.Recur,
    dtstart: ICAL.Time,
    private readonly stepBudget: number,
    /** Called every 256 inner iterations (the request's time budget); may throw QueryError. */
    onStep?: () => void,
    /** Start (wall clock) of the range the walk is for; moves the horizon (HORIZON_YEARS). */
    fromWall = -Infinity,
  ) {
    const ints = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v.map(Number).filter(Number.isInteger) : null);
    this.byMonth = ints(rule.parts.BYMONTH);
    this.byMonthDay = ints(rule.parts.BYMONTHDAY);
    this.dtstart = dtstart;
    let it: ICAL.RecurIterator | null = null;
    try {
      const r = rule.clone();
      let bound = ICAL.Time.fromData({ year: horizonYear(dtstart, fromWall), month: 1, day: 1, hour: 0, minute: 0, second: 0, isDate: false }, ICAL.Timezone.utcTimezone);
      if (rule.until) {
        // One day and 14 h past UNTIL keeps every instance the exact test (by the caller) admits.
        const u = ICAL.Time.fromData(
          { year: rule.until.year, month: rule.until.month, day: rule.until.day, hour: rule.until.isDate ? 0 : rule.until.hour, minute: rule.until.isDate ? 0 : rule.until.minute, second: rule.until.isDate ? 0 : rule.until.second, isDate: false },
          ICAL.Timezone.utcTimezone,
        );
        u.adjust(1, 14, 0, 0);
        if (u.compare(bound) < 0) bound = u;
      }
      r.until = bound;
      it = r.iterator(dtstart);
      const check = it.check_contracting_rules.bind(it);
      it.check_contracting_rules = () => {
        if (++this.steps > this.stepBudget) throw new StepBudgetExceeded();
        if (onStep && (this.steps & 255) === 0) onStep();
        return check();
      };
    } catch {
      it = null; // a rule ical.js cannot start on yields nothing beyond DTSTART (added by callers)
    }
    this.it = it;
  }

  /**
   * ical.js normalises an impossible date instead of skipping it (FREQ=YEARLY;BYMONTH=2;
   * BYMONTHDAY=30 yields 1 or 2 March); an occurrence outside BYMONTH/BYMONTHDAY is no instance.
   */
  private phantom(t: ICAL.Time): boolean {
    if (this.byMonth && !this.byMonth.includes(t.month)) return true;
    if (this.byMonthDay) {
      const len = daysInMonth(t.year, t.month);
      return !this.byMonthDay.some((d) => (d > 0 ? d === t.day : len + d + 1 === t.day));
    }
    return false;
  }

  private isDtstart(t: ICAL.Time): boolean {
    const d = this.dtstart;
    return t.year === d.year && t.month === d.month && t.day === d.day && t.hour === d.hour && t.minute === d.minute && t.second === d.second;
  }

  /** The next wall-clock start (a fresh ICAL.Time), or null when the rule is exhausted. */
  next(): ICAL.Time | null {
    if (this.done || !this.it) return null;
    try {
      this.steps = 0;
      for (let skipped = 0; skipped < MAX_PHANTOMS; skipped++) {
        const occ = this.it.next();
        if (!occ) break;
        // The first is DTSTART, an instance whether or not the rule matches it (RFC 5545 §3.8.5.3).
        const first = this.first;
        this.first = false;
        if ((first && this.isDtstart(occ)) || !this.phantom(occ)) return occ.clone();
      }
      this.done = true;
      return null;
    } catch (err) {
      if (err instanceof QueryError) throw err; // the request's time budget: not an end of the rule
      this.done = true; // step budget spent, or ical.js giving up on an impossible rule
      return null;
    }
  }
}

/** RFC 5545 §3.3.10 UNTIL test; `utcOf` converts an instance start to epoch ms in its zone. */
export function untilTest(rule: ICAL.Recur, utcOf: (t: ICAL.Time) => number): (t: ICAL.Time) => boolean {
  const until = rule.until;
  if (!until) return () => false;
  if (until.isDate) {
    const key = dateKey(until);
    return (t) => dateKey(t) > key;
  }
  if (until.zone === ICAL.Timezone.utcTimezone) {
    const limit = Date.UTC(until.year, until.month - 1, until.day, until.hour, until.minute, until.second);
    return (t) => utcOf(t) > limit;
  }
  const wall = Date.UTC(until.year, until.month - 1, until.day, until.hour, until.minute, until.second); // floating UNTIL
  return (t) => Date.UTC(t.year, t.month - 1, t.day, t.isDate ? 0 : t.hour, t.isDate ? 0 : t.minute, t.isDate ? 0 : t.second) > wall;
}

export function dateKey(t: ICAL.Time): number {
  return t.year * 10000 + t.month * 100 + t.day;
}

// --- simple rules by arithmetic ----------------------------------------------------------------
//
// Most rules clients write repeat at a fixed wall-clock pattern: every n seconds, minutes, hours or days, every n weeks on
// some weekdays, every n months or years on DTSTART's day. Their instances are computed here
// without ical.js (whose iterator costs tens of µs per instance and walks from DTSTART), and
// the walk starts near the range asked for, COUNT included. Anything else — BYMONTHDAY, BYSETPOS,
// ordinal weekdays, a DTSTART the rule does not match, days 29–31 that some months lack — goes to
// RuleWalker. test/unit/ical-rrule-fast.test.ts compares both on random rules.

const DAY_MS = 86_400_000;
const SUB_DAILY_MS: Partial<Record<string, number>> = { SECONDLY: 1000, MINUTELY: 60_000, HOURLY: 3_600_000 };
const DOW = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** Day of week of a day number (days since 1970-01-01, a Thursday): 0 = Sunday. */
function dowOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Wall-clock instance starts (fields read as UTC, as `wallClockMs`), in order; null at the end. */
export interface WallWalker {
  next(): number | null;
}

/**
 * A walker for `rule` from `dtstart` that may skip instances starting before `skipWall`
 * (a wall-clock bound; callers leave a day of margin for zone offsets), or null when the rule
 * is not simple enough. UNTIL is left to the caller (untilTestWall), as with RuleWalker.
 */
export function simpleRuleWalker(rule: ICAL.Recur, dtstart: ICAL.Time, skipWall: number): WallWalker | null {
  const interval = rule.interval || 1;
  if (!Number.isInteger(interval) || interval < 1) return null;
  const parts = Object.entries(rule.parts).filter(([, v]) => Array.isArray(v) && v.length > 0);
  const start = Date.UTC(dtstart.year, dtstart.month - 1, dtstart.day, dtstart.isDate ? 0 : dtstart.hour, dtstart.isDate ? 0 : dtstart.minute, dtstart.isDate ? 0 : dtstart.second);
  if (!Number.isFinite(start)) return null;
  const day0 = Math.floor(start / DAY_MS);
  const tod = start - day0 * DAY_MS;
  const count = rule.count && rule.count > 0 ? rule.count : Infinity;
  // RuleWalker's horizon: nothing past 1 January of DTSTART's year + 500 (or 9999).
  const horizon = Date.UTC(horizonYear(dtstart, skipWall), 0, 1);
  const capped = (w: WallWalker): WallWalker => ({
    next() {
      const wall = w.next();
      return wall === null || wall > horizon ? null : wall;
    },
  });
  const skip = Number.isFinite(skipWall) ? Math.floor(skipWall / DAY_MS) : -Infinity;
  let byDay: number[] | null = null;
  if (parts.length === 1 && parts[0]![0] === 'BYDAY') {
    const days = parts[0]![1] as unknown[];
    if (!days.every((d) => typeof d === 'string' && DOW.includes(d))) return null;
    byDay = [...new Set((days as string[]).map((d) => DOW.indexOf(d)))];
    if (!byDay.includes(dowOf(day0))) return null; // DTSTART outside the rule: RuleWalker's rules
  } else if (parts.length > 0) return null;

  const freq = rule.freq;
  const subDaily = SUB_DAILY_MS[freq];
  if (subDaily !== undefined && parts.length === 0) {
    // start + k·interval·unit in wall-clock time, as ical.js steps (RFC 5545 §3.3.10)
    const step = subDaily * interval;
    const skipMs = Number.isFinite(skipWall) ? skipWall : -Infinity;
    let k = Number.isFinite(skipMs) ? Math.max(0, Math.floor((skipMs - start) / step) - 1) : 0;
    return capped({
      next() {
        if (k >= count) return null;
        return start + step * k++;
      },
    });
  }
  if ((freq === 'DAILY' && !byDay) || (freq === 'DAILY' && byDay && interval === 1) || freq === 'WEEKLY') {
    if (freq === 'DAILY' && !byDay) {
      // day0 + k·interval
      let k = Number.isFinite(skip) ? Math.max(0, Math.floor((skip - day0) / interval) - 1) : 0;
      return capped({
        next() {
          if (k >= count) return null;
          return (day0 + interval * k++) * DAY_MS + tod;
        },
      });
    }
    // Weeks of `interval` from DTSTART's week (starting on WKST), the chosen weekdays in each.
    const weekStartDow = freq === 'WEEKLY' ? (rule.wkst || 2) - 1 : 1;
    const step = freq === 'WEEKLY' ? interval : 1;
    const days = byDay ?? [dowOf(day0)];
    const offsets = [...new Set(days.map((d) => (d - weekStartDow + 7) % 7))].sort((a, b) => a - b);
    const base0 = day0 - ((dowOf(day0) - weekStartDow + 7) % 7);
    const firstWeek = offsets.filter((o) => base0 + o >= day0).length;
    let week = 0;
    let done = 0; // instances before `week` (COUNT)
    if (Number.isFinite(skip)) {
      week = Math.max(0, Math.floor((skip - base0) / (7 * step)) - 1);
      if (week > 0) done = firstWeek + (week - 1) * offsets.length;
    }
    let j = 0;
    return capped({
      next() {
        for (;;) {
          if (done >= count) return null;
          if (j >= offsets.length) {
            j = 0;
            week++;
          }
          const day = base0 + week * 7 * step + offsets[j++]!;
          if (day < day0) continue;
          done++;
          return day * DAY_MS + tod;
        }
      },
    });
  }
  if ((freq === 'MONTHLY' || freq === 'YEARLY') && !byDay) {
    const d = new Date(start);
    const y0 = d.getUTCFullYear();
    const m0 = d.getUTCMonth();
    const dom = d.getUTCDate();
    if (dom > 28) return null; // months without that day: RuleWalker
    const months = freq === 'MONTHLY' ? interval : 12 * interval;
    let k = 0;
    if (Number.isFinite(skip)) {
      const s = new Date(skip * DAY_MS);
      const diff = (s.getUTCFullYear() - y0) * 12 + (s.getUTCMonth() - m0);
      k = Math.max(0, Math.floor(diff / months) - 1);
    }
    return capped({
      next() {
        if (k >= count) return null;
        const m = m0 + months * k++;
        const wall = Date.UTC(y0 + Math.floor(m / 12), m % 12, dom) + tod;
        return Number.isFinite(wall) ? wall : null;
      },
    });
  }
  return null;
}

/** untilTest for wall-clock starts; `utcOf` converts one to epoch ms in its zone. */
export function untilTestWall(rule: ICAL.Recur, utcOf: (wall: number) => number): (wall: number) => boolean {
  const until = rule.until;
  if (!until) return () => false;
  if (until.isDate) {
    const lastDay = Date.UTC(until.year, until.month - 1, until.day) / DAY_MS;
    return (wall) => Math.floor(wall / DAY_MS) > lastDay;
  }
  const limit = Date.UTC(until.year, until.month - 1, until.day, until.hour, until.minute, until.second);
  if (until.zone === ICAL.Timezone.utcTimezone) return (wall) => utcOf(wall) > limit;
  return (wall) => wall > limit; // floating UNTIL
}

/** RuleWalker as a WallWalker. */
export function wallWalker(walker: RuleWalker): WallWalker {
  return {
    next() {
      const t = walker.next();
      return t ? Date.UTC(t.year, t.month - 1, t.day, t.isDate ? 0 : t.hour, t.isDate ? 0 : t.minute, t.isDate ? 0 : t.second) : null;
    },
  };
}
