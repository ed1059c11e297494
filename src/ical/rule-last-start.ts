// Bounded RRULE iteration (RFC 5545 §3.3.10, §3.8.5.3). ical.js can loop without end on rules
// that never match (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) and walks up to year 20000 looking for
// a first YEARLY match, so every walk here is capped; hitting a cap means "no known end".
import ICAL from 'ical.js';
import { wallClockMs } from './offset-ranges.js';

/** Rule instances later than this many years after DTSTART are not searched for. */
const HORIZON_YEARS = 500;

/** Thrown inside ical.js's inner loop to stop it; never escapes this module. */
class ScanBudgetExceeded extends Error {}

function isUtcDateTime(t: ICAL.Time): boolean {
  return !t.isDate && t.zone === ICAL.Timezone.utcTimezone;
}

const FIXED_STEP_MS: Partial<Record<string, number>> = {
  SECONDLY: 1000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: 86_400_000,
  WEEKLY: 7 * 86_400_000,
};

/** Past the end of year 9999 a "last instance" is treated as no end at all. */
const LAST_REPRESENTABLE = Date.UTC(10000, 0, 1);

/**
 * ical.js compares UNTIL with occurrences as if our (VTIMEZONE-less) local times were UTC, and
 * a DATE UNTIL as midnight; +1 day 14 h keeps every instance RFC 5545 §3.3.10 would include.
 */
function relaxedUntil(until: ICAL.Time, dtstart: ICAL.Time): ICAL.Time {
  const relaxed = ICAL.Time.fromData(
    { year: until.year, month: until.month, day: until.day,
      hour: until.isDate ? 0 : until.hour, minute: until.isDate ? 0 : until.minute,
      second: until.isDate ? 0 : until.second, isDate: false },
    ICAL.Timezone.utcTimezone,
  );
  if (!(isUtcDateTime(dtstart) && isUtcDateTime(until))) relaxed.adjust(1, 14, 0, 0);
  return relaxed;
}

/**
 * A rule without BYxxx parts and a fixed step steps through wall-clock time, so its last start
 * is arithmetic; ical.js would need ~20 µs per instance (DAILY;COUNT=100000 ≈ 2 s).
 * undefined = not such a rule.
 */
function closedFormLast(rule: ICAL.Recur, dtstart: ICAL.Time, until: ICAL.Time | null): number | null | undefined {
  const unit = FIXED_STEP_MS[rule.freq];
  if (unit === undefined || Object.values(rule.parts).some((v) => Array.isArray(v) && v.length > 0)) return undefined;
  const step = unit * Math.max(1, rule.interval || 1);
  const start = wallClockMs(dtstart);
  let n = rule.count ?? Infinity;
  if (until) n = Math.min(n, Math.floor((wallClockMs(until) - start) / step) + 1);
  return n >= 1 ? start + (n - 1) * step : null;
}

/**
 * Wall-clock start (as from wallClockMs) of the last instance `rule` generates from `dtstart`,
 * `null` when it generates none, or 'unbounded' when the end is not known within `budget`
 * inner iterations (infinite rule, cap reached, or ical.js failing on the rule).
 */
/**
 * Inner iterations allowed, and a time (performance.now()) past which every walk stops: one
 * deadline for all the rules of an object, so that a PUT of rules ical.js walks slowly
 * (DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5 took 3 s) holds the event loop for tens of ms at most.
 */
export interface ScanBudget {
  steps: number;
  deadline: number;
}

/** Inner iterations every walk may take whatever the deadline (a few ms of ical.js work). */
const DETERMINISTIC_STEPS = 1000;

export function lastRuleStart(rule: ICAL.Recur, dtstart: ICAL.Time, scan: number | ScanBudget): number | null | 'unbounded' {
  const budget = typeof scan === 'number' ? scan : scan.steps;
  const deadline = typeof scan === 'number' ? Infinity : scan.deadline;
  if (!rule.isFinite()) return 'unbounded';
  try {
    const until = rule.until ? relaxedUntil(rule.until, dtstart) : null;
    const fixed = closedFormLast(rule, dtstart, until);

    const last = fixed !== undefined ? fixed : iterate(rule, dtstart, until, budget, deadline);
    return typeof last === 'number' && last >= LAST_REPRESENTABLE ? 'unbounded' : last;
  } catch {
    return 'unbounded'; // ScanBudgetExceeded, or ical.js giving up on an impossible rule
  }
}

function iterate(rule: ICAL.Recur, dtstart: ICAL.Time, until: ICAL.Time | null, budget: number, deadline: number): number | null | 'unbounded' {
  const r = rule.clone();
  const horizon = ICAL.Time.fromData(
    { year: dtstart.year + HORIZON_YEARS, month: 1, day: 1, hour: 0, minute: 0, second: 0, isDate: false },
    ICAL.Timezone.utcTimezone,
  );
  // Also bounds ical.js's search for a first YEARLY match in a COUNT rule (up to year 20000).
  const stoppedByHorizon = until === null || until.compare(horizon) > 0;
  r.until = stoppedByHorizon ? horizon : until;

  const it = r.iterator(dtstart);
  let steps = 0;
  const check = it.check_contracting_rules.bind(it);
  it.check_contracting_rules = () => {
    // The deadline only stops walks past DETERMINISTIC_STEPS, so that ordinary rules get the
    // same bounds on a loaded machine as on an idle one.
    if (++steps > budget || (steps > DETERMINISTIC_STEPS && (steps & 255) === 0 && performance.now() > deadline)) throw new ScanBudgetExceeded();
    return check();
  };
  let last: number | null = null;
  let count = 0;
  for (let occ = it.next(); occ; occ = it.next()) {
    if (++count > budget) return 'unbounded';
    last = wallClockMs(occ); // `occ` is mutated by the next call, keep the number
  }
  const countReached = r.count !== null && count >= r.count;
  return stoppedByHorizon && !countReached ? 'unbounded' : last;
}
