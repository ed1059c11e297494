// GET and HEAD (RFC 4918 §9.4, RFC 9110 §9.3.1): an object exactly as it was PUT (so the ETag from
// PUT stays valid, SPEC; a card too, whatever vCard version an Accept asks), a whole calendar as
// one iCalendar file, or a whole address book as one vCard file (the cards one after another,
// RFC 6350 §3.1 allows several in a file). Conditional GET honours
// If-None-Match / If-Modified-Since (304) and If-Match (412).
import type { DavResponse, MethodHandler } from '../handler-types.js';
import { checkRead } from '../conditional.js';
import { notFound } from '../errors.js';
import { collectionPageText, httpDate } from '../properties/values.js';
import { mergeCalendar } from '../../ical/merge.js';
import { objectPages, type ObjectMeta } from '../../store/types.js';
import { slicer } from '../../time-slice.js';
import { busyObject, isSharee, visibleMetas } from '../sharee-view.js';

export const get: MethodHandler = async (req, svc, resource): Promise<DavResponse> => {
  const head = req.method === 'HEAD';
  if (resource.kind === 'object') {
    // GET resolves the object with its body (handler.ts), so the row is read once; HEAD only
    // needs the metadata.
    const resolved: ObjectMeta & { data?: Buffer } = resource.meta;
    const obj = head || resolved.data ? resolved : await svc.store.getObject(resource.parent.collection.id, resource.name);
    if (!obj) throw notFound();
    const headers: Record<string, string> = {
      'Content-Type': obj.contentType,
      ETag: obj.etag,
      'Last-Modified': httpDate(obj.modifiedAt),
      'Content-Length': String(obj.size),
    };
    if (checkRead(req, obj.etag, obj.modifiedAt) === 'not-modified') return { status: 304, headers: { ETag: obj.etag }, body: null };
    return { status: 200, headers, body: head ? null : obj.data! };
  }
  if (resource.kind === 'calendar') {
    // The whole calendar as one VCALENDAR (what "export" and subscription-style clients expect).
    // The collection's token doubles as the ETag: it changes with every write in the calendar.
    const etag = `"cal-${resource.collection.syncSeq}"`;
    const headers = { 'Content-Type': 'text/calendar; charset=utf-8', ETag: etag, 'Last-Modified': httpDate(resource.collection.modifiedAt) };
    if (checkRead(req, etag, resource.collection.modifiedAt) === 'not-modified') return { status: 304, headers: { ETag: etag }, body: null };
    if (head) return { status: 200, headers, body: null };
    const collection = resource.collection;
    const store = svc.store;
    const sharee = isSharee(resource);
    // Read a page of names at a time and the bodies in batches, pausing for other requests
    // between slices of work (a 20,000-entry calendar held the event loop for seconds).
    async function* bodies() {
      const pause = slicer();
      for await (const page of objectPages(store, collection.id, 100)) {
        const names = visibleMetas(sharee, page).map((m) => m.name);
        for (const obj of await store.getObjects(collection.id, names)) {
          yield (sharee ? busyObject(obj) : obj).data.toString('utf8');
          const p = pause();
          if (p) await p;
        }
      }
    }
    return { status: 200, headers, body: mergeCalendar(bodies(), { name: collection.displayName ?? collection.uri }) };
  }
  if (resource.kind === 'addressbook') {
    const etag = `"book-${resource.collection.syncSeq}"`;
    const headers = { 'Content-Type': 'text/vcard; charset=utf-8', ETag: etag, 'Last-Modified': httpDate(resource.collection.modifiedAt) };
    if (checkRead(req, etag, resource.collection.modifiedAt) === 'not-modified') return { status: 304, headers: { ETag: etag }, body: null };
    if (head) return { status: 200, headers, body: null };
    const collection = resource.collection;
    const store = svc.store;
    // Page by page and in slices, as for a calendar: a 9000-card book must not hold the event loop.
    async function* cards() {
      const pause = slicer();
      for await (const page of objectPages(store, collection.id, 100)) {
        for (const obj of await store.getObjects(collection.id, page.map((m) => m.name))) {
          const text = obj.data.toString('utf8');
          yield text.endsWith('\n') ? text : `${text}\r\n`;
          const p = pause();
          if (p) await p;
        }
      }
    }
    return { status: 200, headers, body: cards() };
  }
  // Collections that are not calendars: a short text, whose length getcontentlength reports.
  const text = collectionPageText(resource.href);
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) }, body: head ? null : text };
};
