// Stored resources: calendar object resources (RFC 4791 §4.1), vCards and plain WebDAV resources;
// the PostgreSQL twin of ../sqlite/objects.ts. Each write checks its preconditions inside its
// transaction (writes are serialized, connection.ts tx), logs the change and moves the collection's
// token in the same commit.
import { NotFound, PreconditionFailed, UidConflict } from '../errors.js';
import { classificationOf } from '../../ical/classification.js';
import type { Classification, ObjectInput, ObjectMeta, ObjectRow, ObjectStore, ObjectText, ObjectTextUpTo, PutResult, Replaced, StoredObject, WriteConditions } from '../objects.js';
import type { ComponentType } from '../collections.js';
import type { ChangeLog } from './changes.js';
import { checkSegment, replacedRemover } from './collections.js';
import { now, sql, type Connection, type Sql, type Tx } from './connection.js';
import type { DeadPropertyRows } from './dead-properties.js';
// The one ETag function of both stores (a pure hash, no SQLite in it): a copied installation
// must keep every ETag its clients hold.
import { etagOf } from '../sqlite/objects.js';
import { sharedValue } from '../shared-values.js';
import { isXmlPlain, plainCharData } from '../../xml/serialize.js';

export { etagOf };

export interface MetaRow {
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

// Never `data` here: listings and PROPFIND must not pull the bodies (nor detoast them).
const META = 'collection_id, name, etag, content_type, size, uid, component_type, first_start, last_end, created_at, modified_at, classification';
/** META with a table alias, for a join (changes.ts). */
export const metaColumnsOf = (alias: string): string => META.split(', ').map((c) => `${alias}.${c}`).join(', ');

export function toMeta(r: MetaRow): ObjectMeta {
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
// Properties added to toMeta's object, not spread into a new one (with-props.ts).
const toQueryMeta = (r: QueryRow): ObjectMeta => {
  const m = toMeta(r);
  m.instanceStart = r.instance_start;
  m.instanceEnd = r.instance_end;
  return m;
};

const ROW = 'name, etag, classification, content_type, size, modified_at, created_at, schedule_tag';
interface RowRow {
  name: string;
  etag: string;
  classification: Classification | null;
  content_type: string;
  size: number;
  modified_at: string;
  created_at: string;
  schedule_tag: string | null;
}
const toRow = (r: RowRow): ObjectRow => ({
  name: r.name, etag: r.etag, classification: sharedValue(r.classification), contentType: sharedValue(r.content_type), size: r.size,
  modifiedAt: r.modified_at, createdAt: r.created_at, scheduleTag: r.schedule_tag,
});
const toObject = (r: MetaRow & { data: Buffer }): StoredObject => {
  const o = toMeta(r) as StoredObject;
  o.data = r.data;
  return o;
};

/** A row with its body (null: left unread, getObjectTextsUpTo), decoded in JavaScript (see MANY_TEXTS). */
type TextRow = RowRow & { data: Buffer | null };
const toTextRow = (r: TextRow): ObjectTextUpTo => {
  const o = toRow(r) as ObjectTextUpTo;
  o.text = r.data === null ? null : r.data.toString('utf8');
  return o;
};

type XmlTextRow = TextRow & { xml_plain: number | null };
/** getObjectTextsUpTo asked `asXml`: an XML-plain body's text escaped here (convert_from() would depend on the database's encoding). */
const toXmlTextRow = (r: XmlTextRow): ObjectTextUpTo => {
  const o = toTextRow(r);
  if (r.xml_plain === 1 && o.text !== null) {
    o.text = plainCharData(o.text);
    o.xml = true;
  }
  return o;
};

/** The classification stored with a write: the caller's, else read from a calendar object's body. */
function classify(input: ObjectInput): Classification {
  if (input.classification) return input.classification;
  return input.componentType ? classificationOf(input.data.toString('utf8')) : 'public';
}

/** RFC 9110 §13.1.1–13.1.2, evaluated against the etag at the moment of the write (null = absent). */
function checkConditions(current: string | null, cond?: WriteConditions): void {
  const ifMatch = cond?.ifMatch;
  if (ifMatch && ifMatch.length > 0) {
    if (current === null || !(ifMatch.includes('*') || ifMatch.includes(current))) throw new PreconditionFailed('If-Match failed');
  }
  const ifNoneMatch = cond?.ifNoneMatch;
  if (ifNoneMatch && ifNoneMatch.length > 0 && current !== null) {
    if (ifNoneMatch.includes('*') || ifNoneMatch.includes(current)) throw new PreconditionFailed('If-None-Match failed');
  }
}

const LIST = sql(`SELECT ${META} FROM objects WHERE collection_id = ? ORDER BY name`);
// Keyset pages: a range scan of the primary key (collection_id, name) from `after`; names are
// COLLATE "C", so the order is SQLite's bytewise one.
const LIST_PAGE = sql(`SELECT ${META} FROM objects WHERE collection_id = ? AND name > ? ORDER BY name LIMIT ?`);
const ETAGS = sql('SELECT name, etag, classification FROM objects WHERE collection_id = ? ORDER BY name');
const ETAGS_PAGE = sql('SELECT name, etag, classification FROM objects WHERE collection_id = ? AND name > ? ORDER BY name LIMIT ?');
const ROWS_PAGE = sql(`SELECT ${ROW} FROM objects WHERE collection_id = ? AND name > ? ORDER BY name LIMIT ?`);
const MEMBER_DEAD = sql("SELECT EXISTS (SELECT 1 FROM dead_properties WHERE collection_id = ? AND name > '')");
const META_ONE = sql(`SELECT ${META} FROM objects WHERE collection_id = ? AND name = ?`);
const FULL = sql(`SELECT ${META}, data FROM objects WHERE collection_id = ? AND name = ?`);
// One statement for any number of names (multiget allows up to 1000 hrefs).
const MANY = sql(`SELECT ${META}, data FROM objects WHERE collection_id = ? AND name = ANY(?::text[]) ORDER BY name`);
const SIZES = sql('SELECT name, size FROM objects WHERE collection_id = ? AND name = ANY(?::text[])');
// Decoded in JavaScript, not by convert_from(): that refuses invalid UTF-8, SQLite's CAST does not.
const MANY_TEXTS = sql(`SELECT ${ROW}, data FROM objects WHERE collection_id = ? AND name = ANY(?::text[]) ORDER BY name`);
const MANY_TEXTS_UP_TO = sql(`SELECT ${ROW}, CASE WHEN size <= ? THEN data END AS data FROM objects WHERE collection_id = ? AND name = ANY(?::text[]) ORDER BY name`);
// With xml_plain (schema/postgres/006): such a body needs no scan before its CRs are escaped.
const MANY_XML_UP_TO = sql(`SELECT ${ROW}, CASE WHEN size <= ? THEN data END AS data, xml_plain FROM objects WHERE collection_id = ? AND name = ANY(?::text[]) ORDER BY name`);
const QUERY_COLS = `${META}, instance_start, instance_end`;
// Candidates only: bounds are inclusive so zero-length events at the window start stay in
// (RFC 4791 §9.9); the caller applies the exact test. Rows come unordered (sorted in JS).
const QUERY = sql(`
  SELECT ${QUERY_COLS} FROM objects
  WHERE collection_id = @c
    AND (@type::text IS NULL OR component_type = @type)
    AND (@end::bigint IS NULL OR first_start IS NULL OR first_start < @end)
    AND (@start::bigint IS NULL OR last_end IS NULL OR last_end >= @start)`);
// Bounded on both sides, written so that objects_time_range is searched.
const QUERY_RANGE = sql(`
  SELECT ${QUERY_COLS} FROM objects
  WHERE collection_id = @c AND first_start < @end::bigint AND (last_end IS NULL OR last_end >= @start::bigint)
    AND (@type::text IS NULL OR component_type = @type)
  UNION ALL
  SELECT ${QUERY_COLS} FROM objects
  WHERE collection_id = @c AND first_start IS NULL AND (last_end IS NULL OR last_end >= @start::bigint)
    AND (@type::text IS NULL OR component_type = @type)`);
const BY_UID = sql('SELECT name FROM objects WHERE collection_id = ? AND uid = ?');
// What a PUT checks before writing, in one round trip (scripts/bench/pg-roundtrips.ts): the
// collection exists (a row), the current object at the name (NULL columns when absent) and the
// object already holding the UID (objects_uid: at most one). The checks run in the order of
// mustCollection, getMeta and checkUid.
const PUT_CHECK = sql(`
  SELECT c.id AS collection_exists, ${META.split(', ').map((col) => `o.${col}`).join(', ')},
    (SELECT u.name FROM objects u WHERE u.collection_id = c.id AND u.uid = @uid) AS uid_holder
  FROM collections c LEFT JOIN objects o ON o.collection_id = c.id AND o.name = @name
  WHERE c.id = @c`);
const COLLECTION_EXISTS = sql('SELECT 1 FROM collections WHERE id = ?');
const REMOVE = sql('DELETE FROM objects WHERE collection_id = ? AND name = ?');
const RENAME = sql('UPDATE objects SET collection_id = ?, name = ? WHERE collection_id = ? AND name = ?');
const COPY = sql(`
  INSERT INTO objects (collection_id, name, etag, content_type, size, uid, component_type, first_start, last_end,
    created_at, modified_at, data, instance_start, instance_end, classification, xml_plain)
  SELECT ?, ?, etag, content_type, size, uid, component_type, first_start, last_end, ?, ?, data, instance_start, instance_end, classification, xml_plain
  FROM objects WHERE collection_id = ? AND name = ?`);
const UPSERT = sql(`
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

const getMeta = (s: Sql, c: number, name: string) => s.row<MetaRow>(META_ONE, [c, name]);
const mustCollection = async (s: Sql, c: number) => {
  if (!(await s.value(COLLECTION_EXISTS, [c]))) throw new NotFound(`collection ${c}`);
};
/** RFC 4791 §5.3.2.1: a calendar object is not overwritten by one with another UID. */
const checkSameUid = (name: string, current: { uid: string | null } | undefined, uid: string | null | undefined) => {
  if (current && current.uid !== null && current.uid !== (uid ?? null)) throw new UidConflict(name);
};
/** Another object of the collection (not one of `mayHold`) holding the UID -> no-uid-conflict. */
const checkUid = async (s: Sql, c: number, uid: string | null | undefined, ...mayHold: string[]) => {
  if (uid == null) return;
  const other = await s.value<string>(BY_UID, [c, uid]);
  if (other !== undefined && !mayHold.includes(other)) throw new UidConflict(other);
};
const pageLimit = (limit: number) => {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit ${limit}`);
  return limit;
};

/** The ObjectStore of a PostgreSQL store (../objects.ts). */
export function objectStore(conn: Connection, log: ChangeLog, props: DeadPropertyRows): ObjectStore {
  const writes = objectWrites(conn, log, props);
  const removeReplaced = replacedRemover(log);
  const replace = async (s: Tx, r: Replaced | undefined) => {
    if (r) await removeReplaced(s, r);
  };
  /** Removes whatever sits at the target of a MOVE/COPY; returns whether something did. */
  const clearTarget = async (s: Sql, c: number, name: string): Promise<boolean> => {
    if ((await s.run(REMOVE, [c, name])) === 0) return false;
    await props.drop(s, c, name);
    return true;
  };
  /** A move/copy onto itself: nothing to do once the conditions hold (the target is the source). */
  const sameResource = async (s: Sql, from: number, name: string, to: number, toName: string, cond: WriteConditions | undefined): Promise<PutResult | null> => {
    if (from !== to || name !== toName) return null;
    const m = await getMeta(s, from, name);
    if (!m) throw new NotFound(`object ${name}`);
    checkConditions(m.etag, cond);
    return { meta: toMeta(m), created: false };
  };

  return {
    async listObjects(collectionId) {
      return (await conn.rows<MetaRow>(LIST, [collectionId])).map(toMeta);
    },
    async listObjectsPage(collectionId, page) {
      return (await conn.rows<MetaRow>(LIST_PAGE, [collectionId, page.after ?? '', pageLimit(page.limit)])).map(toMeta);
    },
    async listObjectEtags(collectionId, page) {
      const rows = page
        ? await conn.rows<{ name: string; etag: string; classification: Classification | null }>(ETAGS_PAGE, [collectionId, page.after ?? '', pageLimit(page.limit)])
        : await conn.rows<{ name: string; etag: string; classification: Classification | null }>(ETAGS, [collectionId]);
      return rows.map(({ name, etag, classification }) => ({ name, etag, classification }));
    },
    async listObjectRows(collectionId, page) {
      return (await conn.rows<RowRow>(ROWS_PAGE, [collectionId, page.after ?? '', pageLimit(page.limit)])).map(toRow);
    },
    async membersHaveDeadProperties(collectionId) {
      return (await conn.value<boolean>(MEMBER_DEAD, [collectionId])) === true;
    },
    async getObjectMeta(collectionId, name) {
      const r = await getMeta(conn, collectionId, name);
      return r ? toMeta(r) : null;
    },
    async getObject(collectionId, name) {
      const r = await conn.row<MetaRow & { data: Buffer }>(FULL, [collectionId, name]);
      return r ? toObject(r) : null;
    },
    async getObjects(collectionId, names) {
      if (names.length === 0) return [];
      return (await conn.rows<MetaRow & { data: Buffer }>(MANY, [collectionId, [...names]])).map(toObject);
    },
    async getObjectSizes(collectionId, names) {
      if (names.length === 0) return [];
      return conn.rows<{ name: string; size: number }>(SIZES, [collectionId, [...names]]);
    },
    async getObjectTexts(collectionId, names) {
      if (names.length === 0) return [];
      return (await conn.rows<TextRow>(MANY_TEXTS, [collectionId, [...names]])).map(toTextRow) as ObjectText[];
    },
    async getObjectTextsUpTo(collectionId, names, maxSize, asXml) {
      if (names.length === 0) return [];
      if (!asXml) return (await conn.rows<TextRow>(MANY_TEXTS_UP_TO, [maxSize, collectionId, [...names]])).map(toTextRow);
      return (await conn.rows<XmlTextRow>(MANY_XML_UP_TO, [maxSize, collectionId, [...names]])).map(toXmlTextRow);
    },
    async queryObjects(collectionId, q) {
      const params = { c: collectionId, type: q.componentType ?? null, start: q.start ?? null, end: q.end ?? null };
      const rows = await conn.rows<QueryRow>(params.start !== null && params.end !== null ? QUERY_RANGE : QUERY, params);
      return rows.map(toQueryMeta).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async findByUid(collectionId, uid) {
      return (await conn.value<string>(BY_UID, [collectionId, uid])) ?? null;
    },

    async putObject(collectionId, input, cond, replacing) {
      return conn.tx((s) => writes.put(s, collectionId, input, cond, () => replace(s, replacing)));
    },

    async deleteObject(collectionId, name, cond) {
      await conn.tx((s) => writes.delete(s, collectionId, name, cond));
    },

    async moveObject(from, name, to, toName, cond, replacing) {
      return conn.tx(async (s) => {
        const same = await sameResource(s, from, name, to, toName, cond);
        if (same) return same;
        await replace(s, replacing);
        const src = await getMeta(s, from, name);
        if (!src) throw new NotFound(`object ${name}`);
        await mustCollection(s, to);
        checkSegment(toName);
        // The target as it is now, inside the (serialized) transaction: Overwrite: F (ifNoneMatch
        // '*') refuses one created since the caller looked, before anything changes.
        const target = await getMeta(s, to, toName);
        checkConditions(target?.etag ?? null, cond);
        checkSameUid(toName, target, src.uid);
        // The source itself may hold the UID when renaming inside one collection.
        await checkUid(s, to, src.uid, toName, ...(from === to ? [name] : []));
        const seq = await s.nextSeq();
        const replaced = await clearTarget(s, to, toName);
        await s.run(RENAME, [to, toName, from, name]);
        await props.move(s, from, name, to, toName);
        // To a client syncing either collection a MOVE is a delete here and a new member there;
        // the member counts move with the log (one statement each).
        await log.record(s, from, name, true, seq, -1);
        await log.record(s, to, toName, false, seq, replaced ? 0 : 1);
        return { meta: toMeta((await getMeta(s, to, toName))!), created: !replaced };
      });
    },

    async copyObject(from, name, to, toName, cond, replacing) {
      return conn.tx(async (s) => {
        const same = await sameResource(s, from, name, to, toName, cond);
        if (same) return same;
        await replace(s, replacing);
        const src = await getMeta(s, from, name);
        if (!src) throw new NotFound(`object ${name}`);
        await mustCollection(s, to);
        checkSegment(toName);
        // The target as it is now, inside the (serialized) transaction: Overwrite: F (ifNoneMatch
        // '*') refuses one created since the caller looked, before anything changes.
        const target = await getMeta(s, to, toName);
        checkConditions(target?.etag ?? null, cond);
        checkSameUid(toName, target, src.uid);
        await checkUid(s, to, src.uid, toName);
        const seq = await s.nextSeq();
        const replaced = await clearTarget(s, to, toName);
        const ts = now();
        await s.run(COPY, [to, toName, ts, ts, from, name]);
        await props.copy(s, from, name, to, toName);
        await log.record(s, to, toName, false, seq, replaced ? 0 : 1);
        return { meta: toMeta((await getMeta(s, to, toName))!), created: !replaced };
      });
    },
  };
}

/**
 * Put and delete as steps inside a caller's transaction: the ObjectStore's putObject and
 * deleteObject, and scheduling (scheduling.ts), which writes the organizer's object and every
 * attendee's copy in one transaction with these same checks (RFC 6638 §3).
 */
export interface ObjectWrites {
  /** putObject; `before` runs first (what a COPY/MOVE replaces). */
  put(s: Tx, collectionId: number, input: ObjectInput, cond?: WriteConditions, before?: () => Promise<void>): Promise<PutResult>;
  delete(s: Tx, collectionId: number, name: string, cond?: WriteConditions): Promise<void>;
}

export function objectWrites(_conn: Connection, log: ChangeLog, props: DeadPropertyRows): ObjectWrites {
  return {
    async put(s, collectionId, input, cond, before) {
      await before?.();
      const found = await s.row<MetaRow & { collection_exists: number | null; uid_holder: string | null }>(PUT_CHECK, { c: collectionId, name: input.name, uid: input.uid ?? null });
      if (!found) throw new NotFound(`collection ${collectionId}`);
      checkSegment(input.name);
      const current = found.name === null ? undefined : found;
      checkConditions(current?.etag ?? null, cond);
      checkSameUid(input.name, current, input.uid);
      // Another object of the collection holding the UID -> no-uid-conflict (checkUid).
      if (found.uid_holder !== null && found.uid_holder !== input.name) throw new UidConflict(found.uid_holder);
      const seq = await s.nextSeq();
      const row = (await s.row<MetaRow>(UPSERT, {
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
      }))!;
      await log.record(s, collectionId, input.name, false, seq, current ? 0 : 1);
      return { meta: toMeta(row), created: !current };
    },
    async delete(s, collectionId, name, cond) {
      const current = await getMeta(s, collectionId, name);
      // Conditions first: If-Match on a missing resource is 412, not 404 (RFC 9110 §13.1.1).
      checkConditions(current?.etag ?? null, cond);
      if (!current) throw new NotFound(`object ${name}`);
      const seq = await s.nextSeq();
      await s.run(REMOVE, [collectionId, name]);
      await props.drop(s, collectionId, name);
      await log.record(s, collectionId, name, true, seq, -1);
    },
  };
}
