// The web agenda's view of one stored calendar object: its VEVENT instances overlapping a range,
// found exactly as calendar-data expand finds them (expand.ts expandInto: the same QueryObject,
// InstanceSet and RFC 4791 §9.9 overlap test), flattened to plain JSON-ready records instead of
// one VEVENT per instance. Read only; the page never sees iCalendar.
import type ICAL from 'ical.js';
import { QueryObject, type QueryOptions } from './query-object.js';
import { instanceOverlaps, type TimeRange } from './time-range.js';

const DAY = 86_400_000;

export interface AgendaInstance {
  uid: string;
  /** Original start of this instance (epoch ms) when it belongs to a recurrence set; else null. */
  recurrenceId: number | null;
  /** Part of a recurrence set (a series or an override of one). */
  recurring: boolean;
  /** This instance is described by an override (a component with RECURRENCE-ID). */
  override: boolean;
  allDay: boolean;
  /** ISO instant (UTC) for timed instances; YYYY-MM-DD for all-day ones. */
  start: string;
  /** Exclusive end in the same form; an all-day instance without an end lasts one day. */
  end: string;
  summary: string;
  location: string;
  description: string;
  status: string | null;
}

function text(comp: ICAL.Component, name: string): string {
  try {
    const v = comp.getFirstPropertyValue(name);
    return v === null || v === undefined ? '' : String(v);
  } catch {
    return '';
  }
}

const isoDate = (wall: number) => new Date(wall).toISOString().slice(0, 10);

/**
 * The VEVENT instances of `data` overlapping `range`, in start order. Throws CalendarDataError
 * when the object does not parse and QueryError past opts.maxInstances, as expand does.
 */
export function agendaInstances(data: string | Buffer, opts: QueryOptions, range: TimeRange): AgendaInstance[] {
  const obj = new QueryObject(data, { ...opts, skipBefore: range.start });
  const out: AgendaInstance[] = [];
  for (const group of obj.groups()) {
    const first = group[0]!;
    if (first.name !== 'vevent') continue;
    const set = obj.instanceSet(first);
    const hits = set.list(range.end ?? Infinity).filter((i) => instanceOverlaps(i, range, obj.zones));
    hits.sort((a, b) => (a.start ?? -Infinity) - (b.start ?? -Infinity));
    for (const i of hits) {
      if (i.start === null || i.startWall === null) continue;
      const allDay = i.isDate;
      let start: string;
      let end: string;
      if (allDay) {
        start = isoDate(i.startWall);
        const endWall = i.endWall !== null && i.endKind !== 'none' && i.endWall > i.startWall ? i.endWall : i.startWall + DAY;
        end = isoDate(endWall);
      } else {
        start = new Date(i.start).toISOString();
        end = new Date(i.end !== null && i.endKind !== 'none' && i.end > i.start ? i.end : i.start).toISOString();
      }
      out.push({
        uid: text(i.owner, 'uid'),
        recurrenceId: set.recurring ? i.rid : null,
        recurring: set.recurring,
        override: i.owner.hasProperty('recurrence-id'),
        allDay,
        start,
        end,
        summary: text(i.owner, 'summary'),
        location: text(i.owner, 'location'),
        description: text(i.owner, 'description'),
        status: text(i.owner, 'status') || null,
      });
    }
  }
  return out;
}
