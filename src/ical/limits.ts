// What one calendar object resource may contain (issue 11: recurrence floods). Every query,
// expand and free-busy evaluation walks an object's components, properties and recurrence
// rules; an object of 40,000 RRULE lines took a minute per query. These limits are checked at
// PUT (and COPY/MOVE, import) on the unfolded text in one linear pass, before ical.js parses it,
// so a hostile object costs no more than reading it. Objects stored before the limits existed
// are bounded at query time instead (work-budget.ts).
import { CalendarDataError } from './errors.js';
import { countContinuationLines, maxContinuationLines, unfold } from './unfold.js';

export interface ObjectLimits {
  /** Components (VEVENT, VALARM, VTIMEZONE and its rules, …) in one object, VCALENDAR excluded. */
  maxComponents: number;
  /** Property lines in one object. */
  maxProperties: number;
  /** RRULE and EXRULE lines in one component (RFC 5545 §3.8.5.3 allows several; clients write one). */
  maxRules: number;
  /** RDATE and EXDATE values (each date of a comma list counts) in one object. */
  maxRecurrenceDates: number;
}

/** The defaults of the matching options in src/config.ts (test/unit/ical-limits.test.ts checks they agree). */
/** What one calendar object may contain, from the configuration (src/config.ts; issue 11: recurrence floods). */
export function objectLimitsOf(config: { maxObjectComponents: number; maxObjectProperties: number; maxRecurrenceRules: number; maxRecurrenceDates: number }): ObjectLimits {
  return { maxComponents: config.maxObjectComponents, maxProperties: config.maxObjectProperties, maxRules: config.maxRecurrenceRules, maxRecurrenceDates: config.maxRecurrenceDates };
}

export const DEFAULT_OBJECT_LIMITS: ObjectLimits = { maxComponents: 1000, maxProperties: 10_000, maxRules: 4, maxRecurrenceDates: 1000 };

/** Longest UID accepted (RFC 5545 §3.8.4.7 sets none; real ones are under 300 characters). */
export const MAX_UID_LENGTH = 1024;

function tooMany(what: string, limit: number): CalendarDataError {
  return new CalendarDataError('valid-calendar-data', `more than ${limit} ${what} in one calendar object (server limit)`);
}

/** The property name of a content line: up to the first ';' or ':' (RFC 5545 §3.1). */
function nameOf(line: string): string {
  let end = 0;
  while (end < line.length && line[end] !== ';' && line[end] !== ':') end++;
  return line.slice(0, end).toUpperCase();
}

/** The value of a content line: after the first ':' outside a quoted parameter value. */
function valueOf(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) return line.slice(i + 1);
  }
  return '';
}

/**
 * BYxxx parts a sub-daily rule may carry. Others (SECONDLY;BYMONTH=2, MINUTELY;BYDAY=MO…) make
 * ical.js test every second or minute between two instances — hundreds of thousands of steps
 * that cannot be interrupted — for rules no calendar client writes; they are refused.
 */
const SUB_DAILY_PARTS: Partial<Record<string, readonly string[]>> = {
  SECONDLY: [],
  MINUTELY: ['BYSECOND'],
  HOURLY: ['BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY'],
};

/**
 * RFC 5545 §3.3.10: INTERVAL is a positive integer, COUNT too (ical.js turns INTERVAL=0 into 1
 * and keeps COUNT=-5, so the raw text is read here).
 */
function checkRule(value: string): void {
  const parts = value.split(';').map((part) => {
    const eq = part.indexOf('=');
    return { key: part.slice(0, eq).trim().toUpperCase(), v: part.slice(eq + 1).trim() };
  });
  for (const { key, v } of parts) {
    if ((key === 'INTERVAL' || key === 'COUNT') && !/^[1-9][0-9]{0,8}$/.test(v)) {
      throw new CalendarDataError('valid-calendar-data', `RRULE ${key}=${v}: must be a positive integer (RFC 5545 §3.3.10)`);
    }
  }
  const freq = parts.find((p) => p.key === 'FREQ')?.v.toUpperCase() ?? '';
  const allowed = SUB_DAILY_PARTS[freq];
  const extra = allowed ? parts.find((p) => p.key.startsWith('BY') && !allowed.includes(p.key)) : undefined;
  if (extra) throw new CalendarDataError('valid-calendar-data', `RRULE FREQ=${freq} with ${extra.key} is not supported by this server`);
}

/**
 * Checks `text` (one VCALENDAR, possibly folded) against `limits`, in time linear in its length.
 * Throws CalendarDataError (valid-calendar-data) with a message naming the limit.
 */
export function checkObjectLimits(text: string, limits: ObjectLimits = DEFAULT_OBJECT_LIMITS): void {
  let components = 0;
  let properties = 0;
  let dates = 0;
  const rulesPerLevel: number[] = [0];
  // Counted before anything is unfolded or split: a text folded over millions of short lines
  // costs every later pass a slice per line (unfold.ts).
  const maxFolds = maxContinuationLines(Buffer.byteLength(text, 'utf8'), limits.maxProperties);
  if (countContinuationLines(text, maxFolds) > maxFolds) {
    throw new CalendarDataError('valid-calendar-data', `folded over more than ${maxFolds} continuation lines (lines average under 48 octets; RFC 5545 §3.1 folds at 75)`);
  }
  const lines = unfold(text).split(/\r?\n/);
  for (const line of lines) {
    if (line === '') continue;
    const name = nameOf(line);
    if (name === 'BEGIN') {
      if (valueOf(line).trim().toUpperCase() !== 'VCALENDAR' && ++components > limits.maxComponents) throw tooMany('components', limits.maxComponents);
      rulesPerLevel.push(0);
      continue;
    }
    if (name === 'END') {
      if (rulesPerLevel.length > 1) rulesPerLevel.pop();
      continue;
    }
    if (++properties > limits.maxProperties) throw tooMany('properties', limits.maxProperties);
    if (name === 'RRULE' || name === 'EXRULE') {
      const level = rulesPerLevel.length - 1;
      rulesPerLevel[level] = rulesPerLevel[level]! + 1;
      if (rulesPerLevel[level]! > limits.maxRules) throw tooMany('RRULE/EXRULE lines per component', limits.maxRules);
      checkRule(valueOf(line));
    } else if (name === 'RDATE' || name === 'EXDATE') {
      const value = valueOf(line);
      let n = 1;
      for (let i = 0; i < value.length; i++) if (value[i] === ',') n++;
      dates += n;
      if (dates > limits.maxRecurrenceDates) throw tooMany('RDATE/EXDATE values', limits.maxRecurrenceDates);
    } else if (name === 'UID' && valueOf(line).length > MAX_UID_LENGTH) {
      throw new CalendarDataError('valid-calendar-data', `UID longer than ${MAX_UID_LENGTH} characters`);
    }
  }
}
