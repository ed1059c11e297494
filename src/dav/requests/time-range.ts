// CALDAV:time-range (RFC 4791 §9.9) and the other elements holding start/end attributes
// (expand, limit-recurrence-set, limit-freebusy-set §9.6.5–7, free-busy-query §7.10).
import type { XmlElement } from '../../xml/parse.js';
import type { TimeRange } from '../../ical/time-range.js';
import { validFilter } from '../errors.js';

/** RFC 5545 §3.3.5 UTC date-time "YYYYMMDDTHHMMSSZ" → epoch ms. */
export function parseUtc(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw validFilter(`time-range values must be UTC date-times, got "${value}"`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Number.isNaN(ms) || +m[2]! < 1 || +m[2]! > 12 || +m[3]! < 1 || +m[3]! > 31 || +m[4]! > 23 || +m[5]! > 59 || +m[6]! > 60) {
    throw validFilter(`Invalid date-time "${value}"`);
  }
  return ms;
}

/** A time-range element: start and/or end (not neither), end after start. */
export function parseTimeRange(el: XmlElement, opts: { requireBoth?: boolean } = {}): TimeRange {
  const start = parseUtc(el.attrs.start);
  const end = parseUtc(el.attrs.end);
  if (start === null && end === null) throw validFilter(`${el.local} needs a start or an end`);
  if (opts.requireBoth && (start === null || end === null)) throw validFilter(`${el.local} needs both start and end`);
  if (start !== null && end !== null && end <= start) throw validFilter(`${el.local} end must be after its start`);
  return { start, end };
}
