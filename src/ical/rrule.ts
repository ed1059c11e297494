// A capped walk over the start times one RRULE generates (RFC 5545 §3.3.10), for query
// evaluation. ical.js compares UNTIL with our zone-less wall-clock times as if they were UTC, so
// the walk hands UNTIL to the caller (who knows the zone) and ical.js only sees a relaxed bound.
// Its inner loop is capped as in recur.ts: a rule that never matches ends the walk instead of
// hanging the process.
import ICAL from 'ical.js';

class StepBudgetExceeded extends Error {}

/** Rule instances later than this many years after DTSTART are not searched for (as recur.ts). */
const HORIZON_YEARS = 500;

export class RuleWalker {
  private readonly it: ICAL.RecurIterator | null;
  private done = false;
  private steps = 0;

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
  ) {
    let it: ICAL.RecurIterator | null = null;
    try {
      const r = rule.clone();
      const horizonYear = Math.min(9999, dtstart.year + HORIZON_YEARS);
      let bound = ICAL.Time.fromData({ year: horizonYear, month: 1, day: 1, hour: 0, minute: 0, second: 0, isDate: false }, ICAL.Timezone.utcTimezone);
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
        return check();
      };
    } catch {
      it = null; // a rule ical.js cannot start on yields nothing beyond DTSTART (added by callers)
    }
    this.it = it;
  }

  /** The next wall-clock start (a fresh ICAL.Time), or null when the rule is exhausted. */
  next(): ICAL.Time | null {
    if (this.done || !this.it) return null;
    try {
      this.steps = 0;
      const occ = this.it.next();
      if (!occ) {
        this.done = true;
        return null;
      }
      return occ.clone();
    } catch {
      this.done = true; // budget spent, or ical.js giving up on an impossible rule
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
