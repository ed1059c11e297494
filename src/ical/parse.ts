// Turns request bytes into one ical.js VCALENDAR component (RFC 5545 §3.4), or throws
// CalendarDataError. The only place that calls ICAL.parse.
import ICAL from 'ical.js';
import { CalendarDataError, asCalendarData } from './errors.js';
import { beginOrEnd } from './begin-end.js';
import { unfold } from './unfold.js';

/** Deeper than any real object (VCALENDAR > VEVENT > VALARM > …); guards recursive walkers. */
const MAX_DEPTH = 8;

const utf8 = new TextDecoder('utf-8', { fatal: true }); // strips a leading BOM

export function decodeCalendarText(data: Buffer | string): string {
  if (typeof data === 'string') return data.replace(/^\uFEFF/, '');
  return asCalendarData('not UTF-8', () => utf8.decode(data)); // RFC 5545 §3.1.4: UTF-8 only
}

/**
 * ical.js accepts `END:VTODO` closing a VEVENT and any nesting depth, so BEGIN/END pairs are
 * checked here on the unfolded text (RFC 5545 §3.1 folding: CRLF + one space or tab).
 */
function checkNesting(unfolded: string): void {
  const stack: string[] = [];
  // Split where the former /^…$/m expression saw line ends; beginOrEnd is linear (begin-end.ts).
  for (const line of unfolded.split(/\r\n?|[\n\u2028\u2029]/)) {
    const m = beginOrEnd(line);
    if (!m) continue;
    const name = m.type;
    if (m.begin) {
      stack.push(name);
      if (stack.length > MAX_DEPTH) throw new CalendarDataError('valid-calendar-data', 'components nested too deeply');
    } else if (stack.pop() !== name) {
      throw new CalendarDataError('valid-calendar-data', `END:${name} does not close the open component`);
    }
  }
  if (stack.length > 0) throw new CalendarDataError('valid-calendar-data', `BEGIN:${stack.at(-1)} is never closed`);
}

/** Parses exactly one VCALENDAR. Its components are hydrated lazily by ical.js. */
export function parseCalendar(text: string): ICAL.Component {
  // Unfolded once for both: ical.js unfolds as RFC 5545 §3.1 does (ical.js parse._eachLine), and
  // given the unfolded text it does no slicing of its own per folded line.
  const unfolded = unfold(text);
  checkNesting(unfolded);
  const jcal: unknown = asCalendarData('unparseable iCalendar', () => ICAL.parse(unfolded));
  if (!Array.isArray(jcal) || jcal.length === 0) {
    throw new CalendarDataError('valid-calendar-data', 'no iCalendar object');
  }
  // ICAL.parse returns a bare component for one top-level object, an array of them for several.
  if (Array.isArray(jcal[0])) {
    // A stream of several objects is valid iCalendar but not one calendar object resource.
    throw new CalendarDataError('valid-calendar-object-resource', 'more than one VCALENDAR');
  }
  const root = new ICAL.Component(jcal);
  if (root.name !== 'vcalendar') {
    throw new CalendarDataError('valid-calendar-data', `top-level component is ${root.name.toUpperCase()}, not VCALENDAR`);
  }
  return root;
}
