// The render step of calendar-query (RFC 4791 §7.8): the responses of the matches, with
// calendar-data (§9.6) as stored or transformed (selection, expand, limits). Renderings happen
// before the 207 is committed, not while streaming, so that max-instances is still a proper 403:
// from the engine's caches, from the bodies the match step already read, else fetched in batches.
// Then the multistatus is streamed in pages of BATCH responses; a page whose properties are all
// at hand (getetag and kept calendar-data, what clients ask) is built without a promise per
// response.
import { CALDAV } from '../../xml/names.js';
import { responseBytes, type ResponseEntry } from '../../xml/serialize.js';
import type { ObjectMeta, Store, StoredObject } from '../../store/types.js';
import type { CalendarDataRequest } from '../../ical/calendar-data.js';
import type { QueryOptions } from '../../ical/query-object.js';
import type { PropContext, PropContent } from '../properties/index.js';
import { objectResource } from '../members.js';
import { propstatsFor, type PropRequest } from '../propstats.js';
import type { CalendarResource } from '../resources.js';
import { isSharee, visibleObjects } from '../sharee-view.js';
import { wantsCalendarData } from '../requests/prop-request.js';
import { responseCacheKey, type QueryEngine } from './engine.js';
import { renderCalendarDataElement, storedDataElement, WHOLE_DATA_KEY } from './render.js';

const BATCH = 100;
/** Bodies of matches kept from the match step instead of being fetched again. */
const KEEP_BYTES = 16 * 1024 * 1024;

export interface ResponseRequest {
  calendar: CalendarResource;
  propReq: PropRequest;
  /** The calendar-data transformation, null for the stored bytes. */
  dataReq: CalendarDataRequest | null;
  opts: QueryOptions;
  ctx: PropContext;
  minimal: boolean;
}

export class QueryResponses {
  private readonly withData: boolean;
  private readonly sharee: boolean;
  private readonly renderKey: string;
  /**
   * With transformed calendar-data, whole responses are cached per object version (then the
   * rendering alone is not): a repeated query copies bytes instead of assembling responses.
   */
  private readonly responseKey: string | null;
  private readonly kept = new Map<string, PropContent>();
  private readonly encoded = new Map<string, Buffer>();
  private keptBytes = 0;

  constructor(private readonly engine: QueryEngine, private readonly store: Store, private readonly r: ResponseRequest) {
    this.withData = wantsCalendarData(r.propReq);
    this.sharee = isSharee(r.calendar);
    // The stored calendar-data (no transformation) is cached like a transformed one, under a key
    // of its own: escaping and encoding 760 stored objects and fetching their bodies on every
    // repeated query made the plain one-month query with calendar-data slower than the expanded
    // one (tsdav 74 ms, python-caldav 58 ms of server CPU per request against 24 ms).
    this.renderKey = r.dataReq ? engine.queryKey(r.dataReq, r.opts) : WHOLE_DATA_KEY;
    this.responseKey = this.withData ? responseCacheKey(r.propReq, this.renderKey, r.calendar.href) : null;
  }

  /** Keeps the calendar-data of a match whose body is at hand (the match step read it). */
  readonly keep = async (obj: StoredObject): Promise<void> => {
    const { dataReq, opts } = this.r;
    if (!this.withData || this.keptBytes > KEEP_BYTES) return;
    let value: PropContent;
    if (this.responseKey) {
      // Encoded at once, so the rendering is garbage as soon as it is copied into the response.
      value = dataReq ? await renderCalendarDataElement(obj, dataReq, opts) : storedDataElement(obj);
      const bytes = this.encode(obj, value);
      if (bytes) {
        this.engine.cacheResponse(obj, this.responseKey, bytes);
        this.encoded.set(obj.name, bytes);
        this.keptBytes += bytes.length;
        return;
      }
    } else {
      value = dataReq ? await this.engine.renderedData(obj, dataReq, opts, this.renderKey) : this.engine.storedData(obj);
    }
    this.keptBytes += typeof value === 'string' || Buffer.isBuffer(value) ? value.length : 0;
    this.kept.set(obj.name, value);
  };

  /** The whole response of `obj` with this calendar-data, or null if a property needs the store. */
  private encode(obj: ObjectMeta, value: PropContent): Buffer | null {
    const res = objectResource(this.r.calendar, obj);
    const propstats = propstatsFor(res, this.r.propReq, this.r.ctx, { minimal: this.r.minimal, extra: new Map([[CALDAV.calendarData, value]]) });
    return propstats instanceof Promise ? null : responseBytes({ href: res.href, propstats });
  }

  /**
   * Renders the calendar-data of every match now (a transformed one: max-instances is then still
   * a 403), from the engine's caches where it can.
   */
  async render(matches: readonly ObjectMeta[]): Promise<void> {
    if (!this.withData) return;
    const missing: string[] = [];
    for (const m of matches) {
      if (this.kept.has(m.name) || this.encoded.has(m.name)) continue;
      const response = this.responseKey ? this.engine.cachedResponse(m, this.responseKey) : undefined;
      if (response !== undefined) {
        this.encoded.set(m.name, response);
        continue;
      }
      const cached = this.engine.cachedCalendarData(m, this.renderKey);
      if (cached !== undefined) this.kept.set(m.name, cached);
      else missing.push(m.name);
    }
    for (let i = 0; i < missing.length && this.keptBytes <= KEEP_BYTES; i += BATCH) {
      for (const obj of visibleObjects(this.sharee, await this.store.getObjects(this.r.calendar.collection.id, missing.slice(i, i + BATCH)))) await this.keep(obj);
    }
  }

  /** The responses of `matches`, in pages of BATCH. */
  async *pages(matches: readonly ObjectMeta[]): AsyncGenerator<ResponseEntry[]> {
    const { calendar, propReq, ctx, minimal, dataReq, opts } = this.r;
    for (let i = 0; i < matches.length; i += BATCH) {
      const batch = matches.slice(i, i + BATCH);
      const missing = this.withData ? batch.filter((m) => !this.kept.has(m.name) && !this.encoded.has(m.name)).map((m) => m.name) : [];
      const fetched = missing.length ? new Map(visibleObjects(this.sharee, await this.store.getObjects(calendar.collection.id, missing)).map((o) => [o.name, o])) : null;
      const page: ResponseEntry[] = [];
      for (const meta of batch) {
        const res = objectResource(calendar, meta);
        const done = this.encoded.get(meta.name);
        if (done !== undefined) {
          page.push({ href: res.href, encoded: done });
          continue;
        }
        let extra;
        const value = this.withData ? this.kept.get(meta.name) : undefined;
        if (value !== undefined) extra = new Map([[CALDAV.calendarData, value]]);
        else if (this.withData) {
          const obj = fetched?.get(meta.name);
          if (obj) extra = new Map([[CALDAV.calendarData, dataReq ? await renderCalendarDataElement(obj, dataReq, opts) : obj.data.toString('utf8')]]);
        }
        const propstats = propstatsFor(res, propReq, ctx, { minimal, ...(extra ? { extra } : {}) });
        page.push({ href: res.href, propstats: propstats instanceof Promise ? await propstats : propstats });
      }
      yield page;
    }
  }
}
