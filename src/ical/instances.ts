// The instances of a recurring component set (RFC 5545 §3.8.5: DTSTART, RRULE, RDATE, EXDATE;
// §3.8.4.4: RECURRENCE-ID overrides, RANGE=THISANDFUTURE), in UTC, for query evaluation
// (RFC 4791 §9.9), expand (§9.6.5) and free-busy (§7.10). Expansion is lazy and cached per
// object, walks in start order so callers stop at their range end, and throws max-instances
// past the configured count. Simple rules (every n days/weeks on some weekdays, months, years:
// rule-walk.ts simpleRuleWalker) are computed by arithmetic and start near the range, COUNT
// included; of the others, rules without BYxxx parts (and WEEKLY/DAILY ones with only a plain
// BYDAY and no COUNT) jump ahead with ical.js instead of walking from a distant DTSTART.
// exactSingleEvent gives the store the one instance of a plain event, exact, at PUT.
import ICAL from 'ical.js';
import { QueryError } from './query-errors.js';
import { RuleWalker, dateKey, simpleRuleWalker, untilTestWall, wallWalker, type WallWalker } from './rule-walk.js';
import { tzidOf, wallClockMs } from './offset-ranges.js';
import type { WorkBudget } from './work-budget.js';
import { localToUtc, ZoneResolver, type Zone } from './zones.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Inner ical.js iterations allowed between two instances; past it the rule ends (rule-walk.ts). */
const STEP_BUDGET = 20_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

export interface Instance {
  /** The component whose properties describe this instance (master or override). */
  owner: ICAL.Component;
  /** Epoch ms of the start; null for a VTODO without DTSTART. */
  start: number | null;
  /** The start's wall clock (fields as if UTC), for DATE output. */
  startWall: number | null;
  isDate: boolean;
  /** Epoch ms of DTEND / DUE / DTSTART+DURATION; null when the component gives none. */
  end: number | null;
  endWall: number | null;
  endKind: 'dtend' | 'due' | 'duration' | 'none';
  /** End of the start's day for a DATE start (RFC 4791 §9.9 "DTSTART+P1D"). */
  dayEnd: number | null;
  /** Original start of a recurrence instance (RECURRENCE-ID); null outside a recurrence set. */
  rid: number | null;
  ridWall: number | null;
  /** Zone of the start, for re-reading wall clocks. */
  zone: Zone | null;
}

interface Length {
  kind: 'dtend' | 'due' | 'duration' | 'none';
  /** dtend/due in the start's zone: wall-clock difference. */
  wall?: number;
  /** dtend/due in another zone: exact difference. */
  exact?: number;
  days?: number;
  ms?: number;
}

function firstTime(comp: ICAL.Component, name: string): { prop: ICAL.Property; t: ICAL.Time } | null {
  try {
    const prop = comp.getFirstProperty(name);
    if (!prop) return null;
    const t = prop.getFirstValue();
    return t instanceof ICAL.Time ? { prop, t } : null;
  } catch {
    return null;
  }
}

function durationOf(comp: ICAL.Component, name: string): ICAL.Duration | null {
  try {
    const v = comp.getFirstPropertyValue(name);
    return v instanceof ICAL.Duration ? v : null;
  } catch {
    return null;
  }
}

/** Nominal days and exact milliseconds of a DURATION (RFC 5545 §3.3.6). */
export function durationParts(d: ICAL.Duration): { days: number; ms: number } {
  const sign = d.isNegative ? -1 : 1;
  return { days: sign * (d.weeks * 7 + d.days), ms: sign * (d.hours * HOUR + d.minutes * 60_000 + d.seconds * 1000) };
}

function lengthOf(comp: ICAL.Component, start: { t: ICAL.Time; zone: Zone }, zr: ZoneResolver): Length {
  const kind = comp.name === 'vtodo' ? 'due' : 'dtend';
  const end = firstTime(comp, kind);
  if (end) {
    const zone = zr.zoneOfProp(end.prop, end.t);
    if (zone === start.zone || (end.t.isDate && start.t.isDate)) return { kind, wall: wallClockMs(end.t) - wallClockMs(start.t) };
    return { kind, exact: zr.utc(end.t, zone) - zr.utc(start.t, start.zone) };
  }
  const dur = durationOf(comp, 'duration');
  if (dur) return { kind: 'duration', ...durationParts(dur) };
  return { kind: 'none' };
}

function makeInstance(owner: ICAL.Component, startWall: number, isDate: boolean, zone: Zone, len: Length, rid: { utc: number; wall: number } | null): Instance {
  const start = localToUtc(zone, startWall);
  let end: number | null = null;
  let endWall: number | null = null;
  if (len.wall !== undefined) {
    endWall = startWall + len.wall;
    end = localToUtc(zone, endWall);
  } else if (len.exact !== undefined) {
    end = start + len.exact;
    endWall = startWall + len.exact;
  } else if (len.days !== undefined && len.ms !== undefined) {
    endWall = startWall + len.days * DAY + len.ms;
    end = (len.days !== 0 ? localToUtc(zone, startWall + len.days * DAY) : start) + len.ms;
  }
  return {
    owner, start, startWall, isDate, end, endWall, endKind: len.kind,
    dayEnd: isDate ? localToUtc(zone, startWall + DAY) : null,
    rid: rid?.utc ?? null, ridWall: rid?.wall ?? null, zone,
  };
}

/** The one instance of a non-recurring component or an override. */
function singleInstance(comp: ICAL.Component, zr: ZoneResolver, inSet: boolean): Instance {
  const rid = firstTime(comp, 'recurrence-id');
  const dtstart = firstTime(comp, 'dtstart') ?? rid;
  const ridInfo = rid ? { utc: zr.utc(rid.t, zr.zoneOfProp(rid.prop, rid.t)), wall: wallClockMs(rid.t) } : null;
  if (!dtstart) {
    // VTODO with only DUE (or nothing), VJOURNAL/VEVENT without a start
    const due = firstTime(comp, comp.name === 'vtodo' ? 'due' : 'dtend');
    const zone = due ? zr.zoneOfProp(due.prop, due.t) : null;
    const end = due && zone ? zr.utc(due.t, zone) : null;
    return {
      owner: comp, start: null, startWall: null, isDate: due?.t.isDate ?? false, end, endWall: due ? wallClockMs(due.t) : null,
      endKind: due ? (comp.name === 'vtodo' ? 'due' : 'dtend') : 'none', dayEnd: null, rid: ridInfo?.utc ?? null, ridWall: ridInfo?.wall ?? null, zone,
    };
  }
  const zone = zr.zoneOfProp(dtstart.prop, dtstart.t);
  return makeInstance(comp, wallClockMs(dtstart.t), dtstart.t.isDate, zone, lengthOf(comp, { t: dtstart.t, zone }, zr), inSet ? ridInfo ?? { utc: localToUtc(zone, wallClockMs(dtstart.t)), wall: wallClockMs(dtstart.t) } : null);
}

/** A calendar zone that notes being consulted: an instance computed without it is exact. */
class ProbeZone implements Zone {
  readonly id = 'probe';
  used = false;
  offsetAt(): number {
    this.used = true;
    return 0;
  }
}

/**
 * The single instance of a non-recurring VEVENT (the only component of its object) when its
 * start and RFC 4791 §9.9 end are exact UTC instants whatever the calendar's timezone: UTC
 * values or TZIDs defined by the object's own VTIMEZONEs, no DATE or floating value, no TZID left
 * to the runtime's zone database. It is what a query computes for that object (the same
 * `singleInstance`), kept in columns at PUT so that a plain VEVENT time-range needs no parse.
 * `end` is DTEND or DTSTART+DURATION, or the start when the event has no length; the §9.9 test
 * is then `end > start ? rs < end && re > start : rs <= start && re > start`. null otherwise.
 */
export function exactSingleEvent(components: ICAL.Component[], vtimezones: ICAL.Component[]): { start: number; end: number } | null {
  try {
    if (components.length !== 1) return null;
    const comp = components[0]!;
    if (comp.name !== 'vevent') return null;
    for (const p of ['rrule', 'rdate', 'exrule', 'recurrence-id']) if (comp.hasProperty(p)) return null;
    const own = new Set<string>();
    for (const vtz of vtimezones) {
      const id = vtz.getFirstPropertyValue('tzid');
      if (typeof id === 'string') own.add(id);
    }
    for (const name of ['dtstart', 'dtend']) {
      if (!comp.hasProperty(name)) continue;
      const v = firstTime(comp, name);
      if (!v || v.t.isDate) return null;
      const tzid = tzidOf(v.prop);
      if (!(tzid !== null ? own.has(tzid) : v.t.zone === ICAL.Timezone.utcTimezone)) return null;
    }
    const probe = new ProbeZone();
    const inst = singleInstance(comp, new ZoneResolver(vtimezones, probe), false);
    if (probe.used || inst.start === null || !Number.isFinite(inst.start)) return null;
    const end = inst.end !== null && inst.endKind !== 'none' ? inst.end : inst.start;
    return Number.isFinite(end) ? { start: inst.start, end } : null;
  } catch {
    return null;
  }
}

/** §9.9 VEVENT test on the columns `exactSingleEvent` fills. */
export function exactEventOverlaps(start: number, end: number, r: { start: number | null; end: number | null }): boolean {
  if (r.end !== null && !(r.end > start)) return false;
  return end > start ? r.start === null || r.start < end : r.start === null || r.start <= start;
}

interface FutureOverride {
  rid: number;
  shift: number;
  wallShift: number;
  comp: ICAL.Component;
  len: Length;
}

interface Candidate {
  utc: number;
  wall: number;
  isDate: boolean;
  zone: Zone;
  /** RDATE PERIOD: its own end. */
  periodEnd?: { utc: number; wall: number };
}

const FIXED_STEP: Partial<Record<string, number>> = { SECONDLY: 1000, MINUTELY: 60_000, HOURLY: HOUR, DAILY: DAY, WEEKLY: 7 * DAY };

/** `dateKey` of the day a wall-clock time falls on. */
function dateKeyOfWall(wall: number): number {
  const d = new Date(wall);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

function timeFromWall(wall: number, isDate: boolean): ICAL.Time {
  const d = new Date(wall);
  return ICAL.Time.fromData({
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: isDate ? 0 : d.getUTCHours(), minute: isDate ? 0 : d.getUTCMinutes(), second: isDate ? 0 : d.getUTCSeconds(), isDate,
  });
}

export interface InstanceSetOptions {
  /** Most instances counted from `skipBefore` on (max-instances); earlier ones are not counted. */
  maxInstances: number;
  /** Instances starting before this (epoch ms) may be skipped by a jump ahead. */
  skipBefore: number;
  /** The request's processor-time account (work-budget.ts); none: unbounded (tests, tools). */
  budget?: WorkBudget;
}

/** Yielded by the walk between instances now and then: a point where it may pause. */
const TICK = Symbol('tick');
/** Units of walk work (candidates × rules, rule setups) between two ticks. */
const TICK_WORK = 256;
type WalkItem = { orig: number; inst: Instance } | typeof TICK;

/** All instances of the components sharing one UID (a master and its overrides). */
export class InstanceSet {
  /** Instances not in start order: non-recurring masters, overrides. */
  private readonly singles: Instance[] = [];
  /** Master instances in start order, generated on demand. */
  private readonly series: { orig: number; inst: Instance }[] = [];
  private source: Generator<WalkItem> | null = null;
  private generated = 0;
  /** Instances starting before this are not counted towards max-instances (the range asked starts here). */
  private readonly countFrom: number;
  /** How far a THISANDFUTURE override may move an instance earlier. */
  private slack = 0;
  /** RECURRENCE-ID of the last THISANDFUTURE override: later series instances are all its. */
  private lastFutureRid = Infinity;
  private master: ICAL.Component | undefined;
  private readonly futureComps = new Set<ICAL.Component>();
  readonly recurring: boolean;

  constructor(
    components: ICAL.Component[],
    private readonly zr: ZoneResolver,
    private opts: InstanceSetOptions,
  ) {
    const masters = components.filter((c) => !c.hasProperty('recurrence-id'));
    const overrides = components.filter((c) => c.hasProperty('recurrence-id'));
    const master = masters.find((m) => firstTime(m, 'dtstart') !== null && (m.hasProperty('rrule') || m.hasProperty('rdate')));
    this.recurring = master !== undefined || overrides.length > 0;
    this.countFrom = opts.skipBefore;
    for (const m of masters) if (m !== master) this.singles.push(singleInstance(m, zr, this.recurring));
    const exact = new Map<number, ICAL.Component>();
    const exactDates = new Set<number>();
    const future: FutureOverride[] = [];
    for (const o of overrides) {
      const inst = singleInstance(o, zr, true);
      this.singles.push(inst);
      const rid = firstTime(o, 'recurrence-id');
      if (!rid || inst.rid === null) continue;
      exact.set(inst.rid, o);
      if (rid.t.isDate) exactDates.add(dateKey(rid.t));
      if (String(rid.prop.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE' && inst.start !== null) {
        const dtstart = firstTime(o, 'dtstart') ?? rid;
        const zone = zr.zoneOfProp(dtstart.prop, dtstart.t);
        future.push({ rid: inst.rid, shift: inst.start - inst.rid, wallShift: (inst.startWall ?? 0) - (inst.ridWall ?? 0), comp: o, len: lengthOf(o, { t: dtstart.t, zone }, zr) });
        this.slack = Math.max(this.slack, inst.rid - inst.start);
      }
    }
    future.sort((a, b) => a.rid - b.rid);
    for (const f of future) this.futureComps.add(f.comp);
    if (future.length > 0) this.lastFutureRid = future[future.length - 1]!.rid;
    this.master = master;
    if (master) {
      this.opts = { ...opts, skipBefore: opts.skipBefore - reach(components) };
      this.source = this.walk(master, exact, exactDates, future);
    }
  }

  private *walk(master: ICAL.Component, exact: Map<number, ICAL.Component>, exactDates: Set<number>, future: FutureOverride[]): Generator<WalkItem> {
    const zr = this.zr;
    const budget = this.opts.budget;
    const onStep = budget ? () => void budget.check() : undefined;
    let work = 0;
    const dtstart = firstTime(master, 'dtstart')!;
    const zone = zr.zoneOfProp(dtstart.prop, dtstart.t);
    const isDate = dtstart.t.isDate;
    const len = lengthOf(master, { t: dtstart.t, zone }, zr);
    // How long after its start an instance can still matter: its own length (exact, unlike the
    // padded `reach`), a THISANDFUTURE move, an alarm after it. Instances starting earlier than
    // that before the range are neither walked to (the jumps start there) nor counted.
    const alarmAfter = Math.max(0, reachParts([master, ...future.map((f) => f.comp)]).alarm);
    let tail = lengthUpper(len, isDate);
    for (const f of future) tail = Math.max(tail, lengthUpper(f.len, isDate) + Math.max(0, f.shift));
    const walkFrom = Number.isFinite(this.countFrom) ? Math.max(this.opts.skipBefore, this.countFrom - tail) : this.opts.skipBefore;
    /** walkFrom as a wall-clock bound: real offsets are within ±14 h, plus an hour of DST. */
    const walkFromWall = walkFrom - 15 * HOUR;

    const exdates = new Set<number>();
    const exdateDays = new Set<number>();
    for (const prop of master.getAllProperties('exdate')) {
      if (++work >= TICK_WORK) {
        work = 0;
        yield TICK;
      }
      for (const v of safeValues(prop)) {
        if (!(v instanceof ICAL.Time)) continue;
        if (v.isDate) exdateDays.add(dateKey(v));
        else exdates.add(zr.utc(v, zr.zoneOf(v, tzidOf(prop))));
      }
    }
    const rdates: Candidate[] = [];
    for (const prop of master.getAllProperties('rdate')) {
      if (++work >= TICK_WORK) {
        work = 0;
        yield TICK;
      }
      for (const v of safeValues(prop)) {
        const t = v instanceof ICAL.Period ? v.start : v;
        if (!(t instanceof ICAL.Time)) continue;
        const z = zr.zoneOf(t, tzidOf(prop));
        const c: Candidate = { utc: zr.utc(t, z), wall: wallClockMs(t), isDate: t.isDate, zone: z };
        if (v instanceof ICAL.Period) {
          try {
            const e = v.getEnd();
            c.periodEnd = { utc: zr.utc(e, zr.zoneOf(e, tzidOf(prop))), wall: wallClockMs(e) };
          } catch {
            // a broken period end leaves the master's length
          }
        }
        rdates.push(c);
      }
    }
    rdates.sort((a, b) => a.utc - b.utc);

    // One stream per RRULE (normally one), each in start order, of wall-clock starts.
    const utcOf = (wall: number) => localToUtc(zone, wall);
    const rules: { walker: WallWalker; pastUntil: (wall: number) => boolean; head: Candidate | null; dropFirst: ((wall: number) => boolean) | null }[] = [];
    for (const prop of master.getAllProperties('rrule')) {
      yield TICK; // building a rule walker costs ical.js work: one per slice check
      let rule: unknown;
      try {
        rule = prop.getFirstValue();
      } catch {
        continue;
      }
      if (!(rule instanceof ICAL.Recur)) continue;
      // A day of margin: the skip bound is in UTC, the walker's in wall-clock time.
      const simple = simpleRuleWalker(rule, dtstart.t, walkFromWall);
      if (simple) {
        rules.push({ walker: simple, pastUntil: untilTestWall(rule, utcOf), head: null, dropFirst: null });
        continue;
      }
      const { start, recur, dropFirst } = this.jumpAhead(rule, dtstart.t, zone, walkFromWall);
      rules.push({ walker: wallWalker(new RuleWalker(recur, start, STEP_BUDGET, onStep, walkFromWall)), pastUntil: untilTestWall(rule, utcOf), head: null, dropFirst });
    }
    const dtstartCandidate: Candidate = { utc: zr.utc(dtstart.t, zone), wall: wallClockMs(dtstart.t), isDate, zone };
    let dtstartPending = rules.length === 0; // with a rule, ical.js yields DTSTART itself first
    const advance = (r: (typeof rules)[number]): void => {
      for (;;) {
        const wall = r.walker.next();
        if (wall === null || r.pastUntil(wall)) {
          r.head = null;
          return;
        }
        if (r.dropFirst) {
          const drop = r.dropFirst(wall);
          r.dropFirst = null;
          if (drop) continue;
        }
        r.head = { utc: utcOf(wall), wall, isDate, zone };
        return;
      }
    };
    const stale = new Set(rules); // heads are fetched lazily: a walk past the last wanted instance costs nothing

    let ri = 0;
    let last = -Infinity;

    for (;;) {
      work += rules.length + 1;
      if (work >= TICK_WORK) {
        work = 0;
        yield TICK;
      }
      let next: Candidate | null = dtstartPending ? dtstartCandidate : null;
      let from: 'dtstart' | 'rdate' | number = 'dtstart';
      if (ri < rdates.length && (!next || rdates[ri]!.utc < next.utc)) {
        next = rdates[ri]!;
        from = 'rdate';
      }
      rules.forEach((r, i) => {
        if (stale.has(r)) {
          advance(r);
          stale.delete(r);
        }
        if (r.head && (!next || r.head.utc < next.utc)) {
          next = r.head;
          from = i;
        }
      });
      if (!next) return;
      const c: Candidate = next;
      if (from === 'dtstart') dtstartPending = false;
      else if (from === 'rdate') ri++;
      else stale.add(rules[from]!);
      if (c.utc === last) continue; // RDATE repeating an RRULE instance
      last = c.utc;
      // Before the (widened) range start nothing can matter: skipped, and not counted, so that a
      // rule of many instances a day (FREQ=SECONDLY) is served for the range asked (issue 11 #8).
      // An RDATE PERIOD has its own length: it matters until its own end.
      if (c.periodEnd ? c.periodEnd.utc + alarmAfter < this.countFrom && c.utc < walkFrom : c.utc < walkFrom) continue;
      if (c.utc >= this.countFrom && ++this.generated > this.opts.maxInstances) {
        throw new QueryError('max-instances', `A recurring component generates more than ${this.opts.maxInstances} instances in the requested range`);
      }
      const day = dateKeyOfWall(c.wall);
      if (exdates.has(c.utc) || exdateDays.has(day)) continue;
      if (exact.has(c.utc) || (c.isDate && exactDates.has(day))) continue; // the override is its own instance
      const rid = { utc: c.utc, wall: c.wall };
      let fut: FutureOverride | undefined;
      for (const f of future) if (f.rid < c.utc) fut = f;
      if (fut) {
        const wall = c.wall + fut.wallShift;
        const inst = makeInstance(fut.comp, wall, c.isDate, c.zone, fut.len, rid);
        yield { orig: c.utc, inst };
        continue;
      }
      const l: Length = c.periodEnd ? { kind: len.kind === 'none' ? 'dtend' : len.kind, exact: c.periodEnd.utc - c.utc } : len;
      yield { orig: c.utc, inst: makeInstance(master, c.wall, c.isDate, c.zone, l, rid) };
    }
  }

  /**
   * A rule whose instances repeat at a fixed wall-clock step can start from a later DTSTART
   * aligned on that step; only instances before `skipBefore` are passed over.
   */
  private jumpAhead(rule: ICAL.Recur, dtstart: ICAL.Time, zone: Zone, skipBefore: number): { start: ICAL.Time; recur: ICAL.Recur; dropFirst: ((wall: number) => boolean) | null } {
    const none = { start: dtstart, recur: rule, dropFirst: null };
    const unit = FIXED_STEP[rule.freq];
    if (unit === undefined || !Number.isFinite(skipBefore)) return none;
    const parts = Object.entries(rule.parts).filter(([, v]) => Array.isArray(v) && v.length > 0);
    const byDayOnly = parts.length === 1 && parts[0]![0] === 'BYDAY' && (rule.freq === 'WEEKLY' || rule.freq === 'DAILY')
      && (parts[0]![1] as string[]).every((d) => /^[A-Z]{2}$/.test(d)) && !rule.count;
    // Other BYxxx parts (MINUTELY;BYSECOND=0, HOURLY;BYMINUTE=0,30, DAILY;BYHOUR=9,17…) work within
    // periods of the rule's step, which a DTSTART moved by whole steps keeps, and take their
    // defaults from DTSTART fields the move keeps too; ical.js then yields the moved DTSTART
    // first, instance or not, so it is dropped — it lies before skipBefore anyway. Not with
    // COUNT: the instances passed over would have to be counted.
    const byParts = parts.length > 0 && !byDayOnly && !rule.count;
    if (parts.length > 0 && !byDayOnly && !byParts) return none;
    const step = unit * Math.max(1, rule.interval || 1);
    const startUtc = localToUtc(zone, wallClockMs(dtstart));
    const k = Math.floor((skipBefore - startUtc) / step) - 1;
    if (k <= 0) return none;
    const recur = rule.clone();
    if (rule.count) {
      if (k >= rule.count) return { start: dtstart, recur: ICAL.Recur.fromData({ freq: rule.freq, count: 1 }), dropFirst: () => true };
      recur.count = rule.count - k;
    }
    const startWall = wallClockMs(dtstart) + k * step;
    const start = timeFromWall(startWall, dtstart.isDate);
    const days = byDayOnly ? (parts[0]![1] as string[]) : null;
    // The moved DTSTART is an instance only when the original one matched BYDAY.
    const dropFirst = days ? (wall: number) => wall === startWall && !days.includes(WEEKDAYS[new Date(wall).getUTCDay()]!)
      : byParts ? (wall: number) => wall === startWall : null;
    return { start, recur, dropFirst };
  }

  private extend(): boolean {
    for (;;) {
      if (!this.source) return false;
      const r = this.source.next();
      if (r.done) {
        this.source = null;
        return false;
      }
      if (r.value === TICK) {
        this.opts.budget?.check(); // no pausing here: callers are synchronous
        continue;
      }
      this.series.push(r.value);
      return true;
    }
  }

  /**
   * Generates, ahead of a synchronous evaluation, the series up to original start `limit`,
   * pausing whenever the budget's slice is used up, so that a long walk lets other requests
   * run. Stops short of max-instances (the synchronous walk then throws it as before).
   */
  async prefill(limit: number): Promise<void> {
    const budget = this.opts.budget;
    if (!budget) return;
    while (this.source && this.generated < this.opts.maxInstances) {
      const last = this.series[this.series.length - 1];
      if (last && last.orig > limit + this.slack) return;
      const r = this.source.next();
      if (r.done) {
        this.source = null;
        return;
      }
      if (r.value === TICK) {
        if (budget.check()) await budget.pause();
        continue;
      }
      this.series.push(r.value);
    }
  }

  /**
   * Visits every instance whose original start is at most `limit` (all overrides and single
   * instances, then the series in start order) until `visit` returns true.
   */
  some(limit: number, visit: (i: Instance) => boolean): boolean {
    for (const s of this.singles) if (visit(s)) return true;
    for (let i = 0; ; i++) {
      if (i >= this.series.length && !this.extend()) return false;
      const e = this.series[i]!;
      if (e.orig > limit + this.slack) return false;
      if (visit(e.inst)) return true;
    }
  }

  /**
   * Like `some`, over the instances `comp` describes: an override's own one (and the series
   * instances a THISANDFUTURE override moves), or the master's series.
   */
  someOf(comp: ICAL.Component, limit: number, visit: (i: Instance) => boolean): boolean {
    if (comp !== this.master && !this.futureComps.has(comp)) {
      for (const s of this.singles) if (s.owner === comp && visit(s)) return true;
      return false;
    }
    const own = (i: Instance) => i.owner === comp && visit(i);
    // Past the last THISANDFUTURE override every series instance is that override's.
    return this.some(comp === this.master ? Math.min(limit, this.lastFutureRid - this.slack) : limit, own);
  }

  /**
   * Like `some` without an early end, pausing whenever the budget's slice is used up (after
   * `prefill`, the instances are ready and this is the other long loop of an evaluation).
   */
  async forEachSliced(limit: number, visit: (i: Instance) => void): Promise<void> {
    const budget = this.opts.budget;
    for (const s of this.singles) visit(s);
    for (let i = 0; ; i++) {
      if (i >= this.series.length && !this.extend()) return;
      const e = this.series[i]!;
      if (e.orig > limit + this.slack) return;
      visit(e.inst);
      if (budget && (i & 255) === 255 && budget.check()) await budget.pause();
    }
  }

  /** Every instance with original start at most `limit`. */
  list(limit: number): Instance[] {
    const out: Instance[] = [];
    this.some(limit, (i) => {
      out.push(i);
      return false;
    });
    return out;
  }
}

/** How far before a range an instance may start and still matter: lengths, alarms, shifts. */
function reach(components: ICAL.Component[]): number {
  const r = reachParts(components);
  return 2 * DAY + r.len + r.alarm + r.shift;
}

/** An upper bound of how long one instance of length `l` lasts (DST changes included). */
function lengthUpper(l: Length, isDate: boolean): number {
  const ms = l.wall ?? l.exact ?? (l.days ?? 0) * DAY + (l.ms ?? 0);
  return Math.max(0, ms) + (isDate ? DAY : 0) + 3 * HOUR;
}

function reachParts(components: ICAL.Component[]): { len: number; alarm: number; shift: number } {
  let len = 0;
  let alarm = 0;
  let shift = 0;
  for (const c of components) {
    const s = firstTime(c, 'dtstart');
    const e = firstTime(c, c.name === 'vtodo' ? 'due' : 'dtend');
    if (s && e) len = Math.max(len, Math.abs(wallClockMs(e.t) - wallClockMs(s.t)) + 28 * HOUR);
    const d = durationOf(c, 'duration');
    if (d) {
      const p = durationParts(d);
      len = Math.max(len, Math.abs(p.days * DAY + p.ms) + 4 * HOUR);
    }
    const rid = firstTime(c, 'recurrence-id');
    if (s && rid) shift = Math.max(shift, Math.abs(wallClockMs(s.t) - wallClockMs(rid.t)) + 28 * HOUR);
    for (const a of c.getAllSubcomponents('valarm')) {
      const trigger = durationOf(a, 'trigger');
      if (!trigger) continue;
      const every = durationOf(a, 'duration');
      let repeat = 0;
      try {
        repeat = Number(a.getFirstPropertyValue('repeat') ?? 0) || 0;
      } catch {
        repeat = 0;
      }
      const stepMs = every ? Math.abs(durationParts(every).days * DAY + durationParts(every).ms) : 0;
      alarm = Math.max(alarm, trigger.toSeconds() * 1000 + Math.min(repeat, 10_000) * stepMs);
    }
  }
  return { len, alarm, shift };
}

function safeValues(prop: ICAL.Property): unknown[] {
  try {
    return prop.getValues() as unknown[];
  } catch {
    return [];
  }
}
