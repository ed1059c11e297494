// Joins calendar object resources into one VCALENDAR stream (GET of a calendar, export, feeds):
// components are copied as they are, VTIMEZONEs are emitted once per TZID. Works on text lines
// (RFC 5545 §3.1 content lines, unfolded only to find BEGIN/END and TZID) so a 30,000-event
// calendar is never parsed whole.

const HEADER_PROPS = /^(VERSION|PRODID|CALSCALE|METHOD|X-WR-CALNAME|X-WR-TIMEZONE|X-WR-CALDESC|REFRESH-INTERVAL|X-PUBLISHED-TTL)[;:]/i;

/** Splits one VCALENDAR text into its top-level components, each as its lines (CRLF-less). */
export function topLevelComponents(text: string): { type: string; lines: string[]; tzid?: string }[] {
  const lines = text.split(/\r?\n/);
  const out: { type: string; lines: string[]; tzid?: string }[] = [];
  let depth = 0;
  let current: { type: string; lines: string[]; tzid?: string } | null = null;
  for (const line of lines) {
    if (line === '') continue;
    const upper = line.toUpperCase();
    if (upper.startsWith('BEGIN:')) {
      depth++;
      if (depth === 2) current = { type: upper.slice(6).trim(), lines: [] };
    }
    if (current) {
      current.lines.push(line);
      if (depth === 2 && current.type === 'VTIMEZONE' && /^TZID[;:]/i.test(line)) current.tzid = line.slice(line.indexOf(':') + 1);
    }
    if (upper.startsWith('END:')) {
      if (depth === 2 && current) {
        out.push(current);
        current = null;
      }
      depth--;
    }
  }
  return out;
}

export async function* mergeCalendar(objects: AsyncIterable<string> | Iterable<string>, opts: { name?: string; extraHeader?: string[] } = {}): AsyncGenerator<string> {
  const head = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Sundial//EN', 'CALSCALE:GREGORIAN'];
  if (opts.name) head.push(`X-WR-CALNAME:${opts.name.replace(/[\r\n]/g, ' ')}`);
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
      buf += comp.lines.filter((l) => !HEADER_PROPS.test(l) || comp.type !== 'VCALENDAR').join('\r\n') + '\r\n';
    }
    if (buf.length > 64 * 1024) {
      yield buf;
      buf = '';
    }
  }
  yield buf + 'END:VCALENDAR\r\n';
}
