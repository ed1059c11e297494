// GET and HEAD (RFC 4918 §9.4, RFC 9110 §9.3.1): an object exactly as it was PUT (so the ETag from
// PUT stays valid, SPEC); a card in the vCard version an Accept asks when vcard/convert.ts can
// convert it without loss, else as stored (RFC 6352 §6.3.2.1 leaves it to the server; the ETag
// names the stored version either way, as a sharee's busy view keeps it); a whole calendar as
// one iCalendar file, or a whole address book as one vCard file (the cards one after another,
// RFC 6350 §3.1 allows several in a file). Conditional GET honours
// If-None-Match / If-Modified-Since (304) and If-Match (412).
import type { DavResponse, MethodHandler } from '../handler-types.js';
import { checkRead } from '../conditional.js';
import { notFound } from '../errors.js';
import { collectionPageText, httpDate } from '../properties/values.js';
import { mergeCalendar } from '../../ical/merge.js';
import { objectPages, type ObjectMeta, type Store } from '../../store/types.js';
import { slicer } from '../../time-slice.js';
import { convertVCard } from '../../vcard/convert.js';
import { acceptedVCardVersion } from '../address-objects.js';
import { busyObject, isSharee, visibleMetas } from '../sharee-view.js';

export const get: MethodHandler = async (req, svc, resource): Promise<DavResponse> => {
  const head = req.method === 'HEAD';
  if (resource.kind === 'object') {
    // GET resolves the object with its body (handler.ts), so the row is read once; HEAD only
    // needs the metadata.
    const resolved: ObjectMeta & { data?: Buffer } = resource.meta;
    // A card asked in another vCard version is converted from its body, for HEAD too (its length).
    const version = resource.parent.kind === 'addressbook' ? acceptedVCardVersion(req.header('accept')) : null;
    const obj = (head && version === null) || resolved.data ? resolved : await svc.store.getObject(resource.parent.collection.id, resource.name);
    if (!obj) throw notFound();
    let data = obj.data;
    let contentType = obj.contentType;
    if (version !== null && data) {
      const converted = convertVCard(data.toString('utf8'), version);
      if (converted !== null) {
        data = Buffer.from(converted, 'utf8');
        contentType = `text/vcard; charset=utf-8; version=${version}`;
      }
    }
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      ETag: obj.etag,
      'Last-Modified': httpDate(obj.modifiedAt),
      'Content-Length': String(data ? data.length : obj.size),
      ...(resource.parent.kind === 'addressbook' ? { Vary: 'Accept' } : {}),
    };
    if (checkRead(req, obj.etag, obj.modifiedAt) === 'not-modified') return { status: 304, headers: { ETag: obj.etag }, body: null };
    // RFC 6638 §3.2.10: a scheduling object resource answers its Schedule-Tag with GET.
    const scheduleTag = resource.parent.kind === 'calendar' ? await svc.store.getScheduleTag(resource.parent.collection.id, resource.name) : null;
    if (scheduleTag) headers['Schedule-Tag'] = scheduleTag;
    return { status: 200, headers, body: head ? null : data! };
  }
  if (resource.kind === 'calendar') {
    // The whole calendar as one VCALENDAR (what "export" and subscription-style clients expect).
    // The collection's token doubles as the ETag: it changes with every write in the calendar.
    const etag = `"cal-${resource.collection.syncSeq}"`;
    const headers = { 'Content-Type': 'text/calendar; charset=utf-8', ETag: etag, 'Last-Modified': httpDate(resource.collection.modifiedAt) };
    if (checkRead(req, etag, resource.collection.modifiedAt) === 'not-modified') return { status: 304, headers: { ETag: etag }, body: null };
    if (head) return { status: 200, headers, body: null };
    const collection = resource.collection;
    return { status: 200, headers, body: mergeCalendar(calendarBodies(svc.store, collection.id, isSharee(resource)), { name: collection.displayName ?? collection.uri }) };
  }
  if (resource.kind === 'addressbook') {
    const etag = `"book-${resource.collection.syncSeq}"`;
    const headers = { 'Content-Type': 'text/vcard; charset=utf-8', ETag: etag, 'Last-Modified': httpDate(resource.collection.modifiedAt) };
    if (checkRead(req, etag, resource.collection.modifiedAt) === 'not-modified') return { status: 304, headers: { ETag: etag }, body: null };
    if (head) return { status: 200, headers, body: null };
    return { status: 200, headers, body: bookCards(svc.store, resource.collection.id) };
  }
  // Collections that are not calendars: a short text, whose length getcontentlength reports.
  const text = collectionPageText(resource.href);
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) }, body: head ? null : text };
};

// The generators below are module-level functions given what they need, not closures in the
// handler: V8 keeps a generator's function context after it finishes, which kept the request's
// scope alive into the old generation (dav/reports/multiget.ts, where it was measured).

/**
 * The calendar's bodies (a sharee's as their busy view), read a page of names at a time and in
 * batches, pausing for other requests between slices of work (a 20,000-entry calendar held the
 * event loop for seconds).
 */
async function* calendarBodies(store: Store, collectionId: number, sharee: boolean): AsyncGenerator<string> {
  const pause = slicer();
  for await (const page of objectPages(store, collectionId, 100)) {
    const names = visibleMetas(sharee, page).map((m) => m.name);
    for (const obj of await store.getObjects(collectionId, names)) {
      yield (sharee ? busyObject(obj) : obj).data.toString('utf8');
      const p = pause();
      if (p) await p;
    }
  }
}

/** The book's cards, each ending in a line break, page by page and in slices, as for a calendar. */
async function* bookCards(store: Store, collectionId: number): AsyncGenerator<string> {
  const pause = slicer();
  for await (const page of objectPages(store, collectionId, 100)) {
    for (const obj of await store.getObjects(collectionId, page.map((m) => m.name))) {
      const text = obj.data.toString('utf8');
      yield text.endsWith('\n') ? text : `${text}\r\n`;
      const p = pause();
      if (p) await p;
    }
  }
}
