// What a sharee sees of a CONFIDENTIAL calendar object (dav/sharee-view.ts): busy time only, as
// Nextcloud shows it — the times, recurrence and its exceptions, UID, TRANSP, STATUS and the
// VTIMEZONEs the times need, SUMMARY "Busy", and CLASS:CONFIDENTIAL so clients can show why
// (Nextcloud keeps CLASS too). Everything else goes: DESCRIPTION, LOCATION, ATTENDEE,
// ORGANIZER, URL, ATTACH, CATEGORIES, COMMENT, CONTACT, RESOURCES, VALARMs, X- properties.
// The per-component work is the feeds' busy mode (privacy.ts, an allowlist), called as is.
import { topLevelComponents } from './merge.js';
import { privacyTransform } from './privacy.js';

const busy = privacyTransform({ details: 'busy', alarms: false, include: ['VEVENT', 'VTODO', 'VJOURNAL'] });
const HEAD = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Sundial//EN', 'CALSCALE:GREGORIAN'];

/** The busy-only rendering of one calendar object resource's text (a whole VCALENDAR). */
export function confidentialView(text: string): string {
  const out = [...HEAD];
  for (const comp of topLevelComponents(text)) {
    const lines = busy(comp);
    if (!lines || lines.length === 0) continue;
    if (comp.type === 'VTIMEZONE') out.push(...lines);
    // BEGIN first, then the classification the rest of the lines were reduced for.
    else out.push(lines[0]!, 'CLASS:CONFIDENTIAL', ...lines.slice(1));
  }
  out.push('END:VCALENDAR');
  return out.join('\r\n') + '\r\n';
}
