// RFC 6638 scheduling properties: where a principal's inbox, outbox and default calendar are
// (§2.1.1, §2.2.1, §9.2), whether a calendar's events count for free/busy (§9.1
// schedule-calendar-transp, from the "include in free/busy" setting), and the Schedule-Tag of a
// scheduling object resource (§3.2.10). Apple reads the first three from the principal at account
// setup and the transparency in the home listing (CLIENTS.md §1.2 steps 3 and 6); Thunderbird
// reads the inbox and outbox URLs when the server says calendar-auto-schedule (§2.2).
import { CALDAV, SCHED } from '../../xml/names.js';
import { calendarHref } from '../paths.js';
import { defineProperty } from './registry.js';
import { el, hrefNode } from './values.js';
import { inboxHref, outboxHref } from '../scheduling-collections.js';
import { isIncludedInFreeBusy } from '../../scheduling/freebusy-settings.js';
import { DEFAULT_CALENDAR } from '../../bootstrap.js';

defineProperty({
  name: CALDAV.scheduleInboxURL, kinds: ['principal'], allprop: false, protected: true,
  get: (r) => (r.kind === 'principal' ? [hrefNode(inboxHref(r.user.username))] : undefined),
});

defineProperty({
  name: CALDAV.scheduleOutboxURL, kinds: ['principal'], allprop: false, protected: true,
  get: (r) => (r.kind === 'principal' ? [hrefNode(outboxHref(r.user.username))] : undefined),
});

// §9.2 defines it on the inbox (answered there by scheduling-collections.ts); clients also look
// for it on the principal (the brief of issue 15, and CalendarServer answers it there).
defineProperty({
  name: SCHED.scheduleDefaultCalendarURL, kinds: ['principal'], allprop: false, protected: true,
  get: async (r, ctx) => {
    if (r.kind !== 'principal') return undefined;
    const own = (await ctx.store.listInstances(r.user.id)).filter((i) => i.access === 'owner' && i.collection.components.includes('VEVENT'));
    const pick = own.find((i) => i.uri === DEFAULT_CALENDAR.uri) ?? own[0];
    return pick ? [hrefNode(calendarHref(r.user.username, pick.uri))] : undefined;
  },
});

// Opaque = the calendar's events count for the user's free/busy (outbox lookups); transparent =
// they do not. Set through the page, `sundial calendar` or the API ("include in free/busy").
defineProperty({
  name: CALDAV.scheduleCalendarTransp, kinds: ['calendar'], allprop: false, protected: true,
  get: async (r, ctx) => {
    if (r.kind !== 'calendar') return undefined;
    return [el((await isIncludedInFreeBusy(ctx.store, r.instance)) ? CALDAV.opaque : CALDAV.transparent)];
  },
});

// Cost 'row' (a column of the listing row): DAVx⁵ and Thunderbird ask it in every multiget, which
// must stay on the row path (issue 13 item 3).
defineProperty({
  name: SCHED.scheduleTag, kinds: ['object'], allprop: false, protected: true,
  get: async (r, ctx) => {
    if (r.kind !== 'object') return undefined;
    return (await ctx.store.getScheduleTag(r.parent.collection.id, r.name)) ?? undefined;
  },
  fromRow: (o) => o.scheduleTag ?? undefined,
});
