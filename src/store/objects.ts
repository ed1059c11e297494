// Stored resources: calendar object resources (RFC 4791 §4.1) and plain WebDAV resources.
// Implemented by store/sqlite/objects.ts (`objectStore`); contract: test/store/contract/objects.ts.
import type { ComponentType } from './collections.js';

/**
 * What a sharee may see of a calendar object (RFC 5545 §3.8.1.3 CLASS, ical/classification.ts):
 * private = nothing, confidential = busy time only, public = all. null = not classified yet
 * (read as private). The owner always sees everything.
 */
export type Classification = 'public' | 'confidential' | 'private';

/** Metadata of a stored resource: everything PROPFIND and sync need, without the body. */
export interface ObjectMeta {
  collectionId: number;
  name: string;
  etag: string;
  contentType: string;
  size: number;
  /** iCalendar UID for calendar objects; null for plain resources. */
  uid: string | null;
  componentType: ComponentType | null;
  /** First instance start and last instance end in epoch ms (null end = unbounded recurrence). */
  firstStart: number | null;
  lastEnd: number | null;
  createdAt: string;
  modifiedAt: string;
  classification: Classification | null;
  /**
   * Set by dav/sharee-view.ts on the busy-only view of a confidential object shown to a sharee
   * (never by the store): that view keeps the stored etag, so caches keyed by etag must tell the
   * two renderings apart by this flag.
   */
  busyView?: true;
  /**
   * Exact start and §9.9 end (epoch ms) of the single instance of a non-recurring VEVENT whose
   * times do not depend on the calendar's timezone (ObjectInput.instanceStart); only
   * `queryObjects` fills them, other reads leave them out.
   */
  instanceStart?: number | null;
  instanceEnd?: number | null;
}

/**
 * What an etag listing needs of an object (PROPFIND Depth 1 for getetag, the poll after a ctag
 * change): the name, the etag, and the classification a sharee's view depends on.
 */
export type ObjectEtag = Pick<ObjectMeta, 'name' | 'etag' | 'classification' | 'busyView'>;

/**
 * The small stored row a listing of cheap properties reads (issue 13 item 3): the columns
 * getcontenttype, getcontentlength, getlastmodified and creationdate are computed from
 * (dav/properties/registry.ts `fromRow`) — seven of the twelve metadata columns, no UID, time
 * bounds or body.
 */
export type ObjectRow = ObjectEtag & Pick<ObjectMeta, 'contentType' | 'size' | 'modifiedAt' | 'createdAt'> & {
  /** RFC 6638 §3.2.10 Schedule-Tag of a scheduling object resource (SchedulingStore), null otherwise: DAVx⁵ asks it in every multiget. */
  scheduleTag: string | null;
};

/** An ObjectRow and the body decoded as UTF-8: what a client's multiget of cheap properties + calendar-data needs. */
export interface ObjectText extends ObjectRow {
  text: string;
}

/**
 * An ObjectRow with its body as text, or without it (`text: null`) when the body was larger than
 * asked (getObjectTextsUpTo). Asked `asXml`, the text of an XML-plain body (ObjectInput.xmlPlain)
 * comes already escaped as XML character data — xml/serialize.ts `plainCharData` of the text —
 * and `xml` is true; any other body comes as plain text.
 */
export interface ObjectTextUpTo extends ObjectRow {
  text: string | null;
  xml?: boolean;
}

export interface StoredObject extends ObjectMeta {
  /** The body exactly as it was PUT (SPEC: returned byte for byte). */
  data: Buffer;
}

export interface ObjectInput {
  name: string;
  data: Buffer;
  contentType: string;
  uid?: string | null;
  componentType?: ComponentType | null;
  firstStart?: number | null;
  lastEnd?: number | null;
  /**
   * For a non-recurring VEVENT with exact UTC times (validate.ts): its instance's start and the
   * end the RFC 4791 §9.9 test uses. null/absent = unknown; queries then parse the object.
   */
  instanceStart?: number | null;
  instanceEnd?: number | null;
  /** Computed from `data` by the store when absent (calendar objects; plain resources are public). */
  classification?: Classification;
  /** xml/serialize.ts `isXmlPlain(data)`, stored with the body; computed by the store when absent. */
  xmlPlain?: boolean;
}

/**
 * What a COPY or MOVE with Overwrite: T replaces (RFC 4918 §9.8.4, §9.9.3): deleted inside the
 * same transaction as the write that takes its place, after that write's own checks, so a refused
 * request leaves it as it was.
 */
export type Replaced = { kind: 'object'; collectionId: number; name: string } | { kind: 'collection'; id: number };

/** Preconditions checked inside the write transaction, so two racing writers cannot both win. */
export interface WriteConditions {
  /** If-Match: the current etag must be one of these ('*' = must exist). */
  ifMatch?: string[];
  /** If-None-Match: the current etag must not be one of these ('*' = must not exist). */
  ifNoneMatch?: string[];
}

export interface PutResult {
  meta: ObjectMeta;
  created: boolean;
}

/** Index-backed pre-filter for calendar-query (RFC 4791 §9.9); bounds in epoch ms, end exclusive. */
export interface ObjectQuery {
  componentType?: ComponentType;
  start?: number | null;
  end?: number | null;
}

/**
 * One page of a listing in name order (keyset paging): at most `limit` entries whose names sort
 * after `after` (absent = from the start). Names compare by their bytes (UTF-8), so the next page
 * starts after the last name of this one; a listing with fewer than `limit` entries is the last.
 */
export interface KeysetPage {
  after?: string;
  limit: number;
}

/**
 * Objects of a collection, keyed by (collection, name). The ETag is strong and changes with the
 * bytes (RFC 9110 §8.8.3). Every write checks its WriteConditions (RFC 9110 §13.1.1–13.1.2) and the
 * collection's UID uniqueness (RFC 4791 §5.3.2.1 no-uid-conflict) inside its transaction, records
 * its change and keeps Collection.objectCount; a failed write stores nothing.
 */
export interface ObjectStore {
  /** Every object's metadata, ordered by name. Reads the whole collection at once: see listObjectsPage. */
  listObjects(collectionId: number): Promise<ObjectMeta[]>;
  /**
   * listObjects one keyset page at a time: a large collection (export, feeds, a GET of it) is read
   * and sent piece by piece, never held whole or read in one long query. Concatenating the pages
   * (each `after` = the last name of the previous one) gives listObjects; a write between pages is
   * seen by the pages after it only. Throws RangeError unless `limit` is a positive integer. See
   * `objectPages` below for a loop that yields to the event loop between pages.
   */
  listObjectsPage(collectionId: number, page: KeysetPage): Promise<ObjectMeta[]>;
  /**
   * Names and etags of the collection's objects, ordered by name: listObjects, three columns only.
   * With `page`, at most `limit` of them whose names sort after `after` (keyset paging: a large
   * listing is read and sent piece by piece instead of held whole).
   */
  listObjectEtags(collectionId: number, page?: KeysetPage): Promise<ObjectEtag[]>;
  /** listObjectEtags widened to the ObjectRow: for a listing that asks more than etag-derived properties. */
  listObjectRows(collectionId: number, page: KeysetPage): Promise<ObjectRow[]>;
  /**
   * Whether any member object of the collection (not the collection itself) holds a dead
   * property: when none does, a property no definition answers is 404 on every member, and a
   * listing need not look for it member by member (issue 13 item 3).
   */
  membersHaveDeadProperties(collectionId: number): Promise<boolean>;
  getObjectMeta(collectionId: number, name: string): Promise<ObjectMeta | null>;
  getObject(collectionId: number, name: string): Promise<StoredObject | null>;
  /** The named objects that exist, ordered by name; unknown names are left out. */
  getObjects(collectionId: number, names: string[]): Promise<StoredObject[]>;
  /** Names and sizes (bytes of the body) of those of `names` that exist: to read bodies in batches bounded by bytes. */
  getObjectSizes(collectionId: number, names: string[]): Promise<Pick<ObjectMeta, 'name' | 'size'>[]>;
  /**
   * getObjects narrowed to the ObjectRow and the body as text (`data.toString('utf8')`), ordered by
   * name: the multiget every client sends after a listing reads eight columns, not thirteen.
   */
  getObjectTexts(collectionId: number, names: string[]): Promise<ObjectText[]>;
  /**
   * getObjectTexts in one read whatever the sizes: the body of an object of more than `maxSize`
   * bytes is left unread (`text: null`; its row, size included, is there). A caller bounds what it
   * holds by asking at most its budget divided by the count, and reads such an object on its own:
   * the multiget of the hrefs a listing gave needs one statement instead of sizes, then texts.
   */
  getObjectTextsUpTo(collectionId: number, names: string[], maxSize: number, asXml?: boolean): Promise<ObjectTextUpTo[]>;
  /**
   * Candidates for a calendar-query: objects of the component type whose stored
   * [firstStart, lastEnd) may overlap [start, end), ordered by name. Objects with unknown bounds
   * are included; the caller applies the exact filter (RFC 4791 §9.9).
   */
  queryObjects(collectionId: number, query: ObjectQuery): Promise<ObjectMeta[]>;
  /** Name of the object holding this UID in the collection, if any. */
  findByUid(collectionId: number, uid: string): Promise<string | null>;
  /**
   * Creates or replaces an object. Throws PreconditionFailed when conditions fail, UidConflict
   * when another object in the collection holds the UID or when the object replaced holds
   * another UID (RFC 4791 §5.3.2.1: the conflicting name is then the object's own), NotFound for
   * an unknown collection, Conflict for an invalid name.
   */
  putObject(collectionId: number, input: ObjectInput, cond?: WriteConditions, replacing?: Replaced): Promise<PutResult>;
  /** Throws NotFound or PreconditionFailed (checked first: If-Match on a missing resource is 412, RFC 9110 §13.1.1). */
  deleteObject(collectionId: number, name: string, cond?: WriteConditions): Promise<void>;
  /**
   * Moves an object between collections (or renames it) with its dead properties, replacing any
   * object at the target unless `cond` refuses it. To a client syncing either collection it is a
   * delete there and a new member here. `cond` is checked against the object at the target (a
   * rename onto itself: the source) inside the transaction, as putObject's: `{ ifNoneMatch: ['*'] }`
   * = the target must not exist (a COPY/MOVE with Overwrite: F, RFC 4918 §10.6, whose check
   * before the write a concurrent PUT could otherwise slip past). Throws NotFound (the source or
   * the target collection; before the conditions), PreconditionFailed, UidConflict (also when the
   * object replaced holds another UID, RFC 4791 §5.3.2.1).
   */
  moveObject(fromCollectionId: number, name: string, toCollectionId: number, toName: string, cond?: WriteConditions, replacing?: Replaced): Promise<PutResult>;
  /**
   * Copies an object with its dead properties, replacing any object at the target unless `cond`
   * refuses it (as moveObject's). Throws NotFound, PreconditionFailed, UidConflict.
   */
  copyObject(fromCollectionId: number, name: string, toCollectionId: number, toName: string, cond?: WriteConditions, replacing?: Replaced): Promise<PutResult>;
}

/**
 * Every object of a collection, page by page (listObjectsPage), giving the event loop a turn
 * between pages: awaiting an already-settled promise (better-sqlite3 answers synchronously) lets no
 * I/O in, so a plain loop over pages would still hold the event loop for the whole collection.
 */
export async function* objectPages(store: Pick<ObjectStore, 'listObjectsPage'>, collectionId: number, limit = 500): AsyncGenerator<ObjectMeta[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit ${limit}`);
  let after: string | undefined;
  for (;;) {
    const page = await store.listObjectsPage(collectionId, after === undefined ? { limit } : { after, limit });
    if (page.length > 0) yield page;
    if (page.length < limit) return;
    after = page[page.length - 1]!.name;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Every object's metadata, read page by page through `objectPages` (a turn of the event loop
 * between pages): for callers that need the whole list at once but must not hold the event loop
 * for one 20,000-row query (0.2-0.5 s with better-sqlite3).
 */
export async function allObjectMetas(store: Pick<ObjectStore, 'listObjectsPage'>, collectionId: number): Promise<ObjectMeta[]> {
  const all: ObjectMeta[] = [];
  for await (const page of objectPages(store, collectionId)) all.push(...page);
  return all;
}
