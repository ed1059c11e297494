// POST to the scheduling outbox (RFC 6638 §5): a VFREEBUSY REQUEST answered with a
// CALDAV:schedule-response holding, per recipient, the request status and the busy time of a
// Sundial user's calendars that count for free/busy ("include in free/busy", RFC 6638 §9.1
// schedule-calendar-transp): opaque events, recurrence expanded, cancelled and transparent events
// free, evaluated in slices under the report budget. Unknown addresses get 3.7.
import type { DavRequest, DavResponse, DavServices } from './handler-types.js';
import { CALDAV_NS, SCHED, CALDAV } from '../xml/names.js';
import { el, hrefNode, xmlDocument } from '../xml/serialize.js';
import { DavError, unsupportedMediaType } from './errors.js';
import { ItipError } from '../ical/itip.js';
import { CalendarDataError } from '../ical/errors.js';
import { QueryObject } from '../ical/query-object.js';
import { QueryError } from '../ical/query-errors.js';
import { busyPeriodsSliced, type BusyPeriod } from '../ical/freebusy.js';
import { freeBusyReply, freeBusyRequest, type FreeBusyRequest } from '../ical/freebusy-reply.js';
import type { User } from '../store/types.js';
import { freeBusyCalendars } from '../scheduling/freebusy-settings.js';

const BATCH = 100;
/** Longest range one lookup may ask (iOS asks a day or a week; Thunderbird a few weeks). */
const MAX_RANGE_MS = 366 * 86_400_000;

const sched = (condition: string, why: string) => new DavError(403, `{${CALDAV_NS}}${condition}`, why);

export async function outboxPost(req: DavRequest, svc: DavServices): Promise<DavResponse> {
  const type = req.header('content-type') ?? '';
  if (!/^text\/calendar\b/i.test(type)) throw unsupportedMediaType('POST to the outbox takes text/calendar (RFC 6638 §5)');
  const data = await req.body(Math.min(svc.config.maxResourceSize, 1024 * 1024), () => sched('max-resource-size', 'free/busy request too large'));
  let fb: FreeBusyRequest;
  try {
    fb = freeBusyRequest(data);
  } catch (err) {
    if (err instanceof ItipError) throw sched(err.condition, err.message);
    if (err instanceof CalendarDataError) throw new DavError(400, `{${CALDAV_NS}}valid-calendar-data`, err.message);
    throw err;
  }
  const own = new Set(await svc.scheduler.directory.addressesOf(req.user));
  if (!own.has(fb.organizer)) throw sched('organizer-allowed', 'The ORGANIZER must be one of your calendar user addresses');
  if (fb.attendees.length === 0) throw sched('recipient-specified', 'Name at least one ATTENDEE');
  if (fb.attendees.length > svc.scheduler.limits.maxAttendees) throw sched('max-recipients', `At most ${svc.scheduler.limits.maxAttendees} recipients per request`);
  if (fb.end - fb.start > MAX_RANGE_MS) throw sched('valid-scheduling-message', 'A free/busy lookup covers at most 366 days');
  const responses = [];
  for (const raw of fb.attendees) {
    const user = await svc.scheduler.directory.userByAddress(raw);
    let status: string;
    let calendarData: string | null = null;
    if (!user) status = '3.7;Invalid calendar user';
    else {
      try {
        calendarData = freeBusyReply(fb, raw, await busyOf(svc, user, fb));
        status = '2.0;Success';
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        status = '5.1;Could not complete the free/busy evaluation';
      }
    }
    responses.push(el(SCHED.response, [
      el(SCHED.recipient, [hrefNode(raw)]),
      el(SCHED.requestStatus, status),
      ...(calendarData ? [el(CALDAV.calendarData, calendarData)] : []),
    ]));
  }
  return { status: 200, headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body: xmlDocument(el(SCHED.scheduleResponse, responses)) };
}

/** The busy periods of `user` in the range, over the calendars they count for free/busy. */
async function busyOf(svc: DavServices, user: User, fb: FreeBusyRequest): Promise<BusyPeriod[]> {
  const range = { start: fb.start, end: fb.end };
  const periods: BusyPeriod[] = [];
  for (const collection of await freeBusyCalendars(svc.store, user)) {
    const opts = { ...svc.queries.optionsFor(collection, svc.config), skipBefore: range.start };
    const metas = [
      ...(await svc.store.queryObjects(collection.id, { componentType: 'VEVENT', start: range.start, end: range.end })),
      ...(await svc.store.queryObjects(collection.id, { componentType: 'VFREEBUSY', start: range.start, end: range.end })),
    ].filter((m) => fb.maskUid === null || m.uid !== fb.maskUid);
    for (let i = 0; i < metas.length; i += BATCH) {
      for (const obj of await svc.store.getObjects(collection.id, metas.slice(i, i + BATCH).map((m) => m.name))) {
        await opts.budget?.maybePause();
        let parsed: QueryObject;
        try {
          parsed = new QueryObject(obj.data, opts);
        } catch (err) {
          if (err instanceof QueryError) throw err;
          continue;
        }
        periods.push(...await busyPeriodsSliced(parsed, range));
      }
    }
  }
  return periods;
}
