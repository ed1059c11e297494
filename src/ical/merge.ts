// Joins calendar object resources into one VCALENDAR stream (GET of a calendar, export, feeds):
// components are copied as they are, VTIMEZONEs are emitted once per TZID. Works on text lines
// (RFC 5545 §3.1 content lines, unfolded only to find BEGIN/END and TZID) so a 30,000-event
// calendar is never parsed whole.

/** One top-level component of a VCALENDAR: its physical lines (folding kept, no CRLF). */
export interface TopComponent {
  type: string;
  lines: string[];
  tzid?: string;
}

/**
 * Groups physical lines into logical content lines (RFC 5545 §3.1: a line starting with a space
 * or a tab continues the previous one). `text` is the unfolded line; `raw` the physical lines.
 */
export function logicalLines(lines: readonly string[]): { text: string; raw: string[] }[] {
  const out: { text: string; raw: string[] }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.text += line.slice(1);
      last.raw.push(line);
    } else out.push({ text: line, raw: [line] });
  }
  return out;
}

/** Splits one VCALENDAR text (or several concatenated) into its top-level components. */
export function topLevelComponents(text: string): TopComponent[] {
  const out: TopComponent[] = [];
  let depth = 0;
  let current: TopComponent | null = null;
  const physical = text.split(/\r?\n/).filter((l) => l !== '');
  for (const { text: line, raw } of logicalLines(physical)) {
    const upper = line.toUpperCase();
    const begin = upper.startsWith('BEGIN:');
    if (begin) {
      depth++;
      if (depth === 2) current = { type: upper.slice(6).trim(), lines: [] };
    }
    if (current) {
      current.lines.push(...raw);
      if (depth === 2 && current.type === 'VTIMEZONE' && /^TZID[;:]/i.test(line)) current.tzid = line.slice(line.indexOf(':') + 1);
    }
    if (upper.startsWith('END:')) {
      if (depth === 2 && current) {
        out.push(current);
        current = null;
      }
      depth = Math.max(0, depth - 1);
    }
  }
  return out;
}

export interface MergeOptions {
  /** X-WR-CALNAME. */
  name?: string;
  /** More VCALENDAR properties, as content lines (e.g. REFRESH-INTERVAL). */
  extraHeader?: string[];
  /**
   * Rewrites each component (after VTIMEZONE de-duplication): the physical lines to emit, or
   * null to leave the component out. Used by feeds for busy mode and alarm removal.
   */
  transform?: (component: TopComponent) => string[] | null;
}

export async function* mergeCalendar(objects: AsyncIterable<string> | Iterable<string>, opts: MergeOptions = {}): AsyncGenerator<string> {
  const head = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Sundial//EN', 'CALSCALE:GREGORIAN'];
  // X-WR-CALNAME has no declared value type: clients (and ical.js) read it raw, so only line
  // breaks are neutralized, never escaped.
  if (opts.name) head.push(foldLine(`X-WR-CALNAME:${opts.name.replace(/[\r\n]+/g, ' ')}`));
  head.push(...(opts.extraHeader ?? []));
  yield head.join('\r\n') + '\r\n';
  const seenZones = new Set<string>();
  let buf = '';
  for await (const text of objects) {
    for (const comp of topLevelComponents(text)) {
      if (comp.type === 'VTIMEZONE') {
        if (!comp.tzid || seenZones.has(comp.tzid)) continue;
        seenZones.add(comp.tzid);
      }
      const lines = opts.transform ? opts.transform(comp) : comp.lines;
      if (lines && lines.length > 0) buf += lines.join('\r\n') + '\r\n';
    }
    if (buf.length > 64 * 1024) {
      yield buf;
      buf = '';
    }
  }
  yield buf + 'END:VCALENDAR\r\n';
}

/** Folds a logical line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let size = 0;
  let limit = 75;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (size + n > limit) {
      parts.push(current);
      current = '';
      size = 0;
      limit = 74; // continuation lines start with a space
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
