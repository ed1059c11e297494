// The "include in free/busy" checkbox of each calendar (issue 15 item 4): whether its events make
// this user look busy to colleagues who look up their availability (CalDAV
// schedule-calendar-transp). On by default for one's own calendars, off for shared ones.

import { api, h, say } from './dom.js';
import { t } from './i18n.js';

/** The checkbox for calendar `c` (a CalendarView of GET /api/calendars); `attempt` reports failures. */
export function freeBusyToggle(c, name, attempt) {
  const box = h('input', { type: 'checkbox', 'data-freebusy': c.uri, 'aria-label': t('freebusy.label', { name }) });
  box.checked = Boolean(c.freeBusy);
  box.addEventListener('change', () => attempt(async () => {
    const updated = await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { freeBusy: box.checked });
    box.checked = updated.freeBusy;
    c.freeBusy = updated.freeBusy;
    say(t(updated.freeBusy ? 'freebusy.saidOn' : 'freebusy.saidOff', { name }));
  }));
  return h('label', { class: 'freebusy-row' }, box, ' ', t('freebusy.text'));
}
