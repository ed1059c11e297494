// Stored resources: calendar object resources (RFC 4791 §4.1) and plain WebDAV resources. Each
// write checks its preconditions inside its transaction (two writers with the same If-Match:
// exactly one wins), logs the change and moves the collection's token in the same commit.
import { createHash } from 'node:crypto';
import { NotFound, PreconditionFailed, UidConflict } from '../errors.js';
import { classificationOf } from '../../ical/classification.js';
import type { Classification, ObjectInput, ObjectMeta, ObjectRow, ObjectStore, ObjectText, ObjectTextUpTo, PutResult, Replaced, StoredObject, WriteConditions } from '../objects.js';
import type { ComponentType } from '../collections.js';
import type { ChangeLog } from './changes.js';
import { checkSegment, replacedRemover } from './collections.js';
import { now, type Connection } from './connection.js';
import type { DeadPropertyRows } from './dead-properties.js';
import { sharedValue } from '../shared-values.js';
import { isXmlPlain } from '../../xml/serialize.js';

interface MetaRow {
  collection_id: number;
  name: string;
  etag: string;
  content_type: string;
  size: number;
  uid: string | null;
  component_type: ComponentType | null;
  first_start: number | null;
  last_end: number | null;
  created_at: string;
  modified_at: string;
  classification: Classification | null;
}

// Never `data` here: listings and PROPFIND must not pull the bodies off disk.
export const META_COLUMNS = ['collection_id', 'name', 'etag', 'content_type', 'size', 'uid', 'component_type', 'first_start', 'last_end', 'created_at', 'modified_at', 'classification'] as const;
const META = META_COLUMNS.join(', ');
const col = Object.fromEntries(META_COLUMNS.map((c, i) => [c, i])) as Record<(typeof META_COLUMNS)[number], number>;

function toMeta(r: MetaRow): ObjectMeta {
  return {
    collectionId: r.collection_id,
    name: r.name,
    etag: r.etag,
    contentType: sharedValue(r.content_type),
    size: r.size,
    uid: r.uid,
    componentType: sharedValue(r.component_type),
    firstStart: r.first_start,
    lastEnd: r.last_end,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    classification: sharedValue(r.classification),
  };
}

type QueryRow = MetaRow & { instance_start: number | null; instance_end: number | null };

function toQueryMeta(r: QueryRow): ObjectMeta {
  // Added to the object toMeta built, not spread into a new one: V8 gives every `{ ...o, x }` a
  // hidden class of its own (with-props.ts).
  const m = toMeta(r);
  m.instanceStart = r.instance_start;
  m.instanceEnd = r.instance_end;
  return m;
}

/**
 * The same from a row read in raw mode (an array in META order, `data` after it): better-sqlite3
 * builds a named-column object per row at about twice the cost, which shows in 9000-row listings
 * and in every multiget batch.
 */
export function metaOfRaw(r: unknown[]): ObjectMeta {
  return {
    collectionId: r[col.collection_id] as number,
    name: r[col.name] as string,
    etag: r[col.etag] as string,
    contentType: sharedValue(r[col.content_type] as string),
    size: r[col.size] as number,
    uid: r[col.uid] as string | null,
    componentType: sharedValue(r[col.component_type] as ComponentType | null),
    firstStart: r[col.first_start] as number | null,
    lastEnd: r[col.last_end] as number | null,
    createdAt: r[col.created_at] as string,
    modifiedAt: r[col.modified_at] as string,
    classification: sharedValue(r[col.classification] as Classification | null),
  };
}

// The ObjectRow columns (../objects.ts), in the order of rowOfRaw.
const ROW_COLUMNS = ['name', 'etag', 'classification', 'content_type', 'size', 'modified_at', 'created_at', 'schedule_tag'] as const;
const ROW = ROW_COLUMNS.join(', ');
type RawRow = [string, string, Classification | null, string, number, string, string, string | null];

function rowOfRaw(r: RawRow): ObjectRow {
  return { name: r[0], etag: r[1], classification: sharedValue(r[2]), contentType: sharedValue(r[3]), size: r[4], modifiedAt: r[5], createdAt: r[6], scheduleTag: r[7] };
}

/** A row of ROW_COLUMNS followed by the body as text (null: left unread, getObjectTextsUpTo). */
type TextRaw = [...RawRow, string | null];

function textRowOfRaw(r: TextRaw): ObjectTextUpTo {
  const o = rowOfRaw(r as unknown as RawRow) as ObjectTextUpTo;
  o.text = r[ROW_COLUMNS.length] as string | null;
  return o;
}

type XmlTextRaw = [...TextRaw, number];

function xmlTextRowOfRaw(r: XmlTextRaw): ObjectTextUpTo {
  const o = textRowOfRaw(r as unknown as TextRaw);
  if (r[ROW_COLUMNS.length + 1] === 1 && o.text !== null) o.xml = true;
  return o;
}

function objectOfRaw(r: unknown[]): StoredObject {
  const o = metaOfRaw(r) as StoredObject;
  o.data = r[META_COLUMNS.length] as Buffer;
  return o;
}

/**
 * A strong ETag from the content: the body is returned byte for byte, so equal bytes may share a
 * tag (RFC 9110 §8.8.3 only requires a change when the representation changes).
 */
export function etagOf(data: Buffer): string {
  return `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;
}

/** RFC 9110 §13.1.1–13.1.2, evaluated against the etag at the moment of the write (null = absent). ETags compare verbatim, quotes included. */
/**
 * The classification stored with a write: the caller's, else read from the body of a calendar
 * object (every writer — PUT, import, a plain resource moved into a calendar — gets it without
 * knowing about it); plain resources live in owner-only collections and are public.
 */
function classify(input: ObjectInput): Classification {
  if (input.classification) return input.classification;
  return input.componentType ? classificationOf(input.data.toString('utf8')) : 'public';
}

function checkConditions(current: string | null, cond?: WriteConditions): void {
  const ifMatch = cond?.ifMatch;
  if (ifMatch && ifMatch.length > 0) {
    if (current === null || !(ifMatch.includes('*') || ifMatch.includes(current))) {
      throw new PreconditionFailed('If-Match failed');
    }
  }
  const ifNoneMatch = cond?.ifNoneMatch;
  if (ifNoneMatch && ifNoneMatch.length > 0 && current !== null) {
    if (ifNoneMatch.includes('*') || ifNoneMatch.includes(current)) throw new PreconditionFailed('If-None-Match failed');
  }
}


/** The ObjectStore of a SQLite store (../objects.ts). */
export function objectStore(conn: Connection, log: ChangeLog, props: DeadPropertyRows): ObjectStore {
  const { db } = conn;
  const list = db.prepare(`SELECT ${META} FROM objects WHERE collection_id = ? ORDER BY name`).raw();
  // One keyset page of it: a range scan of the primary key (collection_id, name) from `after`, no
  // sort and no OFFSET skip, so every page costs the same however deep into the collection.
  const listPage = db.prepare(`SELECT ${META} FROM objects WHERE collection_id = ? AND name > ? ORDER BY name LIMIT ?`).raw();
  // What an etag listing needs: two columns instead of eleven is ~4× less row building at 9000.
  // (classification too: a sharee's listing leaves private objects out, dav/sharee-view.ts.)
  const etags = db.prepare('SELECT name, etag, classification FROM objects WHERE collection_id = ? ORDER BY name').raw();
  // One page of it, continuing after a name (the primary key's order, so no sort and no skip).
  const etagsPage = db.prepare('SELECT name, etag, classification FROM objects WHERE collection_id = ? AND name > ? ORDER BY name LIMIT ?').raw();
  // The same page widened to the ObjectRow (seven columns of twelve, no UID or time bounds). Kept
  // apart from the etag page: the four more columns cost a getetag listing ~30% more row reading.
  const rowsPage = db.prepare(`SELECT ${ROW} FROM objects WHERE collection_id = ? AND name > ? ORDER BY name LIMIT ?`).raw();
  // A range of the primary key (collection_id, name, prop_name) after the collection's own ''.
  const memberDead = db.prepare("SELECT EXISTS (SELECT 1 FROM dead_properties WHERE collection_id = ? AND name > '')").pluck();
  // Asked once by every multiget and listing of members: cached until any write (connection.ts readCache).
  const deadCache = conn.readCache<boolean>(1000);
  const meta = db.prepare(`SELECT ${META} FROM objects WHERE collection_id = ? AND name = ?`);
  const full = db.prepare(`SELECT ${META}, data FROM objects WHERE collection_id = ? AND name = ?`).raw();
  // One statement for any number of names (multiget allows up to 1000 hrefs).
  const many = db.prepare(`
    SELECT ${META}, data FROM objects
    WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw();
  const sizes = db.prepare(`
    SELECT name, size FROM objects
    WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))`);
  // The same, three columns, the body decoded by SQLite and better-sqlite3 straight into a string
  // (measured on the 9000-event bench database: 37 ms for all of it in batches of 100, against
  // 80 ms for getObjects and then Buffer#toString).
  const manyTexts = db.prepare(`
    SELECT ${ROW}, CAST(data AS TEXT) FROM objects
    WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw();
  const manyTextsUpTo = db.prepare(`
    SELECT ${ROW}, CASE WHEN size <= ? THEN CAST(data AS TEXT) END FROM objects
    WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw();
  // The same with each XML-plain body escaped by SQL's replace(): CR is all it needs (the
  // column's comment in schema/013), and replace() copies it in C, where escapeText's scan and
  // replaceAll took ~7% of a DAVx5 multiget's server time (36 of ~480 µs in a probe profile,
  // docs/performance.md). The last column says which.
  const manyXmlUpTo = db.prepare(`
    SELECT ${ROW}, CASE WHEN size <= ? THEN
      CASE WHEN xml_plain = 1 THEN replace(CAST(data AS TEXT), char(13), '&#13;') ELSE CAST(data AS TEXT) END END,
      xml_plain IS 1 FROM objects
    WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw();
  // Candidates only: bounds are inclusive so zero-length events at the window start stay in
  // (RFC 4791 §9.9); the caller applies the exact time-range test, from instance_start/end
  // where they are set. Rows come unordered (sorted by name in JS).
  const QUERY_COLS = `${META}, instance_start, instance_end`;
  const query = db.prepare(`
    SELECT ${QUERY_COLS} FROM objects
    WHERE collection_id = @c
      AND (@type IS NULL OR component_type = @type)
      AND (@end IS NULL OR first_start IS NULL OR first_start < @end)
      AND (@start IS NULL OR last_end IS NULL OR last_end >= @start)`);
  // The same for a range bounded on both sides, written so that objects_time_range is searched
  // (first_start < end) instead of scanning the collection; unbounded first_start apart.
  const queryRange = db.prepare(`
    SELECT ${QUERY_COLS} FROM objects
    WHERE collection_id = @c AND first_start < @end AND (last_end IS NULL OR last_end >= @start)
      AND (@type IS NULL OR component_type = @type)
    UNION ALL
    SELECT ${QUERY_COLS} FROM objects
    WHERE collection_id = @c AND first_start IS NULL AND (last_end IS NULL OR last_end >= @start)
      AND (@type IS NULL OR component_type = @type)`);
  const byUid = db.prepare('SELECT name FROM objects WHERE collection_id = ? AND uid = ?').pluck();
  const collectionExists = db.prepare('SELECT 1 FROM collections WHERE id = ?').pluck();
  const remove = db.prepare('DELETE FROM objects WHERE collection_id = ? AND name = ?');
  const rename = db.prepare('UPDATE objects SET collection_id = ?, name = ? WHERE collection_id = ? AND name = ?');
  const copy = db.prepare(`
    INSERT INTO objects (collection_id, name, etag, content_type, size, uid, component_type, first_start, last_end,
      created_at, modified_at, data, instance_start, instance_end, classification, xml_plain)
    SELECT ?, ?, etag, content_type, size, uid, component_type, first_start, last_end, ?, ?, data, instance_start, instance_end, classification, xml_plain
    FROM objects WHERE collection_id = ? AND name = ?`);
  const count = db.prepare('UPDATE collections SET object_count = object_count + ? WHERE id = ?');
  const writes = objectWrites(conn, log, props);
  const removeReplaced = replacedRemover(conn, log);
  /** Deletes what a COPY/MOVE replaces (a collection where the object goes), in the caller's transaction. */
  const replace = (r: Replaced | undefined) => {
    if (r) removeReplaced(r);
  };
  /**
   * RFC 4791 §5.3.2.1 no-uid-conflict, second half: a calendar object resource is not
   * overwritten by one with another UID (clients would see one event turn into another under
   * the same URL). Plain resources (uid null) are replaced freely.
   */
  const checkSameUid = (c: number, name: string, current: { uid: string | null } | undefined, uid: string | null | undefined) => {
    if (current && current.uid !== null && current.uid !== (uid ?? null)) throw new UidConflict(name);
  };

  const getMeta = (c: number, name: string) => meta.get(c, name) as MetaRow | undefined;
  const mustCollection = (c: number) => {
    if (!collectionExists.get(c)) throw new NotFound(`collection ${c}`);
  };
  /** Another object of the collection (not one of `mayHold`) holding the UID -> no-uid-conflict. */
  const checkUid = (c: number, uid: string | null | undefined, ...mayHold: string[]) => {
    if (uid == null) return;
    const other = byUid.get(c, uid) as string | undefined;
    if (other !== undefined && !mayHold.includes(other)) throw new UidConflict(other);
  };
  /** Removes whatever sits at the target of a MOVE/COPY; returns whether something did. */
  const clearTarget = (c: number, name: string): boolean => {
    if (remove.run(c, name).changes === 0) return false;
    props.drop(c, name);
    return true;
  };
  /** A move/copy onto itself: nothing to do once the conditions hold (the target is the source). */
  const sameResource = (from: number, name: string, to: number, toName: string, cond: WriteConditions | undefined): PutResult | null => {
    if (from !== to || name !== toName) return null;
    const m = getMeta(from, name);
    if (!m) throw new NotFound(`object ${name}`);
    checkConditions(m.etag, cond);
    return { meta: toMeta(m), created: false };
  };

  return {
    async listObjects(collectionId) {
      return (list.all(collectionId) as unknown[][]).map(metaOfRaw);
    },
    async listObjectsPage(collectionId, page) {
      // SQLite reads LIMIT -1 as "no limit": a bad limit must not turn a page into the whole collection.
      if (!Number.isInteger(page.limit) || page.limit < 1) throw new RangeError(`page limit ${page.limit}`);
      return (listPage.all(collectionId, page.after ?? '', page.limit) as unknown[][]).map(metaOfRaw);
    },
    async listObjectEtags(collectionId, page) {
      const rows = (page ? etagsPage.all(collectionId, page.after ?? '', page.limit) : etags.all(collectionId)) as [string, string, Classification | null][];
      return rows.map(([name, etag, classification]) => ({ name, etag, classification }));
    },
    async listObjectRows(collectionId, page) {
      if (!Number.isInteger(page.limit) || page.limit < 1) throw new RangeError(`page limit ${page.limit}`);
      return (rowsPage.all(collectionId, page.after ?? '', page.limit) as RawRow[]).map(rowOfRaw);
    },
    async membersHaveDeadProperties(collectionId) {
      return deadCache.get(String(collectionId), () => memberDead.get(collectionId) === 1);
    },
    async getObjectMeta(collectionId, name) {
      const r = getMeta(collectionId, name);
      return r ? toMeta(r) : null;
    },
    async getObject(collectionId, name) {
      const r = full.get(collectionId, name) as unknown[] | undefined;
      return r ? objectOfRaw(r) : null;
    },
    async getObjects(collectionId, names) {
      if (names.length === 0) return [];
      return (many.all(collectionId, JSON.stringify(names)) as unknown[][]).map(objectOfRaw);
    },
    async getObjectSizes(collectionId, names) {
      if (names.length === 0) return [];
      return sizes.all(collectionId, JSON.stringify(names)) as { name: string; size: number }[];
    },
    async getObjectTexts(collectionId, names) {
      if (names.length === 0) return [];
      return (manyTexts.all(collectionId, JSON.stringify(names)) as TextRaw[]).map(textRowOfRaw) as ObjectText[];
    },
    async getObjectTextsUpTo(collectionId, names, maxSize, asXml) {
      if (names.length === 0) return [];
      if (!asXml) return (manyTextsUpTo.all(maxSize, collectionId, JSON.stringify(names)) as TextRaw[]).map(textRowOfRaw);
      return (manyXmlUpTo.all(maxSize, collectionId, JSON.stringify(names)) as XmlTextRaw[]).map(xmlTextRowOfRaw);
    },
    async queryObjects(collectionId, q) {
      const params = { c: collectionId, type: q.componentType ?? null, start: q.start ?? null, end: q.end ?? null };
      const rows = (params.start !== null && params.end !== null ? queryRange : query).all(params) as QueryRow[];
      return rows.map(toQueryMeta).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async findByUid(collectionId, uid) {
      return (byUid.get(collectionId, uid) as string | undefined) ?? null;
    },

    async putObject(collectionId, input, cond, replacing) {
      return writes.put(collectionId, input, cond, () => replace(replacing));
    },

    async deleteObject(collectionId, name, cond) {
      writes.delete(collectionId, name, cond);
    },

    async moveObject(from, name, to, toName, cond, replacing) {
      return conn.write(() => {
        const same = sameResource(from, name, to, toName, cond);
        if (same) return same;
        replace(replacing);
        const src = getMeta(from, name);
        if (!src) throw new NotFound(`object ${name}`);
        mustCollection(to);
        checkSegment(toName);
        // The target as it is now, inside the transaction: Overwrite: F (ifNoneMatch '*') refuses
        // one created since the caller looked, before anything changes.
        const target = getMeta(to, toName);
        checkConditions(target?.etag ?? null, cond);
        checkSameUid(to, toName, target, src.uid);
        // The source itself may hold the UID when renaming inside one collection.
        checkUid(to, src.uid, toName, ...(from === to ? [name] : []));
        const seq = conn.nextSeq();
        const replaced = clearTarget(to, toName);
        rename.run(to, toName, from, name);
        props.move(from, name, to, toName);
        count.run(-1, from);
        if (!replaced) count.run(1, to);
        // To a client syncing either collection a MOVE is a delete here and a new member there.
        log.record(from, name, true, seq);
        log.record(to, toName, false, seq);
        return { meta: toMeta(getMeta(to, toName)!), created: !replaced };
      });
    },

    async copyObject(from, name, to, toName, cond, replacing) {
      return conn.write(() => {
        const same = sameResource(from, name, to, toName, cond);
        if (same) return same;
        replace(replacing);
        const src = getMeta(from, name);
        if (!src) throw new NotFound(`object ${name}`);
        mustCollection(to);
        checkSegment(toName);
        // The target as it is now, inside the transaction: Overwrite: F (ifNoneMatch '*') refuses
        // one created since the caller looked, before anything changes.
        const target = getMeta(to, toName);
        checkConditions(target?.etag ?? null, cond);
        checkSameUid(to, toName, target, src.uid);
        checkUid(to, src.uid, toName);
        const seq = conn.nextSeq();
        const replaced = clearTarget(to, toName);
        const ts = now();
        copy.run(to, toName, ts, ts, from, name);
        props.copy(from, name, to, toName);
        if (!replaced) count.run(1, to);
        log.record(to, toName, false, seq);
        return { meta: toMeta(getMeta(to, toName)!), created: !replaced };
      });
    },
  };
}

/**
 * Put and delete as synchronous steps, each its own transaction, or a savepoint of the caller's:
 * scheduling (store/sqlite/scheduling.ts) writes the organizer's object and every attendee's copy
 * in one transaction with these same checks (RFC 6638 §3: the write and its deliveries commit
 * together). The ObjectStore's putObject and deleteObject are these.
 */
export interface ObjectWrites {
  /** putObject; `before` runs first inside the transaction (what a COPY/MOVE replaces). */
  put(collectionId: number, input: ObjectInput, cond?: WriteConditions, before?: () => void): PutResult;
  delete(collectionId: number, name: string, cond?: WriteConditions): void;
}

export function objectWrites(conn: Connection, log: ChangeLog, props: DeadPropertyRows): ObjectWrites {
  const { db } = conn;
  const meta = db.prepare(`SELECT ${META} FROM objects WHERE collection_id = ? AND name = ?`);
  const byUid = db.prepare('SELECT name FROM objects WHERE collection_id = ? AND uid = ?').pluck();
  const collectionExists = db.prepare('SELECT 1 FROM collections WHERE id = ?').pluck();
  const upsert = db.prepare(`
    INSERT INTO objects (collection_id, name, etag, content_type, size, uid, component_type, first_start, last_end,
      created_at, modified_at, data, instance_start, instance_end, classification, xml_plain)
    VALUES (@c, @name, @etag, @contentType, @size, @uid, @componentType, @firstStart, @lastEnd, @now, @now, @data,
      @instanceStart, @instanceEnd, @classification, @xmlPlain)
    ON CONFLICT (collection_id, name) DO UPDATE SET
      etag = excluded.etag, content_type = excluded.content_type, size = excluded.size, uid = excluded.uid,
      component_type = excluded.component_type, first_start = excluded.first_start, last_end = excluded.last_end,
      modified_at = excluded.modified_at, data = excluded.data,
      instance_start = excluded.instance_start, instance_end = excluded.instance_end,
      classification = excluded.classification, xml_plain = excluded.xml_plain
    RETURNING ${META}`);
  const remove = db.prepare('DELETE FROM objects WHERE collection_id = ? AND name = ?');
  const count = db.prepare('UPDATE collections SET object_count = object_count + ? WHERE id = ?');
  const getMeta = (c: number, name: string) => meta.get(c, name) as MetaRow | undefined;
  const mustCollection = (c: number) => {
    if (!collectionExists.get(c)) throw new NotFound(`collection ${c}`);
  };
  const checkSameUid = (name: string, current: { uid: string | null } | undefined, uid: string | null | undefined) => {
    if (current && current.uid !== null && current.uid !== (uid ?? null)) throw new UidConflict(name);
  };
  const checkUid = (c: number, uid: string | null | undefined, name: string) => {
    if (uid == null) return;
    const other = byUid.get(c, uid) as string | undefined;
    if (other !== undefined && other !== name) throw new UidConflict(other);
  };
  return {
    put(collectionId, input, cond, before) {
      return conn.write(() => {
        before?.();
        mustCollection(collectionId);
        checkSegment(input.name);
        const current = getMeta(collectionId, input.name);
        checkConditions(current?.etag ?? null, cond);
        checkSameUid(input.name, current, input.uid);
        checkUid(collectionId, input.uid, input.name);
        const seq = conn.nextSeq();
        const row = upsert.get({
          c: collectionId,
          name: input.name,
          etag: etagOf(input.data),
          contentType: input.contentType,
          size: input.data.length,
          uid: input.uid ?? null,
          componentType: input.componentType ?? null,
          firstStart: input.firstStart ?? null,
          lastEnd: input.lastEnd ?? null,
          instanceStart: input.instanceStart ?? null,
          instanceEnd: input.instanceEnd ?? null,
          classification: classify(input),
          xmlPlain: (input.xmlPlain ?? isXmlPlain(input.data)) ? 1 : 0,
          now: now(),
          data: input.data,
        }) as MetaRow;
        if (!current) count.run(1, collectionId);
        log.record(collectionId, input.name, false, seq);
        return { meta: toMeta(row), created: !current };
      });
    },
    delete(collectionId, name, cond) {
      conn.write(() => {
        const current = getMeta(collectionId, name);
        // Conditions first: If-Match on a missing resource is 412, not 404 (RFC 9110 §13.1.1).
        checkConditions(current?.etag ?? null, cond);
        if (!current) throw new NotFound(`object ${name}`);
        const seq = conn.nextSeq();
        remove.run(collectionId, name);
        props.drop(collectionId, name);
        count.run(-1, collectionId);
        log.record(collectionId, name, true, seq);
      });
    },
  };
}
