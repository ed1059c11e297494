// Calendars, address books and plain WebDAV collections: the PostgreSQL twin of
// ../sqlite/collections.ts (same rules; see there for the why of each).
import { Conflict, LimitReached, NotFound } from '../errors.js';
import { DEFAULT_CALENDAR_COMPONENTS, type Collection, type CollectionInit, type CollectionKind, type CollectionPatch, type CollectionStore, type Home } from '../collections.js';
import type { Replaced } from '../objects.js';
import type { ChangeLog } from './changes.js';
import { bit, now, sql, type Connection, type Sql, type Tx } from './connection.js';
import type { Homes } from './instances.js';
import { collectionColumns, toCollection, type CollectionRow } from '../rows.js';

/** The home a calendar or address book must live in; null for plain collections (either). */
export function homeOfKind(kind: CollectionKind): Home | null {
  return kind === 'calendar' ? 'calendars' : kind === 'addressbook' ? 'addressbooks' : null;
}

export function checkSegment(uri: string): void {
  if (uri === '' || uri === '.' || uri === '..' || uri.includes('/')) throw new Conflict(`invalid name "${uri}"`);
}

const SUBTREE_CTE = 'WITH RECURSIVE t(id) AS (SELECT ?::bigint UNION ALL SELECT c.id FROM collections c JOIN t ON c.parent_id = t.id)';
const ROW = sql('SELECT parent_id AS "parentId", uri FROM collections WHERE id = ?');
const INSTANCES_OF = sql(`${SUBTREE_CTE}
  SELECT i.user_id AS "userId", i.home, i.uri FROM instances i JOIN t ON i.collection_id = t.id`);
const REMOVE_COLLECTION = sql('DELETE FROM collections WHERE id = ?');
const REMOVE_OBJECT = sql('DELETE FROM objects WHERE collection_id = ? AND name = ?');
const DROP_PROPS = sql('DELETE FROM dead_properties WHERE collection_id = ? AND name = ?');
const COUNT_DOWN = sql('UPDATE collections SET object_count = object_count - 1 WHERE id = ?');

/**
 * Deletes what a COPY/MOVE with Overwrite: T replaces (RFC 4918 §9.8.4), as DELETE would, inside
 * the write transaction of the COPY/MOVE itself.
 */
export function replacedRemover(log: ChangeLog): (s: Tx, r: Replaced) => Promise<void> {
  return async (s, r) => {
    const seq = await s.nextSeq();
    if (r.kind === 'object') {
      if ((await s.run(REMOVE_OBJECT, [r.collectionId, r.name])) === 0) throw new NotFound(`object ${r.name}`);
      await s.run(DROP_PROPS, [r.collectionId, r.name]);
      await s.run(COUNT_DOWN, [r.collectionId]);
      await log.record(s, r.collectionId, r.name, true, seq);
      return;
    }
    const c = await s.row<{ parentId: number | null; uri: string }>(ROW, [r.id]);
    if (!c) throw new NotFound(`collection ${r.id}`);
    for (const i of await s.rows<{ userId: number; home: Home; uri: string }>(INSTANCES_OF, [r.id])) await log.tombstone(s, i.userId, i.home, i.uri, seq);
    if (c.parentId !== null) await log.record(s, c.parentId, c.uri, true, seq);
    await s.run(REMOVE_COLLECTION, [r.id]); // cascades like deleteCollection
  };
}

// One static statement for every patch: a flag per field says whether to touch it.
const PATCH = sql(`
  UPDATE collections SET
    displayname = CASE WHEN @setDisplayName = 1 THEN @displayName ELSE displayname END,
    description = CASE WHEN @setDescription = 1 THEN @description ELSE description END,
    color       = CASE WHEN @setColor = 1 THEN @color ELSE color END,
    sort_order  = CASE WHEN @setOrder = 1 THEN @order::integer ELSE sort_order END,
    timezone    = CASE WHEN @setTimezone = 1 THEN @timezone ELSE timezone END
  WHERE id = @id`);

/** Applies a live-property patch to a collection row; call inside a write transaction. */
export async function patchCollection(s: Sql, id: number, patch: CollectionPatch): Promise<void> {
  await s.run(PATCH, {
    id,
    setDisplayName: bit(patch.displayName !== undefined),
    displayName: patch.displayName ?? null,
    setDescription: bit(patch.description !== undefined),
    description: patch.description ?? null,
    setColor: bit(patch.color !== undefined),
    color: patch.color ?? null,
    setOrder: bit(patch.order !== undefined),
    order: patch.order ?? null,
    setTimezone: bit(patch.timezone !== undefined),
    timezone: patch.timezone ?? null,
  });
}

const COLS = collectionColumns();
const BY_ID = sql(`SELECT ${COLS} FROM collections WHERE id = ?`);
// IS NOT DISTINCT FROM matches NULL (the home) as well as an id; the home tells the two homes'
// top-level collections apart (a nested one is found by its parent alone).
const BY_PLACE = sql(`SELECT ${COLS} FROM collections
  WHERE owner_id = @owner AND parent_id IS NOT DISTINCT FROM @parent::bigint AND (parent_id IS NOT NULL OR home = @home) AND uri = @uri`);
const CHILDREN = sql(`SELECT ${COLS} FROM collections
  WHERE owner_id = @owner AND parent_id IS NOT DISTINCT FROM @parent::bigint AND (parent_id IS NOT NULL OR home = @home) ORDER BY uri`);
const USER_EXISTS = sql('SELECT 1 FROM users WHERE id = ?');
const OBJECT_EXISTS = sql('SELECT 1 FROM objects WHERE collection_id = ? AND name = ?');
const INSERT = sql(`
  INSERT INTO collections (owner_id, home, parent_id, uri, kind, displayname, description, color, sort_order,
    timezone, components, sync_seq, pruned_below, created_at, modified_at)
  VALUES (@owner, @home, @parent, @uri, @kind, @displayName, @description, @color, @order,
    @timezone, @components, @seq, @seq, @now, @now)
  RETURNING ${COLS}`);
const INSERT_OWNER_INSTANCE = sql(`
  INSERT INTO instances (user_id, collection_id, home, uri, access, sync_enabled, changed_seq) VALUES (?, ?, ?, ?, 'owner', 1, ?)`);
const INSERT_DEAD = sql("INSERT INTO dead_properties (collection_id, name, prop_name, xml) VALUES (?, '', ?, ?)");
const SUBTREE = sql(`${SUBTREE_CTE} SELECT id FROM t`);
const DEAD_OF = sql("SELECT prop_name, xml FROM dead_properties WHERE collection_id = ? AND name = ''");
const OBJECT_NAMES = sql('SELECT name FROM objects WHERE collection_id = ? ORDER BY name');
const COPY_OBJECTS = sql(`
  INSERT INTO objects (collection_id, name, etag, content_type, size, uid, component_type, first_start, last_end,
    created_at, modified_at, data, instance_start, instance_end, classification, xml_plain)
  SELECT @to, name, etag, content_type, size, uid, component_type, first_start, last_end, @now, @now, data,
    instance_start, instance_end, classification, xml_plain
  FROM objects WHERE collection_id = @from AND (@all = 1 OR classification = 'public')`);
const COPY_MEMBER_PROPS = sql(`
  INSERT INTO dead_properties (collection_id, name, prop_name, xml)
  SELECT @to, d.name, d.prop_name, d.xml FROM dead_properties d
  WHERE d.collection_id = @from AND d.name <> ''
    AND EXISTS (SELECT 1 FROM objects o WHERE o.collection_id = @to AND o.name = d.name)`);
const SET_COUNT = sql('UPDATE collections SET object_count = (SELECT count(*) FROM objects WHERE collection_id = ?) WHERE id = ?');
const RELOCATE = sql('UPDATE collections SET parent_id = ?, uri = ?, modified_at = ? WHERE id = ?');
const RENAME_OWNER_INSTANCE = sql("UPDATE instances SET uri = ?, changed_seq = ? WHERE collection_id = ? AND access = 'owner'");
const REMOVE = sql('DELETE FROM collections WHERE id = ?');
// A user's collections of one kind directly in one home (deleteCollection's keepLastOwn).
const OWN_OF_KIND = sql('SELECT count(*) FROM collections WHERE owner_id = ? AND home = ? AND kind = ? AND parent_id IS NULL');

/** The CollectionStore of a PostgreSQL store (../collections.ts). */
export function collectionStore(conn: Connection, log: ChangeLog, homes: Homes): CollectionStore {
  const removeReplaced = replacedRemover(log);
  const get = (s: Sql, id: number) => s.row<CollectionRow>(BY_ID, [id]);
  const must = async (s: Sql, id: number): Promise<CollectionRow> => {
    const r = await get(s, id);
    if (!r) throw new NotFound(`collection ${id}`);
    return r;
  };
  const subtree = async (s: Sql, id: number) => (await s.rows<{ id: number }>(SUBTREE, [id])).map((r) => r.id);

  /** Throws unless (ownerId, parentId, uri) in `home` is free for collection `self`; returns the home it lives in there. */
  async function checkPlace(s: Sql, ownerId: number, parentId: number | null, uri: string, kind: CollectionKind, home: Home, self?: number): Promise<Home> {
    checkSegment(uri);
    const required = homeOfKind(kind);
    if (parentId === null) {
      if (required !== null && required !== home) throw new Conflict(`a ${kind} lives in the ${required} home`);
      if (await homes.uriTaken(s, ownerId, home, uri, self)) throw new Conflict(`${uri} exists in the home`);
      return home;
    }
    if (required !== null) throw new Conflict(`a ${kind} lives directly in its owner's home`);
    const parent = await get(s, parentId);
    if (!parent || parent.owner_id !== ownerId) throw new NotFound(`parent collection ${parentId}`);
    if (parent.kind !== 'plain') throw new Conflict(`collections cannot be created inside a ${parent.kind}`);
    const clash = await s.row<CollectionRow>(BY_PLACE, { owner: ownerId, parent: parentId, home: parent.home, uri });
    if ((clash && clash.id !== self) || (await s.value(OBJECT_EXISTS, [parentId, uri]))) throw new Conflict(`${uri} exists`);
    return parent.home;
  }

  async function insertCollection(s: Tx, ownerId: number, init: CollectionInit): Promise<Collection> {
    if (!(await s.value(USER_EXISTS, [ownerId]))) throw new NotFound(`user ${ownerId}`);
    const parentId = init.parentId ?? null;
    const home = await checkPlace(s, ownerId, parentId, init.uri, init.kind, init.home ?? homeOfKind(init.kind) ?? 'calendars');
    const seq = await s.nextSeq();
    const components = init.components ?? (init.kind === 'calendar' ? DEFAULT_CALENDAR_COMPONENTS : []);
    const row = (await s.row<CollectionRow>(INSERT, {
      owner: ownerId,
      home,
      parent: parentId,
      uri: init.uri,
      kind: init.kind,
      displayName: init.displayName ?? null,
      description: init.description ?? null,
      color: init.color ?? null,
      order: init.order ?? null,
      timezone: init.timezone ?? null,
      components: components.join(','),
      seq,
      now: now(),
    }))!;
    if (init.kind !== 'plain') await s.run(INSERT_OWNER_INSTANCE, [ownerId, row.id, home, init.uri, seq]);
    for (const p of init.deadProperties ?? []) await s.run(INSERT_DEAD, [row.id, p.name, p.xml]);
    if (parentId !== null) await log.record(s, parentId, init.uri, false, seq);
    return toCollection(row);
  }

  async function copyTree(s: Tx, src: CollectionRow, ownerId: number, parentId: number | null, uri: string, home: Home, deep: boolean, publicOnly: boolean): Promise<Collection> {
    const source = toCollection(src);
    const deadProperties = (await s.rows<{ prop_name: string; xml: string }>(DEAD_OF, [src.id])).map((p) => ({ name: p.prop_name, xml: p.xml }));
    const created = await insertCollection(s, ownerId, {
      uri, kind: source.kind, parentId, home,
      displayName: source.displayName, description: source.description, color: source.color, order: source.order,
      timezone: source.timezone, components: source.components, deadProperties,
    });
    if (!deep) return created;
    await s.run(COPY_OBJECTS, { to: created.id, from: src.id, now: now(), all: publicOnly ? 0 : 1 });
    await s.run(COPY_MEMBER_PROPS, { to: created.id, from: src.id });
    await s.run(SET_COUNT, [created.id, created.id]);
    // Every copied member is a change of the new collection (RFC 6578 §3.5).
    const seq = await s.nextSeq();
    for (const r of await s.rows<{ name: string }>(OBJECT_NAMES, [created.id])) await log.record(s, created.id, r.name, false, seq);
    for (const child of await s.rows<CollectionRow>(CHILDREN, { owner: src.owner_id, parent: src.id, home: src.home })) {
      await copyTree(s, child, ownerId, created.id, child.uri, created.home, true, publicOnly);
    }
    return toCollection(await must(s, created.id));
  }

  return {
    async copyCollection(sourceId, ownerId, parentId, uri, opts) {
      return conn.tx(async (s) => {
        const src = await must(s, sourceId);
        if (parentId !== null && (await subtree(s, sourceId)).includes(parentId)) throw new Conflict('cannot copy a collection below itself');
        if (opts.replacing) {
          if (opts.replacing.kind === 'collection' && (await subtree(s, opts.replacing.id)).includes(sourceId)) {
            throw new Conflict('cannot replace a collection holding the source');
          }
          await removeReplaced(s, opts.replacing);
        }
        return copyTree(s, src, ownerId, parentId, uri, opts.home ?? src.home, opts.deep, opts.publicOnly ?? false);
      });
    },

    async createCollection(ownerId, init) {
      return conn.tx((s) => insertCollection(s, ownerId, init));
    },

    async getCollection(id) {
      const r = await get(conn, id);
      return r ? toCollection(r) : null;
    },

    async findCollection(ownerId, parentId, uri, home = 'calendars') {
      const r = await conn.row<CollectionRow>(BY_PLACE, { owner: ownerId, parent: parentId, home, uri });
      return r ? toCollection(r) : null;
    },

    async listChildCollections(ownerId, parentId, home = 'calendars') {
      return (await conn.rows<CollectionRow>(CHILDREN, { owner: ownerId, parent: parentId, home })).map(toCollection);
    },

    async updateCollection(id, patch) {
      return conn.tx(async (s) => {
        await must(s, id);
        await patchCollection(s, id, patch);
        // Name '' = the collection itself: getctag/sync token move, no member reported.
        await log.record(s, id, '', false, await s.nextSeq());
        return toCollection(await must(s, id));
      });
    },

    async deleteCollection(id, opts) {
      await conn.tx(async (s) => {
        const row = await must(s, id);
        // In the write transaction, which holds every process's write lock (connection.ts).
        if (opts?.keepLastOwn && row.kind !== 'plain' && row.parent_id === null && (await s.value<number>(OWN_OF_KIND, [row.owner_id, row.home, row.kind]))! <= 1) {
          throw new LimitReached(`the last ${row.kind} of user ${row.owner_id}`);
        }
        const seq = await s.nextSeq();
        for (const i of await s.rows<{ userId: number; home: Home; uri: string }>(INSTANCES_OF, [id])) await log.tombstone(s, i.userId, i.home, i.uri, seq);
        if (row.parent_id !== null) await log.record(s, row.parent_id, row.uri, true, seq);
        // Cascades to child collections, objects, change log, dead properties, instances, feeds.
        await s.run(REMOVE, [id]);
      });
    },

    async moveCollection(id, parentId, uri, replacing) {
      return conn.tx(async (s) => {
        if (replacing) {
          if (replacing.kind === 'collection' && (await subtree(s, replacing.id)).includes(id)) {
            throw new Conflict('cannot replace a collection holding the source');
          }
          await removeReplaced(s, replacing);
        }
        const row = await must(s, id);
        if (row.parent_id === parentId && row.uri === uri) return toCollection(row);
        if (parentId !== null && (await subtree(s, id)).includes(parentId)) throw new Conflict('cannot move a collection below itself');
        // A collection stays in its home: moving a subtree between homes is not offered.
        if ((await checkPlace(s, row.owner_id, parentId, uri, row.kind, row.home, id)) !== row.home) {
          throw new Conflict('a collection cannot move to the other home');
        }
        const seq = await s.nextSeq();
        await s.run(RELOCATE, [parentId, uri, now(), id]);
        if (row.parent_id !== null) await log.record(s, row.parent_id, row.uri, true, seq);
        if (parentId !== null) await log.record(s, parentId, uri, false, seq);
        if (row.kind !== 'plain') {
          // Only the owner's instance is renamed; sharees keep the uri chosen in their homes.
          await s.run(RENAME_OWNER_INSTANCE, [uri, seq, id]);
          await log.tombstone(s, row.owner_id, row.home, row.uri, seq);
        }
        return toCollection(await must(s, id));
      });
    },
  };
}
