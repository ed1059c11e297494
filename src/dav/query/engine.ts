// The query engine: what calendar-query, calendar-multiget, sync-collection and free-busy-query
// keep between requests, owned by one object created with the store at the composition root
// (app.ts) and handed to the handlers in DavServices. The caches used to live at module level,
// keyed by collection id: two stores in one process (the test runner starts several) answered
// each other's queries (issue 12 item 9). One engine serves one store; nothing is keyed by
// module identity.
//
// A stored object never changes under its etag (a PUT writes a new one), so what a query
// computes from one object is a function of (collection, name, etag) and of the request: the
// filter or calendar-data request, the zone floating times are read in, max-instances. Clients
// repeat the same queries (the month on screen, at every refresh), so candidate lists, filter
// verdicts and rendered calendar-data (expand, selections) are kept, bounded.
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';
import type { Collection, ObjectMeta, StoredObject } from '../../store/types.js';
import { boundedCache } from '../../bounded-cache.js';
import { CALDAV } from '../../xml/names.js';
import { isWholeObject, type CalendarDataRequest } from '../../ical/calendar-data.js';
import { zoneOfCalendarTimezone, type QueryOptions } from '../../ical/query-object.js';
import { UTC_ZONE, type Zone } from '../../ical/zones.js';
import { WorkBudget } from '../../ical/work-budget.js';
import { etagDerivedDefs, type PropContent } from '../properties/index.js';
import type { PropRequest } from '../propstats.js';
import { renderCalendarDataElement, storedDataElement, WHOLE_DATA_KEY } from './render.js';

/** The identity of one stored version of an object, under a query key. */
export function objectKey(o: { collectionId: number; name: string; etag: string; busyView?: true }, key: string): string {
  // A sharee's busy view of a confidential object keeps its etag (dav/sharee-view.ts): own keys.
  return `${key}\u0000${o.collectionId}\u0000${o.etag}\u0000${o.name}${o.busyView ? '\u0000busy' : ''}`;
}

type ObjectVersion = { collectionId: number; name: string; etag: string; busyView?: true };

export class QueryEngine {
  /** Zones of calendar-timezone / CALDAV:timezone texts, by text. */
  private readonly zones = new Map<string, Zone | null>();
  private readonly zoneKeys = new WeakMap<Zone, number>();
  private nextZoneKey = 1;
  private readonly requestKeys = new Map<string, number>();
  private nextRequestKey = 1;
  /**
   * Candidate lists of time-range queries by (collection, sync token, type, range), and their
   * matches under a filter by the same key plus the filter's; shared and never modified; bounded
   * by the number of entries they hold in total. Every write moves the sync token.
   */
  private readonly candidates = new LRUCache<string, ObjectMeta[]>({ maxSize: 20_000, sizeCalculation: (v) => v.length + 1 });
  /** Filter verdicts (calendar-query, §9.7) by objectKey. */
  private readonly verdicts = boundedCache<string, boolean>(50_000);
  /**
   * Rendered calendar-data elements (`<cal:calendar-data>…</cal:calendar-data>`, escaped, UTF-8),
   * and whole responses holding them (`responseCacheKey`), by objectKey; bounded by bytes. Kept
   * encoded so that a repeated query copies each one into the body instead of rendering, escaping
   * and encoding it again (xml/chunked-writer.ts).
   */
  private readonly renderings = new LRUCache<string, Buffer>({ maxSize: 16 * 1024 * 1024, sizeCalculation: (v, k) => v.length + k.length + QueryEngine.ENTRY_BYTES });

  /**
   * What a rendering's entry costs besides its bytes and its key: the LRU's node and the Buffer's
   * object. Not counted before, so small renderings under long keys (names of 255 characters)
   * held several times the 16 MB budget; the agenda cache was mended the same way.
   */
  static readonly ENTRY_BYTES = 128;

  /** Renderings and responses kept now. */
  get renderingEntries(): number {
    return this.renderings.size;
  }

  /** The zone of a calendar-timezone / CALDAV:timezone text, cached by text. */
  zoneOfText(text: string | null | undefined): Zone | null {
    if (!text) return null;
    let z = this.zones.get(text);
    if (z === undefined) {
      z = zoneOfCalendarTimezone(text);
      if (this.zones.size > 256) this.zones.clear();
      this.zones.set(text, z);
    }
    return z;
  }

  /**
   * How floating times and expansion limits apply to objects of `collection` (RFC 4791 §9.9), with
   * this request's processor-time account (one per call: call it once per request).
   */
  optionsFor(collection: Collection, config: Config, override?: Zone | null): QueryOptions {
    return {
      floatingZone: override ?? this.zoneOfText(collection.timezone) ?? UTC_ZONE, maxInstances: config.maxInstances,
      budget: new WorkBudget(config.maxEvaluationMs), textTests: new Map(),
      limits: { maxComponents: config.maxObjectComponents, maxProperties: config.maxObjectProperties, maxRules: config.maxRecurrenceRules, maxRecurrenceDates: config.maxRecurrenceDates },
    };
  }

  private zoneKey(z: Zone): number {
    let k = this.zoneKeys.get(z);
    if (k === undefined) this.zoneKeys.set(z, (k = this.nextZoneKey++));
    return k;
  }

  /**
   * A short key for a request's query-dependent inputs: `what` (the filter or the calendar-data
   * request, as JSON) and the options. Equal inputs get equal keys.
   */
  queryKey(what: unknown, opts: QueryOptions): string {
    const text = `${JSON.stringify(what)}\u0000${this.zoneKey(opts.floatingZone)}\u0000${opts.maxInstances}`;
    let k = this.requestKeys.get(text);
    if (k === undefined) {
      if (this.requestKeys.size >= 4096) this.requestKeys.clear(); // old keys then simply miss
      this.requestKeys.set(text, (k = this.nextRequestKey++));
    }
    return String(k);
  }

  cachedCandidates(key: string): ObjectMeta[] | undefined {
    return this.candidates.get(key);
  }

  cacheCandidates(key: string, metas: ObjectMeta[]): void {
    this.candidates.set(key, metas);
  }

  /** The cached verdict of a filter (by its queryKey) on one object version. */
  cachedVerdict(obj: ObjectVersion, filterKey: string): boolean | undefined {
    return this.verdicts.get(objectKey(obj, filterKey));
  }

  cacheVerdict(obj: ObjectVersion, filterKey: string, verdict: boolean): void {
    this.verdicts.set(objectKey(obj, filterKey), verdict);
  }

  /** A cached rendering of `obj` under the calendar-data request whose queryKey is `key`, if there is one. */
  cachedCalendarData(obj: ObjectVersion, key: string): PropContent | undefined {
    return this.renderings.get(objectKey(obj, key));
  }

  /** A cached whole response (`responseBytes`) of this object version under a responseCacheKey. */
  cachedResponse(obj: ObjectVersion, key: string): Buffer | undefined {
    return this.renderings.get(objectKey(obj, key));
  }

  cacheResponse(obj: ObjectVersion, key: string, bytes: Buffer): void {
    this.renderings.set(objectKey(obj, key), bytes);
  }

  /**
   * calendar-data of `obj` under `dataReq` as XML content, from the cache or rendered in slices
   * (and then cached); max-instances becomes 403, an unreadable object is returned as stored.
   */
  async renderedData(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions, reqKey = this.queryKey(dataReq, opts)): Promise<PropContent> {
    const key = objectKey(obj, reqKey);
    let v = this.renderings.get(key);
    if (!v) {
      v = await renderCalendarDataElement(obj, dataReq, opts);
      this.renderings.set(key, v);
    }
    return v;
  }

  /** calendar-data of `obj` as stored, as the encoded element, from the cache or encoded now (and then cached). */
  storedData(obj: StoredObject): Buffer {
    const key = objectKey(obj, WHOLE_DATA_KEY);
    let v = this.renderings.get(key);
    if (!v) {
      v = storedDataElement(obj);
      this.renderings.set(key, v);
    }
    return v;
  }

  /**
   * calendar-data as an extra property of a response (RFC 4791 §9.6): the stored bytes, or the
   * object transformed by `dataReq` (selection, expand, limits).
   */
  async calendarDataExtra(obj: StoredObject, dataReq: CalendarDataRequest | null, opts: QueryOptions): Promise<Map<string, PropContent>> {
    if (isWholeObject(dataReq)) return new Map([[CALDAV.calendarData, obj.data.toString('utf8')]]);
    return new Map([[CALDAV.calendarData, await this.renderedData(obj, dataReq!, opts)]]);
  }
}

/**
 * For a report whose responses hold transformed calendar-data (expand, selections), the key
 * under which whole responses of `parentHref`'s members may be cached next to the renderings:
 * when every other property asked derives from the etag alone (getetag), so a response is a
 * function of (object version, request, href). Null when something else is asked (a dead or
 * an access-dependent property can change without the etag).
 */
export function responseCacheKey(propReq: PropRequest, renderKey: string, parentHref: string): string | null {
  if (propReq.type !== 'prop' || !etagDerivedDefs(propReq.names, CALDAV.calendarData)) return null;
  return `${renderKey}\u0001${propReq.names.join(' ')}\u0001${parentHref}`;
}
