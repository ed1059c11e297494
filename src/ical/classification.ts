// The access classification of a calendar object resource (RFC 5545 §3.8.1.3 CLASS), reduced to
// what sharing needs: 'private' objects are hidden from sharees, 'confidential' ones are shown to
// them as busy time only (dav/sharee-view.ts), 'public' ones in full. Read from the text lines on
// write (and once for rows stored before the column existed), never at read time.
//
// An object counts as its most restrictive component: one PRIVATE occurrence (master or a
// RECURRENCE-ID exception) makes the whole resource private, since a resource is listed, fetched
// and synchronized as a whole. RFC 5545 §3.8.1.3: "Applications MUST treat x-name and iana-token
// values they don't recognize the same way as they would the PRIVATE value" (Nextcloud does the
// same); a CLASS with no recognizable value at all is read the same way.
import { logicalLines } from './merge.js';
import { parseContentLine } from './privacy.js';

export type Classification = 'public' | 'confidential' | 'private';

const CLASSIFIED: ReadonlySet<string> = new Set(['VEVENT', 'VTODO', 'VJOURNAL']);
const RANK: Record<Classification, number> = { public: 0, confidential: 1, private: 2 };

function classOfValue(value: string): Classification {
  switch (value.trim().toUpperCase()) {
    case 'PUBLIC': return 'public';
    case 'CONFIDENTIAL': return 'confidential';
    default: return 'private';
  }
}

/** The classification of an iCalendar text: the most restrictive CLASS of its VEVENT/VTODO/VJOURNALs. */
export function classificationOf(text: string): Classification {
  let result: Classification = 'public';
  // Depth 1 = inside VCALENDAR; a CLASS counts only directly inside a classified component
  // (depth 2), never inside its VALARMs or other subcomponents.
  let depth = 0;
  let classified = false;
  const physical = text.split(/\r?\n/);
  for (const { text: line } of logicalLines(physical)) {
    const head = line.slice(0, 6).toUpperCase();
    if (head === 'BEGIN:') {
      depth++;
      if (depth === 2) classified = CLASSIFIED.has(line.slice(6).trim().toUpperCase());
      continue;
    }
    if (head.startsWith('END:')) {
      if (depth === 2) classified = false;
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth !== 2 || !classified || !/^class[;:]/i.test(line)) continue;
    const parsed = parseContentLine(line);
    const c = classOfValue(parsed ? parsed.value : '');
    if (RANK[c] > RANK[result]) result = c;
    if (result === 'private') return result;
  }
  return result;
}
