// The web agenda's events: reading the instances of a user's calendars in a range, and creating,
// editing, moving and deleting simple events. Reads expand recurrences with the code that answers
// calendar-data expand (ical/agenda.ts over ical/query-object.ts), so the page shows exactly the
// instances a CalDAV client is told about. Writes validate the object like a DAV PUT
// (dav/calendar-objects.ts) and go through the same Store.putObject / deleteObject, so the
// collection's sync token and ctag move and devices fetch the change on their next sync.
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CalendarInstance, Classification, ObjectInput, Store, User } from '../store/types.js';
import { NotFound, PreconditionFailed, UidConflict } from '../store/errors.js';
import { agendaInstances, type AgendaInstance } from '../ical/agenda.js';
import { buildSimpleEvent, editSimpleEvent, type SimpleEventFields } from '../ical/simple-event.js';
import { CalendarDataError } from '../ical/errors.js';
import { QueryError } from '../ical/query-errors.js';
import { validateCalendarObject } from '../ical/validate.js';
import { zoneOfCalendarTimezone } from '../ical/query-object.js';
import { UTC_ZONE, type Zone } from '../ical/zones.js';
import { forbiddenAction, invalid, missing, taken } from './errors.js';
import { withProps } from '../with-props.js';
import { hiddenFromSharee, visibleMetas, visibleText } from './visibility.js';

const DAY = 86_400_000;
/** Longest range one agenda request may ask for: a month grid shows six weeks, a list a quarter. */
export const MAX_AGENDA_DAYS = 100;
/** Objects whose bodies are read from the store at once. */
const BATCH = 200;
/** Parsing time after which a request lets other requests run (ARCHITECTURE: no long holds). */
const SLICE_MS = 15;

export interface AgendaEvent extends AgendaInstance {
  /** Unique in the answer: calendar, object name and instance. */
  id: string;
  calendar: string;
  /** Object name in the calendar, for edits. */
  name: string;
  etag: string;
  /** The page may move, edit and delete it: a writable calendar and not part of a series. */
  editable: boolean;
  /** The page may delete it (a whole series too). */
  deletable: boolean;
}

export interface AgendaAnswer {
  events: AgendaEvent[];
  /** Objects that could not be read (bad data, too many instances): left out, counted here. */
  skipped: number;
}

/** One object's instances in one range, as stored by AgendaCache. */
interface ObjectInstances {
  name: string;
  etag: string;
  instances: AgendaInstance[];
  /** A confidential event as a sharee sees it: busy time only, and read-only (services/visibility.ts). */
  busy?: true;
}

/**
 * The instances of one calendar for one range, kept while the calendar does not change: the key
 * holds the collection's sync sequence, which every change of its objects or properties (its
 * calendar-timezone included) moves, so an entry is never stale, only unused. Bounded by an
 * estimate of the memory held (texts as UTF-16 plus ~200 bytes per instance): 32 MB. Created with
 * the agenda's router, one per server.
 */
export class AgendaCache {
  static readonly MAX_BYTES = 32 * 1024 * 1024;
  /**
   * What an entry costs besides its instances: its key, the LRU's node, the value's object and
   * array (~350 bytes measured for an empty calendar). Counted as 1 byte before: one entry per
   * calendar and distinct range, so a user with 300 empty calendars grew the heap by 32 MB every
   * 300 agenda requests (each range moved by a second), towards 32 million entries (~11 GB).
   */
  static readonly ENTRY_BYTES = 400;
  private readonly lru = new LRUCache<string, { objects: ObjectInstances[]; skipped: number }>({
    maxSize: AgendaCache.MAX_BYTES,
    sizeCalculation: (v, k) => AgendaCache.ENTRY_BYTES + 2 * k.length + AgendaCache.bytes(v.objects),
  });

  /** Entries kept now. */
  get entries(): number {
    return this.lru.size;
  }

  static bytes(objects: ObjectInstances[]): number {
    let n = 0;
    for (const o of objects) {
      n += 100 + 2 * (o.name.length + o.etag.length);
      for (const i of o.instances) n += 200 + 2 * (i.uid.length + i.summary.length + i.location.length + i.description.length);
    }
    return n;
  }

  key(i: CalendarInstance, start: number, end: number, maxInstances: number): string {
    // The owner and the sharees see different objects of one calendar (private ones hidden,
    // confidential ones as busy time): one entry per view, never shared between them.
    return `${i.collection.id}:${i.collection.syncSeq}:${isSharee(i) ? 'sharee' : 'owner'}:${start}:${end}:${maxInstances}`;
  }

  get(key: string) {
    return this.lru.get(key);
  }

  set(key: string, value: { objects: ObjectInstances[]; skipped: number }): void {
    if (AgendaCache.bytes(value.objects) <= AgendaCache.MAX_BYTES / 4) this.lru.set(key, value);
  }
}

export interface AgendaOptions {
  maxInstances: number;
  cache?: AgendaCache;
  /** Only these calendars (uris in the user's home); all when absent. */
  calendars?: string[];
}

const writable = (i: CalendarInstance) => i.access !== 'read' && i.collection.components.includes('VEVENT');

/**
 * An RFC 3339 date-time (with its zone) or a full date. Date.parse alone read any text V8 can:
 * "1" was 2001, "2026-02-30" the 2nd of March, "Tue, 1 Jan 2026" or a time without a zone the
 * server's local time — stored as an event nobody asked for. No nested quantifiers: linear.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2})))?$/;

function isIsoInstant(v: string): boolean {
  const m = ISO_INSTANT.exec(v);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (m[4] === undefined) return true;
  return Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6] ?? 0) <= 59 && Number(m[7] ?? 0) <= 23 && Number(m[8] ?? 0) <= 59;
}

function parseInstant(v: unknown, what: string): number {
  if (typeof v !== 'string' || v.length > 40 || !isIsoInstant(v)) throw invalid(`${what} is an ISO date or date-time`);
  const ms = Date.parse(v);
  if (!Number.isFinite(ms) || ms < Date.UTC(1900, 0, 1) || ms > Date.UTC(2200, 0, 1)) throw invalid(`${what} is an ISO date or date-time between 1900 and 2200`);
  return ms;
}

/** An all-day value: a YYYY-MM-DD date, as UTC midnight. */
function parseDay(v: unknown, what: string): number {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw invalid(`${what} of an all-day event is a date (YYYY-MM-DD)`);
  return parseInstant(`${v}T00:00:00Z`, what);
}

function text(v: unknown, what: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return '';
  if (typeof v !== 'string' || v.length > max) throw invalid(`${what} is text of at most ${max} characters`);
  // Control characters other than tab and line breaks have no place in iCalendar TEXT (RFC 5545 §3.3.11).
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/** The page's JSON event fields checked and turned into SimpleEventFields. */
function fieldsOf(body: Record<string, unknown>, isNew: boolean): SimpleEventFields {
  const f: SimpleEventFields = {};
  const summary = text(body.summary, 'the title', 1000);
  if (summary !== undefined) f.summary = summary.replace(/[\r\n]+/g, ' ').trim();
  if (isNew && !f.summary) throw invalid('an event needs a title');
  const location = text(body.location, 'the place', 1000);
  if (location !== undefined) f.location = location;
  const description = text(body.description, 'the note', 10_000);
  if (description !== undefined) f.description = description;
  if (body.allDay !== undefined && typeof body.allDay !== 'boolean') throw invalid('allDay is true or false');
  if (body.allDay !== undefined) f.allDay = body.allDay as boolean;
  if (isNew || body.start !== undefined || body.end !== undefined) {
    if (body.start === undefined || body.end === undefined) throw invalid('give both start and end');
    const allDay = body.allDay === true;
    f.start = allDay ? parseDay(body.start, 'start') : parseInstant(body.start, 'start');
    f.end = allDay ? parseDay(body.end, 'end') : parseInstant(body.end, 'end');
    if (f.end < f.start || (allDay && f.end === f.start)) throw invalid('the end is before the start');
    if (f.end - f.start > 366 * DAY) throw invalid('an event on this page lasts at most a year');
  }
  return f;
}

async function instanceOf(store: Store, user: User, uri: string): Promise<CalendarInstance> {
  const i = await store.getInstance(user.id, uri);
  if (!i) throw missing(`no calendar "${uri}"`);
  return i;
}

async function writableInstance(store: Store, user: User, uri: string): Promise<CalendarInstance> {
  const i = await instanceOf(store, user, uri);
  if (i.access === 'read') throw forbiddenAction('this calendar is shared with you read-only');
  if (!i.collection.components.includes('VEVENT')) throw forbiddenAction('this calendar holds no events');
  return i;
}

/** A calendar the user reaches through a share (any access but the owner's). */
function isSharee(i: CalendarInstance): boolean {
  return i.access !== 'owner';
}

/**
 * What DAV refuses a sharee (dav/sharee-view.ts), refused here too: a private event is no event
 * to them (404), a confidential one is busy time they may not change (403). The owner may do all.
 */
function refuseHiddenWrite(i: CalendarInstance, classification: Classification | null): void {
  if (!isSharee(i)) return;
  if (hiddenFromSharee(classification)) throw missing('no such event');
  if (classification === 'confidential') throw forbiddenAction('a confidential event shows only busy time to you; only its owner can change it');
}

/** Validated exactly as a DAV PUT validates (dav/calendar-objects.ts calendarObjectInput). */
function objectInput(i: CalendarInstance, name: string, body: string): ObjectInput {
  const data = Buffer.from(body, 'utf8');
  const info = validateCalendarObject(data, { allowedComponents: i.collection.components, exactInstance: true });
  return { name, data, contentType: 'text/calendar; charset=utf-8; component=vevent', uid: info.uid, componentType: info.componentType, firstStart: info.firstStart, lastEnd: info.lastEnd, instanceStart: info.instanceStart ?? null, instanceEnd: info.instanceEnd ?? null };
}

function storeErrors(err: unknown): never {
  if (err instanceof PreconditionFailed) throw taken('the event was changed elsewhere in the meantime; reload and try again');
  if (err instanceof NotFound) throw missing('the event no longer exists');
  if (err instanceof UidConflict) throw taken(err.message);
  if (err instanceof CalendarDataError) throw invalid(err.message);
  throw err;
}

function floatingZone(i: CalendarInstance): Zone {
  // RFC 4791 §9.9 / calendar-query: floating times and dates are read in the calendar's timezone, else UTC.
  return i.collection.timezone ? (zoneOfCalendarTimezone(i.collection.timezone) ?? UTC_ZONE) : UTC_ZONE;
}

/** Instances of every event of the user's calendars (own and shared, synchronized or not) in [start, end). */
export async function agenda(store: Store, user: User, startArg: unknown, endArg: unknown, opts: AgendaOptions): Promise<AgendaAnswer> {
  const start = parseInstant(startArg, 'start');
  const end = parseInstant(endArg, 'end');
  if (end <= start) throw invalid('the end is before the start');
  if (end - start > MAX_AGENDA_DAYS * DAY) throw invalid(`an agenda request covers at most ${MAX_AGENDA_DAYS} days`);
  const wanted = opts.calendars ? new Set(opts.calendars) : null;
  const instances = (await store.listInstances(user.id)).filter((i) => i.collection.kind === 'calendar' && i.collection.components.includes('VEVENT') && (!wanted || wanted.has(i.uri)));
  const events: AgendaEvent[] = [];
  // The whole answer holds at most maxInstances instances, as one object may: 50 events of 9,999
  // instances each (every one within the per-object limit) made a 192 MB answer, 900 MB of heap
  // and 6 s of JSON.stringify holding the event loop; a few more and the process ran out of
  // memory. Objects that do not fit are left out and counted in `skipped`, like unreadable ones.
  const cap = opts.maxInstances;
  let skipped = 0;
  let sliceStart = performance.now();
  for (const inst of instances) {
    const canWrite = writable(inst);
    const key = opts.cache?.key(inst, start, end, opts.maxInstances);
    let found = key ? opts.cache!.get(key) : undefined;
    if (!found) {
      const fresh: { objects: ObjectInstances[]; skipped: number } = { objects: [], skipped: 0 };
      // What is left of the answer's room: past it nothing more is evaluated, and what this
      // calendar found is not kept (another request may have room for all of it).
      let room = cap - events.length;
      let complete = true;
      const qopts = { floatingZone: floatingZone(inst), maxInstances: opts.maxInstances };
      // A sharee sees what DAV shows them (services/visibility.ts): private events not at all,
      // confidential ones as busy time.
      const sharee = isSharee(inst);
      const candidates = visibleMetas(sharee, await store.queryObjects(inst.collection.id, { componentType: 'VEVENT', start, end }));
      for (let k = 0; k < candidates.length; k += BATCH) {
        if (room <= 0) {
          fresh.skipped += candidates.length - k;
          complete = false;
          break;
        }
        const texts = await store.getObjectTexts(inst.collection.id, candidates.slice(k, k + BATCH).map((c) => c.name));
        for (const row of texts) {
          const o = visibleText(sharee, row);
          if (o === null) continue; // made private since the candidates were read
          if (room <= 0) {
            fresh.skipped++;
            complete = false;
            continue;
          }
          try {
            const list = agendaInstances(o.text, qopts, { start, end });
            if (list.length > room) {
              fresh.skipped++;
              complete = false;
            } else if (list.length > 0) {
              fresh.objects.push(o.busyView ? { name: o.name, etag: o.etag, instances: list, busy: true } : { name: o.name, etag: o.etag, instances: list });
              room -= list.length;
            }
          } catch (err) {
            if (!(err instanceof CalendarDataError || err instanceof QueryError)) throw err;
            fresh.skipped++;
          }
          if (performance.now() - sliceStart > SLICE_MS) {
            await new Promise((r) => setImmediate(r));
            sliceStart = performance.now();
          }
        }
      }
      // A change made while this ran moved the sequence: the entry is keyed by the one read before.
      if (key && complete) opts.cache!.set(key, fresh);
      found = fresh;
    }
    skipped += found.skipped;
    for (const o of found.objects) {
      if (events.length + o.instances.length > cap) {
        skipped++;
        continue;
      }
      for (const a of o.instances) {
        events.push(withProps(a, { id: `${inst.uri}/${o.name}#${a.recurrenceId ?? ''}`, calendar: inst.uri, name: o.name, etag: o.etag, editable: canWrite && !a.recurring && !o.busy, deletable: canWrite && !o.busy }));
      }
    }
  }
  return { events, skipped };
}

/** A new simple event in a calendar the user may write; answers its name and etag. */
export async function createEvent(store: Store, user: User, uri: string, body: Record<string, unknown>): Promise<{ name: string; etag: string }> {
  const i = await writableInstance(store, user, uri);
  const f = fieldsOf(body, true) as SimpleEventFields & { start: number; end: number };
  const uid = randomUUID();
  const name = `${uid}.ics`;
  try {
    const input = objectInput(i, name, buildSimpleEvent(uid, f));
    const r = await store.putObject(i.collection.id, input, { ifNoneMatch: ['*'] });
    return { name, etag: r.meta.etag };
  } catch (err) {
    storeErrors(err);
  }
}

function checkName(name: string): void {
  if (name === '' || name.length > 255 || name.includes('/')) throw missing('no such event');
}

/** Changes a simple (non-recurring) event; `etag`, when given, must still be the stored one. */
export async function updateEvent(store: Store, user: User, uri: string, name: string, body: Record<string, unknown>): Promise<{ name: string; etag: string }> {
  checkName(name);
  const i = await writableInstance(store, user, uri);
  if (body.etag !== undefined && typeof body.etag !== 'string') throw invalid('etag is the string the agenda gave');
  const f = fieldsOf(body, false);
  const current = await store.getObject(i.collection.id, name);
  if (!current) throw missing('the event no longer exists');
  refuseHiddenWrite(i, current.classification);
  if (typeof body.etag === 'string' && body.etag !== current.etag) storeErrors(new PreconditionFailed('etag'));
  try {
    const input = objectInput(i, name, editSimpleEvent(current.data, f));
    // If-Match inside the write transaction: of two racing edits exactly one wins (as with PUT).
    const r = await store.putObject(i.collection.id, input, { ifMatch: [current.etag] });
    return { name, etag: r.meta.etag };
  } catch (err) {
    storeErrors(err);
  }
}

/** Deletes an event (a whole series when it recurs) from a calendar the user may write. */
export async function deleteEvent(store: Store, user: User, uri: string, name: string, etag: unknown): Promise<void> {
  checkName(name);
  const i = await writableInstance(store, user, uri);
  if (etag !== undefined && typeof etag !== 'string') throw invalid('etag is the string the agenda gave');
  let ifMatch = typeof etag === 'string' ? [etag] : undefined;
  if (isSharee(i)) {
    // The classification read here must still hold at the delete: without the client's etag,
    // the one read is the condition (an owner's change to private in between is then a 409).
    const meta = await store.getObjectMeta(i.collection.id, name);
    if (!meta) throw missing('the event no longer exists');
    refuseHiddenWrite(i, meta.classification);
    ifMatch ??= [meta.etag];
  }
  try {
    await store.deleteObject(i.collection.id, name, ifMatch ? { ifMatch } : undefined);
  } catch (err) {
    storeErrors(err);
  }
}
