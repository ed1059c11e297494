// Busy time for free-busy-query (RFC 4791 §7.10): event instances overlapping the range (not
// TRANSP:TRANSPARENT, not STATUS:CANCELLED; STATUS:TENTATIVE is BUSY-TENTATIVE) and the
// FREEBUSY periods of VFREEBUSY components, clipped to the range and coalesced per busy type,
// returned as one VFREEBUSY (RFC 5545 §3.6.4, §3.8.2.6).
import type ICAL from 'ical.js';
import type { Instance } from './instances.js';
import type { QueryObject } from './query-object.js';
import { eventOverlaps, freebusyPeriods, type TimeRange } from './time-range.js';

export type BusyType = 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';

export interface BusyPeriod {
  start: number;
  end: number;
  type: BusyType;
}

function text(comp: { getFirstPropertyValue(name: string): unknown }, name: string): string {
  try {
    return String(comp.getFirstPropertyValue(name) ?? '').trim().toUpperCase();
  } catch {
    return '';
  }
}

/** Busy periods one object contributes to [range.start, range.end). */
export function busyPeriods(obj: QueryObject, range: { start: number; end: number }): BusyPeriod[] {
  const { out, eventInstance, rest } = collector(obj, range);
  for (const group of obj.groups()) {
    const first = group[0]!;
    if (first.name === 'vevent') for (const i of obj.instanceSet(first).list(range.end)) eventInstance(i);
    else rest(group);
  }
  return out;
}

/**
 * busyPeriods with the recurrence walked and visited in slices that let other requests run
 * (QueryOptions.budget, work-budget.ts): what free-busy-query uses.
 */
export async function busyPeriodsSliced(obj: QueryObject, range: { start: number; end: number }): Promise<BusyPeriod[]> {
  await obj.prepare(range.end);
  const { out, eventInstance, rest } = collector(obj, range);
  for (const group of obj.groups()) {
    const first = group[0]!;
    if (first.name === 'vevent') await obj.instanceSet(first).forEachSliced(range.end, eventInstance);
    else rest(group);
  }
  return out;
}

function collector(obj: QueryObject, range: { start: number; end: number }) {
  const out: BusyPeriod[] = [];
  const r: TimeRange = range;
  const push = (start: number, end: number, type: BusyType) => {
    const s = Math.max(start, range.start);
    const e = Math.min(end, range.end);
    if (e > s) out.push({ start: s, end: e, type });
  };
  const eventInstance = (i: Instance): void => {
    if (i.start === null || !eventOverlaps(i, r)) return;
    if (text(i.owner, 'transp') === 'TRANSPARENT' || text(i.owner, 'status') === 'CANCELLED') return;
    const end = i.endKind !== 'none' && i.end !== null ? i.end : i.isDate ? i.dayEnd : null;
    if (end === null || end <= i.start) return; // takes no time (RFC 5545 §3.6.1)
    push(i.start, end, text(i.owner, 'status') === 'TENTATIVE' ? 'BUSY-TENTATIVE' : 'BUSY');
  };
  const rest = (group: ICAL.Component[]): void => {
    const first = group[0]!;
    if (first.name === 'vfreebusy') {
      for (const fb of group) {
        for (const prop of fb.getAllProperties('freebusy')) {
          const raw = String(prop.getParameter('fbtype') ?? 'BUSY').toUpperCase();
          if (raw === 'FREE') continue;
          const type: BusyType = raw === 'BUSY-TENTATIVE' || raw === 'BUSY-UNAVAILABLE' ? raw : 'BUSY';
          for (const p of freebusyPeriods(prop, obj.zones)) push(p.start, p.end, type);
        }
      }
    }
  };
  return { out, eventInstance, rest };
}

/** Coalesces overlapping or touching periods of the same type; sorted by type, then start. */
export function mergePeriods(periods: BusyPeriod[]): BusyPeriod[] {
  const out: BusyPeriod[] = [];
  for (const type of ['BUSY', 'BUSY-TENTATIVE', 'BUSY-UNAVAILABLE'] as const) {
    const list = periods.filter((p) => p.type === type).sort((a, b) => a.start - b.start);
    let cur: BusyPeriod | null = null;
    for (const p of list) {
      if (cur && p.start <= cur.end) cur.end = Math.max(cur.end, p.end);
      else {
        if (cur) out.push(cur);
        cur = { ...p };
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The VCALENDAR body of a free-busy-query response. */
export function freeBusyCalendar(periods: BusyPeriod[], range: { start: number; end: number }, now = Date.now()): string {
  const lines = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Sundial//EN', 'CALSCALE:GREGORIAN', 'BEGIN:VFREEBUSY',
    `DTSTAMP:${utcStamp(now)}`, `DTSTART:${utcStamp(range.start)}`, `DTEND:${utcStamp(range.end)}`,
  ];
  for (const p of mergePeriods(periods)) lines.push(`FREEBUSY;FBTYPE=${p.type}:${utcStamp(p.start)}/${utcStamp(p.end)}`);
  lines.push('END:VFREEBUSY', 'END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
