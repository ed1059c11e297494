// One stored calendar object parsed for a query (RFC 4791 §7.8, §9.6, §9.9): its VTIMEZONEs
// are taken out of the tree before any value is read (so ical.js resolves every TZID to a
// floating time and never expands a zone, see zones.ts) and become private Zones; instance sets
// are built per UID on first use and cached for the rest of the evaluation.
import type ICAL from 'ical.js';
import { InstanceSet } from './instances.js';
import { CalendarDataError } from './errors.js';
import { checkObjectLimits, type ObjectLimits } from './limits.js';
import { decodeCalendarText, parseCalendar } from './parse.js';
import { QueryError } from './query-errors.js';
import type { WorkBudget } from './work-budget.js';
import type { TextMatch } from './filter.js';
import { TextMatchEvaluation, type FoldedTest } from '../text-match-evaluation.js';
import { ZoneResolver, zoneFromCalendarText, type Zone } from './zones.js';

export interface QueryOptions {
  /** Zone of floating and DATE values: the calendar's (CALDAV:calendar-timezone) or UTC. */
  floatingZone: Zone;
  /** Most instances one recurrence set may generate while a query walks it (max-instances). */
  maxInstances: number;
  /** Start of the range the caller cares about (epoch ms); earlier instances may be skipped. */
  skipBefore?: number | null;
  /** The request's processor-time account; each QueryObject starts a new object on it. */
  budget?: WorkBudget;
  /** The request's text-matches with their needles folded (filter.ts), filled as they are met. */
  textTests?: Map<TextMatch, FoldedTest>;
  /**
   * What one object may contain (limits.ts). An object stored before these limits (an older
   * version, a direct import) that exceeds them is not parsed — ical.js's parse of 40,000 lines
   * alone holds the event loop for most of a second — and answers max-instances.
   */
  limits?: ObjectLimits;
}

/** Below this size an object cannot hold enough lines to matter; the check is skipped. */
const LIMITS_CHECK_BYTES = 8 * 1024;

const RECURRING = new Set(['vevent', 'vtodo', 'vjournal', 'vavailability']);

export class QueryObject {
  readonly vcal: ICAL.Component;
  readonly vtimezones: ICAL.Component[];
  readonly zones: ZoneResolver;
  private readonly sets = new Map<ICAL.Component, InstanceSet>();
  private textEvaluation: TextMatchEvaluation | null = null;
  private textMemo: Map<ICAL.Property, string> | null = null;
  private testMemo: Map<TextMatch, FoldedTest> | null = null;

  /** Throws CalendarDataError when the text is not one VCALENDAR. */
  constructor(
    text: string | Buffer,
    readonly opts: QueryOptions,
  ) {
    opts.budget?.startObject();
    const decoded = decodeCalendarText(text);
    if (opts.limits && decoded.length > LIMITS_CHECK_BYTES) {
      try {
        checkObjectLimits(decoded, opts.limits);
      } catch (err) {
        if (err instanceof CalendarDataError) throw new QueryError('max-instances', `A stored calendar object exceeds the server's limits and is not evaluated: ${err.message}`);
        throw err;
      }
    }
    this.vcal = parseCalendar(decoded);
    this.vtimezones = this.vcal.getAllSubcomponents('vtimezone');
    this.vcal.removeAllSubcomponents('vtimezone');
    this.zones = new ZoneResolver(this.vtimezones, opts.floatingZone);
  }

  /** The text-matches of this object's evaluation, each text folded once (filter.ts); made when first asked. */
  get texts(): TextMatchEvaluation {
    return this.textEvaluation ??= new TextMatchEvaluation(this.opts.budget ?? null);
  }

  /** The text of each property a text-match read (filter.ts). */
  get propertyTexts(): Map<ICAL.Property, string> {
    return this.textMemo ??= new Map();
  }

  /** The request's folded needles (QueryOptions.textTests), or this object's own. */
  get textTests(): Map<TextMatch, FoldedTest> {
    return this.testMemo ??= this.opts.textTests ?? new Map();
  }

  /** Top-level components other than VTIMEZONE. */
  components(): ICAL.Component[] {
    return [...this.vcal.getAllSubcomponents()]; // ical.js hands out its own array without a name
  }

  /** The instances of `comp` and its siblings of the same type and UID. */
  instanceSet(comp: ICAL.Component): InstanceSet {
    let set = this.sets.get(comp);
    if (set) return set;
    const uid = uidOf(comp);
    const group = RECURRING.has(comp.name) && comp.parent === this.vcal
      ? this.components().filter((c) => c.name === comp.name && uidOf(c) === uid)
      : [comp];
    set = new InstanceSet(group, this.zones, {
      maxInstances: this.opts.maxInstances, skipBefore: this.opts.skipBefore ?? -Infinity, ...(this.opts.budget ? { budget: this.opts.budget } : {}),
    });
    for (const c of group) this.sets.set(c, set);
    return set;
  }

  /**
   * Walks the recurrence of every top-level group up to `limit` (epoch ms, the end of the range
   * asked) in slices that let other requests run (work-budget.ts); the synchronous evaluation
   * that follows then finds the instances ready.
   */
  async prepare(limit: number): Promise<void> {
    if (!this.opts.budget) return;
    for (const group of this.groups()) {
      if (!RECURRING.has(group[0]!.name)) continue;
      await this.instanceSet(group[0]!).prefill(limit);
    }
  }

  /** Groups of top-level components by type and UID, in document order. */
  groups(): ICAL.Component[][] {
    const out = new Map<string, ICAL.Component[]>();
    for (const c of this.components()) {
      const key = `${c.name}\u0000${RECURRING.has(c.name) ? uidOf(c) : String(out.size)}`;
      const g = out.get(key);
      if (g) g.push(c);
      else out.set(key, [c]);
    }
    return [...out.values()];
  }
}

function uidOf(c: ICAL.Component): string {
  try {
    return String(c.getFirstPropertyValue('uid') ?? '');
  } catch {
    return '';
  }
}

/**
 * The zone of a CALDAV:calendar-timezone (or CALDAV:timezone) value: a VCALENDAR holding one
 * VTIMEZONE (RFC 4791 §5.2.2); null when it holds none or does not parse.
 */
export function zoneOfCalendarTimezone(text: string): Zone | null {
  try {
    return zoneFromCalendarText(parseCalendar(text));
  } catch {
    return null;
  }
}
