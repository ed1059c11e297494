// What a subscription feed hides (SPEC "Subscription feeds"): busy mode keeps only what a
// free/busy picture needs — times, recurrence and its exceptions, UID, transparency, status —
// and turns SUMMARY into "Busy"; alarms can be removed on their own. Works on one top-level
// component's text lines at a time (RFC 5545 §3.1: lines are unfolded before any decision, kept
// lines go out with their original folding), so a feed is never parsed whole.
//
// Busy mode is an allowlist, not a denylist: a property Sundial has never heard of (an X- or a
// future IANA property, RFC 7986's IMAGE or CONFERENCE, RFC 9073's STRUCTURED-DATA…) is dropped,
// and so is every subcomponent (VALARM, RFC 9073 VLOCATION/PARTICIPANT) and every parameter of a
// kept property except TZID, VALUE and RANGE.
import { foldLine, logicalLines, type TopComponent } from './merge.js';
import { beginOrEnd } from './begin-end.js';

export interface PrivacyOptions {
  details: 'full' | 'busy';
  /** Keep VALARMs (full mode only; busy mode always removes them). */
  alarms: boolean;
  /** Top-level component types to include (VTIMEZONE always is). Default: VEVENT and VTODO. */
  include?: readonly string[];
}

/** Properties of a VEVENT/VTODO kept in busy mode; SUMMARY is replaced, everything else dropped. */
export const BUSY_KEEP: ReadonlySet<string> = new Set([
  'UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'DURATION', 'DUE',
  'RRULE', 'RDATE', 'EXDATE', 'EXRULE', 'RECURRENCE-ID',
  'TRANSP', 'STATUS', 'SEQUENCE',
]);
const KEEP_PARAMS: ReadonlySet<string> = new Set(['TZID', 'VALUE', 'RANGE']);
export const BUSY_SUMMARY = 'SUMMARY:Busy';

interface Parsed {
  name: string;
  /** Each parameter as written, without the leading ";". */
  params: string[];
  value: string;
}

/** Splits an unfolded content line into name, parameters and value (quotes respected). */
export function parseContentLine(line: string): Parsed | null {
  let i = 0;
  while (i < line.length && line[i] !== ';' && line[i] !== ':') i++;
  if (i >= line.length) return null;
  const name = line.slice(0, i).toUpperCase();
  const params: string[] = [];
  let quoted = false;
  let start = i + 1;
  if (line[i] === ';') {
    for (i = i + 1; i < line.length; i++) {
      const c = line[i];
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === ';' || c === ':')) {
        params.push(line.slice(start, i));
        start = i + 1;
        if (c === ':') break;
      }
    }
    if (i >= line.length) return null;
  }
  return { name, params, value: line.slice(i + 1) };
}

const paramName = (p: string) => p.slice(0, p.indexOf('=') >= 0 ? p.indexOf('=') : p.length).toUpperCase();

/** A kept property with only its harmless parameters; the original lines when nothing changes. */
function keptLine(parsed: Parsed, raw: string[]): string[] {
  const params = parsed.params.filter((p) => KEEP_PARAMS.has(paramName(p)));
  if (params.length === parsed.params.length) return raw;
  return [foldLine([parsed.name, ...params].join(';') + ':' + parsed.value)];
}

/**
 * A transform for mergeCalendar: the lines of one top-level component as the feed shows them,
 * or null when the component is left out.
 */
export function privacyTransform(opts: PrivacyOptions): (component: TopComponent) => string[] | null {
  const include = new Set((opts.include ?? ['VEVENT', 'VTODO']).map((t) => t.toUpperCase()));
  const busy = opts.details === 'busy';
  const dropAlarms = busy || !opts.alarms;
  return (component) => {
    if (component.type === 'VTIMEZONE') return busy ? withoutXProps(component.lines) : component.lines;
    if (!include.has(component.type)) return null;
    if (!busy && !dropAlarms) return component.lines;
    return busy ? busyLines(component.lines) : withoutAlarms(component.lines);
  };
}

/** Full mode without alarms: every VALARM block goes, everything else stays byte for byte. */
function withoutAlarms(lines: string[]): string[] {
  const out: string[] = [];
  let skip = 0; // depth inside a removed VALARM
  for (const { text, raw } of logicalLines(lines)) {
    const be = beginOrEnd(text);
    if (skip > 0) {
      if (be) skip += be.begin ? 1 : -1;
      continue;
    }
    if (be?.begin && be.type === 'VALARM') {
      skip = 1;
      continue;
    }
    out.push(...raw);
  }
  return out;
}

/** VTIMEZONE in busy mode: unchanged apart from X- properties (X-LIC-LOCATION and the like). */
function withoutXProps(lines: string[]): string[] {
  const out: string[] = [];
  for (const { text, raw } of logicalLines(lines)) {
    if (/^X-/i.test(text)) continue;
    out.push(...raw);
  }
  return out;
}

function busyLines(lines: string[]): string[] {
  const out: string[] = [];
  let depth = 0; // 1 = the component's own properties
  let skip = 0; // depth inside a dropped subcomponent
  let summary = false;
  for (const { text, raw } of logicalLines(lines)) {
    const be = beginOrEnd(text);
    if (skip > 0) {
      if (be) skip += be.begin ? 1 : -1;
      continue;
    }
    if (be?.begin) {
      if (depth >= 1) {
        skip = 1; // VALARM and any other subcomponent
        continue;
      }
      depth++;
      out.push(`BEGIN:${be.type}`);
      continue;
    }
    if (be && !be.begin) {
      if (depth === 1 && !summary) out.push(BUSY_SUMMARY);
      depth--;
      out.push(`END:${be.type}`);
      continue;
    }
    if (depth !== 1) continue;
    const parsed = parseContentLine(text);
    if (!parsed) continue;
    if (parsed.name === 'SUMMARY') {
      if (!summary) out.push(BUSY_SUMMARY);
      summary = true;
    } else if (BUSY_KEEP.has(parsed.name)) out.push(...keptLine(parsed, raw));
  }
  return out;
}
