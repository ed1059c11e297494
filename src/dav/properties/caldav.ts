// RFC 4791 §5.2 calendar collection properties and §6 principal properties, plus the RFC 6578
// sync-token (here because its value is shared with getctag).
import { CALDAV, DAV } from '../../xml/names.js';
import { textOf } from '../../xml/parse.js';
import { homeHref, principalHref } from '../paths.js';
import { PropertyRejected, defineProperty } from './registry.js';
import { el, hrefNode, homeSyncTokenOf, syncTokenOf } from './values.js';
import { CalendarDataError, checkCalendarTimezone } from '../../ical/validate.js';

defineProperty({
  name: CALDAV.calendarHomeSet, kinds: ['principal'], allprop: false, protected: true,
  // Only on one's own principal: another user's home is not theirs to open (issue 15 item 1).
  get: (r) => (r.kind === 'principal' && r.viewer.id === r.user.id ? [hrefNode(homeHref(r.user.username))] : undefined),
});

defineProperty({
  name: CALDAV.calendarDescription, kinds: ['calendar'], allprop: false, protected: false,
  get: (r) => (r.kind === 'calendar' ? r.collection.description ?? undefined : undefined),
  set: (_r, value) => {
    if (value === null) return { description: null };
    const text = textOf(value);
    if (text.length > 10_000) throw new PropertyRejected(409, 'calendar-description longer than 10000 characters');
    return { description: text };
  },
});

// RFC 4791 §5.2.2: a VCALENDAR holding exactly one VTIMEZONE. macOS sets it on every calendar
// at account setup (CLIENTS.md §1.2 step 7), so it must be accepted.
defineProperty({
  name: CALDAV.calendarTimezone, kinds: ['calendar'], allprop: false, protected: false,
  get: (r) => (r.kind === 'calendar' ? r.collection.timezone ?? undefined : undefined),
  set: (_r, value) => {
    if (value === null) return { timezone: null };
    const text = textOf(value);
    try {
      checkCalendarTimezone(text);
    } catch (err) {
      if (!(err instanceof CalendarDataError)) throw err;
      throw new PropertyRejected(403, `${err.message} (a VCALENDAR with VERSION, PRODID and one VTIMEZONE)`, CALDAV.validCalendarData);
    }
    return { timezone: text };
  },
});

defineProperty({
  name: CALDAV.supportedCalendarComponentSet, kinds: ['calendar'], allprop: false, protected: true,
  get: (r) => (r.kind === 'calendar' ? r.collection.components.map((c) => ({ name: CALDAV.comp, attrs: { name: c } })) : undefined),
});

defineProperty({
  name: CALDAV.supportedCalendarData, kinds: ['calendar'], allprop: false, protected: true,
  get: () => [{ name: CALDAV.calendarData, attrs: { 'content-type': 'text/calendar', version: '2.0' } }],
});

defineProperty({
  name: CALDAV.maxResourceSize, kinds: ['calendar'], allprop: false, protected: true,
  get: (_r, ctx) => String(ctx.config.maxResourceSize),
});

// RFC 6578 §4: the token of the collection; the home's covers its listed calendars (or address books).
defineProperty({
  name: DAV.syncToken, kinds: ['calendar', 'addressbook', 'collection', 'home'], allprop: false, protected: true,
  get: (r, ctx) => {
    if (r.kind === 'home') return ctx.homeSeq === undefined ? undefined : homeSyncTokenOf(ctx.homeSeq, r.device?.id);
    return r.kind === 'calendar' || r.kind === 'addressbook' || r.kind === 'collection' ? syncTokenOf(r.collection.syncSeq) : undefined;
  },
});
